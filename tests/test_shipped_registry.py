"""The registry we ship: signed by a pinned key, valid schema, bytes protected from rewriting.

One test reads the real clock, on purpose: it fails three weeks before the shipped registry
expires, so the monthly re-signing (docs/registry.md) cannot be forgotten until the day every
official channel answers `unverified`. Expiry behaviour itself is tested with fixed clocks.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from verifier.config import PROJECT_ROOT, SHIPPED_REGISTRY
from verifier.registry.trust import MIN_REGISTRY_SERIAL, verify_registry
from verifier.signing import pinned_keys


def test_shipped_registry_verifies_with_the_pinned_keys(shipped_registry):
    raw = SHIPPED_REGISTRY.read_bytes()
    sig = Path(f"{SHIPPED_REGISTRY}.minisig").read_bytes()
    verified = verify_registry(raw, sig, keys=pinned_keys(), now=shipped_registry.issued_at + timedelta(hours=1), path=str(SHIPPED_REGISTRY))
    assert verified.key_id in {k.key_id for k in pinned_keys()}
    assert verified.registry.serial >= MIN_REGISTRY_SERIAL


def test_both_maintainer_keys_are_pinned():
    assert {k.key_id for k in pinned_keys()} == {"337BC20E9BCB9242", "F378E9B9331EEA64"}


def test_registry_bytes_are_utf8_lf_and_never_rewritten_by_git():
    raw = SHIPPED_REGISTRY.read_bytes()
    raw.decode("utf-8")
    assert b"\r" not in raw and raw.endswith(b"\n")
    attributes = (PROJECT_ROOT / ".gitattributes").read_text()
    assert "data/official_channels.json -text" in attributes
    assert "data/*.minisig -text" in attributes


def test_git_sees_the_registry_as_binary_for_line_endings():
    try:
        out = subprocess.run(
            ["git", "check-attr", "text", "data/official_channels.json", "data/official_channels.json.minisig"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        import pytest

        pytest.skip("not a git checkout")
    assert out.count("text: unset") == 2, out


def test_registry_content_follows_the_evidence_rules(shipped_registry):
    """Only evidenced entries; the retired domain is retired; Telegram channels carry their language."""
    by_id = {c.id: c for c in shipped_registry.channels}
    assert by_id["legacy-mytokenpocket-vip"].status == "retired"
    assert {by_id[i].lang for i in ("telegram-en", "telegram-cn", "telegram-kor")} == {"en", "zh", "ko"}
    values = {c.value for c in shipped_registry.channels}
    # medium-low or merely affiliated: must not be listed as official
    assert not values & {"tp.xyz", "keypal.pro", "transit.finance", "5degrees.io"}
    assert all(c.evidence.startswith("https://") for c in shipped_registry.channels)
    assert shipped_registry.policy("no_phone_support") is not None


#: Re-signing gives 60 days; three weeks before the end, CI says it is time.
RESIGN_AT_THE_LATEST = timedelta(days=21)


def test_shipped_registry_is_not_about_to_expire(shipped_registry):
    left = shipped_registry.expires_at - datetime.now(UTC)
    assert left >= RESIGN_AT_THE_LATEST, (
        f"the shipped registry (serial {shipped_registry.serial}) expires at {shipped_registry.expires_at_text}, "
        f"{max(left.days, 0)} days from now: re-sign it with "
        "`make registry-resign KEY=/path/to/registry-primary.key` and commit both files (docs/registry.md)"
    )
