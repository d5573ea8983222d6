"""No minisign secret key may ever be tracked in this repository (SIGNING.md).

The markers are built by concatenation so this file does not match itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MARKERS = (
    "untrusted comment: minisign " + "encrypted secret key",
    "RWQA" + "AEIy",  # base64 of "Ed" + no KDF + "B2": an unencrypted secret key
    "RWRT" + "Y0Iy",  # base64 of "Ed" + "Sc" + "B2": a scrypt-encrypted secret key
)


def find_markers(text: str) -> list[str]:
    """The markers found at the start of a line of ``text``."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        for marker in MARKERS:
            if stripped.startswith(marker):
                found.append(marker)
    return found


def _tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60)
    if proc.returncode != 0:
        pytest.skip(f"git ls-files failed: {proc.stderr.decode(errors='replace').strip()}")
    return [ROOT / name for name in proc.stdout.decode().split("\0") if name]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("untrusted comment: minisign " + "encrypted secret key\nxyz\n", 1),
        ("untrusted comment: x\n" + "RWQA" + "AEIyAAAA\n", 1),
        ("  " + "RWRT" + "Y0IyRIIa\n", 1),
        ("untrusted comment: minisign public key 337BC20E9BCB9242\nRWRCksubDsJ7M8Du\n", 0),
        ("untrusted comment: signature from minisign secret key\nRUQauxCL\n", 0),
    ],
)
def test_find_markers(text, expected):
    assert len(find_markers(text)) == expected


def test_no_secret_key_is_tracked():
    offenders = []
    for path in _tracked_files():
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue  # deleted in the work tree but still in the index, or a submodule
        found = find_markers(data.decode("utf-8", errors="replace"))
        if found:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(set(found)))}")
    assert not offenders, (
        "minisign secret key material is tracked by git; remove it (git rm --cached), rotate the key, "
        "and keep keys outside the repo:\n" + "\n".join(offenders)
    )
