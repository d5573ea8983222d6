"""Interop with the stock `minisign` CLI, both directions (SIGNING.md: anyone can check with it).

Skipped only when the binary is missing and VERIFIER_REQUIRE_MINISIGN is unset; CI sets it
(`.ci/run` installs Debian's minisign), so there a missing binary fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from registry_fixtures import ENCRYPTED_SECRET_PREFIX, NOW, comment_of, encode_doc, make_registry_doc
from verifier.errors import RegistrySignatureError
from verifier.cli.registry import main
from verifier.registry.trust import verify_registry
from verifier.signing import generate_keypair, public_key_from_text, sign_detached

pytestmark = pytest.mark.interop

DOC = make_registry_doc()
RAW = encode_doc(DOC)
COMMENT = comment_of(DOC)


@pytest.fixture(scope="module")
def minisign_bin() -> str:
    found = shutil.which("minisign")
    if found is None:
        if os.environ.get("VERIFIER_REQUIRE_MINISIGN"):
            pytest.fail("VERIFIER_REQUIRE_MINISIGN is set but the minisign binary is not on PATH (apt-get install minisign)")
        pytest.skip("stock minisign binary not found (apt-get install minisign); set VERIFIER_REQUIRE_MINISIGN=1 to fail instead")
    return found


def stock(binary: str, *args: str, password: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # minisign reads the password from stdin when stdin is not a terminal
    return subprocess.run(
        [binary, *args],
        input=f"{password}\n{password}\n" if password is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def _write_ours(tmp_path: Path, password: str | None = None) -> tuple[Path, Path, Path, str]:
    secret, public, key_id = generate_keypair(password)
    (tmp_path / "ours.key").write_bytes(secret)
    (tmp_path / "ours.pub").write_bytes(public)
    reg = tmp_path / "official_channels.json"
    reg.write_bytes(RAW)
    return reg, tmp_path / "ours.key", tmp_path / "ours.pub", key_id


@pytest.mark.parametrize("how", ["-P", "-p"])
def test_stock_minisign_verifies_our_signature(tmp_path, minisign_bin, how):
    reg, key, pub, _ = _write_ours(tmp_path)
    Path(f"{reg}.minisig").write_bytes(sign_detached(RAW, key.read_bytes(), COMMENT))
    pub_arg = pub.read_text().splitlines()[1] if how == "-P" else str(pub)
    proc = stock(minisign_bin, "-Vm", str(reg), "-H", how, pub_arg)
    assert proc.returncode == 0, proc.stderr
    assert "Signature and comment signature verified" in proc.stdout
    assert f"Trusted comment: {COMMENT}" in proc.stdout
    # and a tampered file is refused by the stock tool too
    reg.write_bytes(RAW.replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    assert stock(minisign_bin, "-Vm", str(reg), "-H", how, pub_arg).returncode != 0


def test_stock_minisign_verifies_our_sign_command(tmp_path, minisign_bin, monkeypatch):
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "var"))
    reg, key, pub, _ = _write_ours(tmp_path)
    assert main(["sign", "--key", str(key), "--registry", str(reg), "--bump", "--now", "2026-11-25T12:00:00Z"]) == 0
    proc = stock(minisign_bin, "-Vm", str(reg), "-H", "-p", str(pub))
    assert proc.returncode == 0, proc.stderr
    assert "serial=4 issued_at=2026-11-25T12:00:00Z expires_at=2027-01-24T12:00:00Z" in proc.stdout


@pytest.mark.parametrize("flags", [["-H"], []])
def test_our_verify_accepts_stock_key_and_signature(tmp_path, minisign_bin, flags):
    keygen = stock(minisign_bin, "-G", "-W", "-p", str(tmp_path / "s.pub"), "-s", str(tmp_path / "s.key"))
    assert keygen.returncode == 0, keygen.stderr
    reg = tmp_path / "official_channels.json"
    reg.write_bytes(RAW)
    signed = stock(minisign_bin, "-S", *flags, "-s", str(tmp_path / "s.key"), "-m", str(reg), "-t", COMMENT)
    assert signed.returncode == 0, signed.stderr
    key = public_key_from_text((tmp_path / "s.pub").read_text())
    # the key id we compute is the one the stock tool printed in the .pub comment (stock
    # minisign prints it with %PRIX64, i.e. without leading zeros; we always print 16 digits)
    first_line = (tmp_path / "s.pub").read_text().splitlines()[0]
    assert first_line.startswith("untrusted comment: minisign public key ")
    assert int(first_line.rsplit(" ", 1)[1], 16) == int(key.key_id, 16)
    assert len(key.key_id) == 16
    verified = verify_registry(RAW, Path(f"{reg}.minisig").read_bytes(), keys=[key], now=NOW, path=str(reg))
    assert verified.key_id == key.key_id and verified.registry.serial == DOC["serial"]


def test_stock_legacy_signature_is_refused(tmp_path, minisign_bin):
    assert stock(minisign_bin, "-G", "-W", "-p", str(tmp_path / "s.pub"), "-s", str(tmp_path / "s.key")).returncode == 0
    reg = tmp_path / "official_channels.json"
    reg.write_bytes(RAW)
    assert stock(minisign_bin, "-S", "-l", "-s", str(tmp_path / "s.key"), "-m", str(reg), "-t", COMMENT).returncode == 0
    key = public_key_from_text((tmp_path / "s.pub").read_text())
    with pytest.raises(RegistrySignatureError) as info:
        verify_registry(RAW, Path(f"{reg}.minisig").read_bytes(), keys=[key], now=NOW, path=str(reg))
    assert info.value.code == "legacy_signature"


@pytest.mark.parametrize("password", [None, "correct horse"])
def test_stock_minisign_signs_with_our_keygen_output(tmp_path, minisign_bin, password):
    reg, key, pub, key_id = _write_ours(tmp_path, password)
    args = ["-S", "-s", str(key), "-m", str(reg), "-t", COMMENT]
    proc = stock(minisign_bin, *(args if password else [*args, "-W"]), password=password)
    assert proc.returncode == 0, proc.stderr
    trusted = public_key_from_text(pub.read_text())
    verified = verify_registry(RAW, Path(f"{reg}.minisig").read_bytes(), keys=[trusted], now=NOW, path=str(reg))
    assert verified.key_id == key_id


def test_our_sign_uses_stock_encrypted_key(tmp_path, minisign_bin):
    # stock keys use scrypt's "sensitive" limits (1 GiB): slow but worth it once
    made = stock(minisign_bin, "-G", "-p", str(tmp_path / "s.pub"), "-s", str(tmp_path / "s.key"), password="pw 1")
    assert made.returncode == 0, made.stderr
    secret = (tmp_path / "s.key").read_bytes()
    assert secret.decode().splitlines()[1].startswith(ENCRYPTED_SECRET_PREFIX)
    reg = tmp_path / "official_channels.json"
    reg.write_bytes(RAW)
    Path(f"{reg}.minisig").write_bytes(sign_detached(RAW, secret, COMMENT, password="pw 1"))
    proc = stock(minisign_bin, "-Vm", str(reg), "-H", "-p", str(tmp_path / "s.pub"))
    assert proc.returncode == 0, proc.stderr
    key = public_key_from_text((tmp_path / "s.pub").read_text())
    assert verify_registry(RAW, Path(f"{reg}.minisig").read_bytes(), keys=[key], now=NOW, path=str(reg)).key_id == key.key_id
