"""verifier.registry.trust: every refusal code, made by editing a good document and re-signing it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any, Callable

import pytest

from registry_fixtures import NOW, TestKey, comment_of, encode_doc, make_key, make_registry_doc, sign_doc
from verifier.errors import RegistryError, RegistryFormatError, RegistryRollbackError, RegistrySignatureError
from verifier.registry.schema import format_timestamp
from verifier.registry.trust import (
    MAX_REGISTRY_BYTES,
    MIN_REGISTRY_SERIAL,
    StoredState,
    check_rollback,
    compute_floor,
    effective_stored,
    verify_registry,
)

PATH = "data/official_channels.json"
Case = Callable[[TestKey], tuple[bytes, bytes, list]]


def _good(key: TestKey, **overrides: Any) -> tuple[bytes, bytes, list]:
    raw, sig = sign_doc(make_registry_doc(**overrides), key)
    return raw, sig, [key.trusted]


def _tampered(key):
    raw, sig, keys = _good(key)
    return raw.replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1), sig, keys


def _unknown_key(key):
    raw, sig = sign_doc(make_registry_doc(), make_key())
    return raw, sig, [key.trusted]


def _legacy(key):
    raw, sig = sign_doc(make_registry_doc(), key, prehash=False)
    return raw, sig, [key.trusted]


def _raw_signed(raw: bytes, comment: str = "registry=x") -> Case:
    def case(key):
        return (*sign_doc(raw, key, trusted_comment=comment), [key.trusted])

    return case


def _comment(comment: str) -> Case:
    def case(key):
        return (*sign_doc(make_registry_doc(), key, trusted_comment=comment), [key.trusted])

    return case


def _with(**overrides: Any) -> Case:
    return lambda key: _good(key, **overrides)


def _channel(**changes: Any) -> Case:
    doc = make_registry_doc()
    channel = {**doc["channels"][0], **changes}
    return _with(channels=[channel])


GOOD_COMMENT = comment_of(make_registry_doc())

REFUSALS: list[tuple[str, Case, type[RegistryError], str]] = [
    ("tampered byte", _tampered, RegistrySignatureError, "bad_signature"),
    ("unknown key", _unknown_key, RegistrySignatureError, "unknown_key"),
    ("legacy signature", _legacy, RegistrySignatureError, "legacy_signature"),
    ("signature garbage", lambda k: (encode_doc(make_registry_doc()), b"garbage\n", [k.trusted]), RegistrySignatureError, "bad_signature_file"),
    ("signature too big", lambda k: (encode_doc(make_registry_doc()), b"x" * 4097, [k.trusted]), RegistrySignatureError, "bad_signature_file"),
    ("registry too big", lambda k: (b" " * (MAX_REGISTRY_BYTES + 1), b"", [k.trusted]), RegistryFormatError, "too_large"),
    ("comment serial differs", _comment(GOOD_COMMENT.replace("serial=3", "serial=4")), RegistrySignatureError, "comment_mismatch"),
    ("comment is a timestamp", _comment("timestamp:1700000000\tfile:official_channels.json"), RegistrySignatureError, "comment_mismatch"),
    ("comment trailing space", _comment(GOOD_COMMENT + " "), RegistrySignatureError, "comment_mismatch"),
    ("not json", _raw_signed(b"not json"), RegistryFormatError, "bad_json"),
    ("duplicate key", _raw_signed(b'{"serial": 1, "serial": 2}'), RegistryFormatError, "bad_json"),
    ("NaN", _raw_signed(b'{"serial": NaN}'), RegistryFormatError, "bad_json"),
    ("BOM", _raw_signed(b'\xef\xbb\xbf{"serial": 1}'), RegistryFormatError, "bad_json"),
    ("top-level array", _raw_signed(b"[1, 2]"), RegistryFormatError, "bad_json"),
    ("wrong registry", _with(registry_id="someone-else"), RegistryFormatError, "wrong_registry"),
    ("unsupported schema", _with(schema_version=2), RegistryFormatError, "unsupported_schema"),
    ("schema as string", _with(schema_version="1"), RegistryFormatError, "unsupported_schema"),
    ("serial float", _with(serial=3.0), RegistryFormatError, "bad_field"),
    ("serial bool", _with(serial=True), RegistryFormatError, "bad_field"),
    ("serial zero", _with(serial=0), RegistryFormatError, "bad_field"),
    ("unknown top field", _with(extra=1), RegistryFormatError, "bad_field"),
    ("channel kind", _channel(kind="fax"), RegistryFormatError, "bad_field"),
    ("evidence http", _channel(evidence="http://tokenpocket.pro/"), RegistryFormatError, "bad_field"),
    ("no active channel", _channel(status="retired"), RegistryFormatError, "bad_field"),
    (
        "validity 91 days",
        _with(expires_at=format_timestamp(NOW - timedelta(days=1) + timedelta(days=91))),
        RegistryFormatError,
        "bad_validity",
    ),
    ("expires before issued", _with(expires_at=format_timestamp(NOW - timedelta(days=2))), RegistryFormatError, "bad_validity"),
    ("date with offset", _with(issued_at="2026-11-24T12:00:00+00:00"), RegistryFormatError, "bad_validity"),
    (
        "issued in future",
        _with(issued_at=format_timestamp(NOW + timedelta(minutes=6)), expires_at=format_timestamp(NOW + timedelta(days=60))),
        RegistryFormatError,
        "issued_in_future",
    ),
]


@pytest.mark.parametrize(("case", "exc_type", "code"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusals(case, exc_type, code):
    key = make_key()
    raw, sig, keys = case(key)
    with pytest.raises(exc_type) as info:
        verify_registry(raw, sig, keys=keys, now=NOW, path=PATH)
    err = info.value
    assert err.code == code
    assert PATH in err.message, "every message names the file"
    if code not in ("too_large", "bad_signature_file"):
        assert err.key_id is not None and err.key_id in err.message, "and the key id once it is known"


def test_good_registry():
    key = make_key()
    raw, sig, keys = _good(key)
    verified = verify_registry(raw, sig, keys=[make_key().trusted, *keys], now=NOW, path=PATH)
    assert verified.raw == raw and verified.signature == sig
    assert verified.key_id == key.key_id
    assert verified.registry.serial == 3
    assert len(verified.sha256) == 64
    assert verified.path == PATH


@pytest.mark.parametrize("skew", [timedelta(minutes=5), timedelta(0), timedelta(days=-1)])
def test_issued_at_up_to_five_minutes_ahead_is_fine(skew):
    key = make_key()
    issued = NOW + skew
    raw, sig, keys = _good(key, issued_at=format_timestamp(issued), expires_at=format_timestamp(issued + timedelta(days=90)))
    assert verify_registry(raw, sig, keys=keys, now=NOW, path=PATH).registry.issued_at == issued


def test_expired_registry_is_returned_not_refused():
    key = make_key()
    raw, sig, keys = _good(key)
    later = NOW + timedelta(days=365)
    verified = verify_registry(raw, sig, keys=keys, now=later, path=PATH)
    assert verified.is_expired(later)
    assert not verified.is_expired(NOW)


# --- rollback ratchet -------------------------------------------------------------------


def _verified(serial: int, key: TestKey, **overrides: Any):
    raw, sig, keys = _good(key, serial=serial, **overrides)
    return verify_registry(raw, sig, keys=keys, now=NOW, path=PATH)


def _state(verified, key_id: str | None = None) -> StoredState:
    return StoredState(
        serial=verified.registry.serial,
        sha256=verified.sha256,
        key_id=key_id or verified.key_id,
        issued_at=verified.registry.issued_at_text,
        accepted_at=format_timestamp(NOW),
    )


FLOORS = [
    # (min_serial, stored serial or None, stored key pinned?, expected floor)
    (1, None, True, 1),
    (5, None, True, 5),
    (1, 7, True, 7),
    (9, 7, True, 9),
    (1, 1_000_000_000, False, 1),  # a leaked, since unpinned key cannot block updates
    (4, 1_000_000_000, False, 4),
]


@pytest.mark.parametrize(("min_serial", "stored_serial", "pinned", "floor"), FLOORS)
def test_compute_floor(min_serial, stored_serial, pinned, floor):
    stored = None
    if stored_serial is not None:
        stored = StoredState(serial=stored_serial, sha256="0" * 64, key_id="AAAAAAAAAAAAAAAA", issued_at="x", accepted_at="x")
    pinned_ids = ["AAAAAAAAAAAAAAAA"] if pinned else ["BBBBBBBBBBBBBBBB"]
    assert compute_floor(min_serial, stored, pinned_ids) == floor


def test_min_registry_serial_is_positive():
    assert isinstance(MIN_REGISTRY_SERIAL, int) and MIN_REGISTRY_SERIAL >= 1


def test_rollback_refused_with_serials_in_message():
    key = make_key()
    stored = _state(_verified(5, key))
    candidate = _verified(4, key)
    with pytest.raises(RegistryRollbackError) as info:
        check_rollback(candidate, compute_floor(1, stored, [key.key_id]), stored)
    assert info.value.code == "rollback"
    assert "serial 4" in info.value.message and "5" in info.value.message
    assert PATH in info.value.message and key.key_id in info.value.message


def test_rollback_below_min_serial_without_state():
    key = make_key()
    with pytest.raises(RegistryRollbackError) as info:
        check_rollback(_verified(3, key), compute_floor(4, None, [key.key_id]), None)
    assert info.value.code == "rollback"
    assert "MIN_REGISTRY_SERIAL" in info.value.message


def test_equivocation_same_serial_other_bytes():
    key = make_key()
    stored = _state(_verified(5, key))
    other = _verified(5, key, impersonations=[])  # same facts ...
    other = replace(other, sha256="f" * 64)  # ... but other bytes
    with pytest.raises(RegistryRollbackError) as info:
        check_rollback(other, compute_floor(1, stored, [key.key_id]), stored)
    assert info.value.code == "equivocation"
    assert "serial 5" in info.value.message


def test_equivocation_with_really_different_document():
    key = make_key()
    first = _verified(5, key)
    doc = make_registry_doc(serial=5)
    doc["channels"][0]["label"]["en"] = "Website"
    raw, sig = sign_doc(doc, key)
    second = verify_registry(raw, sig, keys=[key.trusted], now=NOW, path=PATH)
    stored = _state(first)
    with pytest.raises(RegistryRollbackError, match="already accepted"):
        check_rollback(second, compute_floor(1, stored, [key.key_id]), stored)


@pytest.mark.parametrize("serial", [5, 6, 100])
def test_same_bytes_or_newer_accepted(serial):
    key = make_key()
    first = _verified(5, key)
    stored = _state(first)
    candidate = first if serial == 5 else _verified(serial, key)
    check_rollback(candidate, compute_floor(1, stored, [key.key_id]), stored)


def test_floor_of_unpinned_key_is_ignored():
    leaked, backup = make_key(), make_key()
    stored = _state(_verified(1_000_000, leaked))
    honest = _verified(4, backup)
    pinned = [backup.key_id]
    counted = effective_stored(stored, pinned)
    assert counted is None
    check_rollback(honest, compute_floor(MIN_REGISTRY_SERIAL, stored, pinned), counted)


def test_verified_registry_is_frozen():
    verified = _verified(3, make_key())
    with pytest.raises(AttributeError):
        verified.sha256 = "x"  # type: ignore[misc]
    assert json.loads(verified.raw)["serial"] == 3
