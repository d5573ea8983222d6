"""`verifier registry ...` end to end in tmp_path, with ephemeral keys and a fixed clock."""

from __future__ import annotations

import argparse
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from registry_fixtures import ENCRYPTED_SECRET_PREFIX, NOW, PLAIN_SECRET_PREFIX, encode_doc, make_registry_doc
from verifier.cli.registry import add_registry_parser, main
from verifier.state.registry_files import load_registry
from verifier.signing import public_key_from_text
from verifier.state.store import StateStore

ROOT = Path(__file__).resolve().parent.parent
NOW_TEXT = "2026-11-25T12:00:00Z"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A registry file, a data dir and an unencrypted key pair, all under tmp_path."""
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VERIFIER_REGISTRY", str(tmp_path / "official_channels.json"))
    monkeypatch.delenv("VERIFIER_KEY_PASSWORD", raising=False)
    (tmp_path / "official_channels.json").write_bytes(encode_doc(make_registry_doc()))
    assert main(["keygen", "--secret-key", str(tmp_path / "k.key"), "--public-key", str(tmp_path / "k.pub"), "--no-password"]) == 0
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def key_id(tmp_path: Path, name: str = "k.pub") -> str:
    return public_key_from_text((tmp_path / name).read_text()).key_id


def test_keygen_writes_stock_files_with_private_mode(env, capsys):
    secret = env / "k.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text().splitlines()[1].startswith(PLAIN_SECRET_PREFIX)
    pub = (env / "k.pub").read_text()
    assert pub.startswith(f"untrusted comment: minisign public key {key_id(env)}\n")


@pytest.mark.parametrize("which", ["secret", "public"])
def test_keygen_refuses_to_overwrite(env, capsys, which):
    target = env / ("k.key" if which == "secret" else "k.pub")
    before = target.read_bytes()
    other = env / ("new.pub" if which == "secret" else "new.key")
    args = ["keygen", "--secret-key", str(target if which == "secret" else other), "--public-key", str(other if which == "secret" else target)]
    code, _, err = run(capsys, *args, "--no-password")
    assert code == 1 and err.startswith("error: exists: ")
    assert target.read_bytes() == before and not other.exists()


def test_keygen_with_password_file_and_sign_with_env_password(env, capsys, monkeypatch):
    (env / "pw").write_text("s3cret\n")
    code, out, _ = run(capsys, "keygen", "--secret-key", str(env / "e.key"), "--public-key", str(env / "e.pub"), "--password-file", str(env / "pw"))
    assert code == 0 and "encrypted" in out
    assert (env / "e.key").read_text().splitlines()[1].startswith(ENCRYPTED_SECRET_PREFIX)
    code, _, err = run(capsys, "sign", "--key", str(env / "e.key"), "--now", NOW_TEXT)
    assert code == 1 and "error: password_required: " in err and "VERIFIER_KEY_PASSWORD" in err
    monkeypatch.setenv("VERIFIER_KEY_PASSWORD", "wrong")
    code, _, err = run(capsys, "sign", "--key", str(env / "e.key"), "--now", NOW_TEXT)
    assert code == 1 and "error: wrong_password: " in err
    monkeypatch.setenv("VERIFIER_KEY_PASSWORD", "s3cret")
    assert run(capsys, "sign", "--key", str(env / "e.key"), "--now", NOW_TEXT)[0] == 0
    assert run(capsys, "verify", "--key", str(env / "e.pub"), "--now", NOW_TEXT)[0] == 0


def test_keygen_without_password_choice_and_no_tty(env, capsys):
    code, _, err = run(capsys, "keygen", "--secret-key", str(env / "x.key"), "--public-key", str(env / "x.pub"))
    assert code == 1 and "--no-password" in err and not (env / "x.key").exists()


def test_sign_bump_rewrites_document_and_verifies(env, capsys):
    code, out, err = run(capsys, "sign", "--key", str(env / "k.key"), "--bump", "--now", "2026-11-25T12:00:00.123+00:00")
    assert code == 0, err
    kid = key_id(env)
    assert kid in out and "serial=4 issued_at=2026-11-25T12:00:00Z expires_at=2027-01-24T12:00:00Z" in out
    assert "not pinned" in err
    raw = (env / "official_channels.json").read_bytes()
    doc = json.loads(raw)
    assert (doc["serial"], doc["issued_at"], doc["expires_at"]) == (4, "2026-11-25T12:00:00Z", "2027-01-24T12:00:00Z")
    assert list(doc) == list(make_registry_doc())  # key order preserved
    assert raw == (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode() and b"\r" not in raw
    assert "官方网站".encode() in raw  # UTF-8, not \u escapes
    sig = (env / "official_channels.json.minisig").read_text()
    assert sig.endswith("\n") and "trusted comment: registry=tokenpocket-official-channels serial=4 " in sig

    code, out, err = run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT)
    assert code == 0, err
    for fragment in (f"key id: {kid}", "serial: 4", "issued: 2026-11-25T12:00:00Z", "expires: 2027-01-24T12:00:00Z", "expires in 60 days"):
        assert fragment in out
    assert not (env / "var").exists(), "verify does not create the state database"


def test_sign_without_bump_signs_bytes_as_they_are(env, capsys):
    before = (env / "official_channels.json").read_bytes()
    assert run(capsys, "sign", "--key", str(env / "k.key"), "--now", NOW_TEXT)[0] == 0
    assert (env / "official_channels.json").read_bytes() == before
    assert run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT, "--no-state")[0] == 0


SIGN_REFUSALS = [
    ("wrong registry", make_registry_doc(registry_id="x"), "wrong_registry"),
    ("bad field", make_registry_doc(serial=0), "bad_field"),
    ("validity", make_registry_doc(expires_at="2027-12-31T00:00:00Z"), "bad_validity"),
]


@pytest.mark.parametrize(("doc", "code"), [r[1:] for r in SIGN_REFUSALS], ids=[r[0] for r in SIGN_REFUSALS])
def test_sign_refuses_invalid_documents(env, capsys, doc, code):
    (env / "official_channels.json").write_bytes(encode_doc(doc))
    rc, _, err = run(capsys, "sign", "--key", str(env / "k.key"), "--now", NOW_TEXT)
    assert rc == 1 and err.startswith(f"error: {code}: ") and "Traceback" not in err
    assert not (env / "official_channels.json.minisig").exists()


def test_sign_refuses_duplicate_keys(env, capsys):
    (env / "official_channels.json").write_bytes(b'{"serial": 1, "serial": 2}')
    rc, _, err = run(capsys, "sign", "--key", str(env / "k.key"), "--bump", "--now", NOW_TEXT)
    assert rc == 1 and err.startswith("error: bad_json: ")


def test_verify_refusals(env, capsys):
    assert run(capsys, "sign", "--key", str(env / "k.key"), "--now", NOW_TEXT)[0] == 0
    # pinned keys only (no --key): the ephemeral key is unknown
    rc, _, err = run(capsys, "verify", "--now", NOW_TEXT, "--no-state")
    assert rc == 1 and err.startswith("error: unknown_key: ") and "337BC20E9BCB9242" in err
    path = env / "official_channels.json"
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    rc, _, err = run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT)
    assert rc == 1 and err.startswith("error: bad_signature: ")
    path.unlink()
    rc, _, err = run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT)
    assert rc == 1 and err.startswith("error: missing_file: ")


def test_verify_checks_the_stored_floor_then_forget_floor(env, capsys):
    key = public_key_from_text((env / "k.pub").read_text())
    sign = ["sign", "--key", str(env / "k.key"), "--bump", "--now", NOW_TEXT]
    assert run(capsys, *sign)[0] == 0  # serial 4
    old_raw = (env / "official_channels.json").read_bytes()
    old_sig = (env / "official_channels.json.minisig").read_bytes()
    assert run(capsys, *sign)[0] == 0  # serial 5
    with StateStore(env / "var" / "verifier.sqlite3") as store:
        load_registry(env / "official_channels.json", now=NOW, store=store, keys=[key])
    (env / "official_channels.json").write_bytes(old_raw)
    (env / "official_channels.json.minisig").write_bytes(old_sig)

    rc, _, err = run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT)
    assert rc == 1 and err.startswith("error: rollback: ") and "serial 4" in err and "5" in err
    assert run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT, "--no-state")[0] == 0

    rc, out, _ = run(capsys, "forget-floor")
    assert rc == 0 and "serial 5" in out and key.key_id in out
    assert run(capsys, "verify", "--key", str(env / "k.pub"), "--now", NOW_TEXT)[0] == 0
    rc, out, _ = run(capsys, "forget-floor")
    assert rc == 0 and "nothing to forget" in out


EXPIRY = [
    # (--now, exit code, stdout fragment, stderr fragment)
    ("2026-11-25T12:00:00Z", 0, "expires in 59 days", ""),
    ("2027-01-03T12:00:00Z", 0, "expires in 20 days", ""),
    ("2027-01-13T12:00:00Z", 0, "expires in 10 days", "warning:"),
    ("2027-01-30T12:00:00Z", 1, "EXPIRED", "expired on 2027-01-23T12:00:00Z"),
]


@pytest.mark.parametrize(("now", "code", "out_fragment", "err_fragment"), EXPIRY)
def test_verify_expiry_messages(env, capsys, now, code, out_fragment, err_fragment):
    assert run(capsys, "sign", "--key", str(env / "k.key"), "--now", NOW_TEXT)[0] == 0
    rc, out, err = run(capsys, "verify", "--key", str(env / "k.pub"), "--now", now, "--no-state")
    assert rc == code and out_fragment in out and err_fragment in err
    if not err_fragment:
        assert "warning" not in err


def test_show_text_and_json(env, capsys):
    assert run(capsys, "sign", "--key", str(env / "k.key"), "--now", NOW_TEXT)[0] == 0
    rc, out, _ = run(capsys, "show", "--now", NOW_TEXT)
    assert rc == 0
    assert "serial: 3" in out and "channels: 1 (1 active)" in out and "impersonations: 0" in out
    assert "NOT verified (unknown_key" in out
    rc, out, _ = run(capsys, "show", "--json", "--key", str(env / "k.pub"), "--now", NOW_TEXT)
    summary = json.loads(out)
    assert rc == 0
    assert summary["serial"] == 3 and summary["channels"] == 1 and summary["impersonations"] == 0
    assert summary["expires_in_days"] == 59 and summary["expired"] is False
    assert summary["signature"] == {"verified": True, "key_id": key_id(env), "problem": None}


def test_comment_prints_the_trusted_comment(env, capsys):
    doc = make_registry_doc()
    expected = f"registry=tokenpocket-official-channels serial=3 issued_at={doc['issued_at']} expires_at={doc['expires_at']}\n"
    assert run(capsys, "comment") == (0, expected, "")
    assert run(capsys, "comment", str(env / "official_channels.json")) == (0, expected, "")
    rc, _, err = run(capsys, "comment", str(env / "nope.json"))
    assert rc == 1 and err.startswith("error: missing_file: ")


@pytest.mark.parametrize(
    "argv",
    [[], ["bogus"], ["sign"], ["keygen", "--secret-key", "a"], ["keygen", "--secret-key", "a", "--public-key", "b", "--no-password", "--password-file", "p"]],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_bad_now_is_an_error_not_a_traceback(env, capsys):
    rc, _, err = run(capsys, "verify", "--now", "yesterday")
    assert rc == 1 and err.startswith("error: bad_usage: ")


def test_add_registry_parser_mounts_on_a_top_level_cli(env, capsys):
    parser = argparse.ArgumentParser(prog="verifier")
    add_registry_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["registry", "comment", str(env / "official_channels.json")])
    assert args.func(args) == 0
    assert capsys.readouterr().out.startswith("registry=tokenpocket-official-channels serial=3 ")


def test_runs_as_a_module(env):
    proc = subprocess.run(
        [sys.executable, "-m", "verifier.cli.registry", "comment", str(env / "official_channels.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("registry=tokenpocket-official-channels serial=3 ")
