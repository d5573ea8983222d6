"""The registry's trust chain, pure: bytes + signature + keys + clock in, verdict out.

No file, socket or SQLite here (``loader.py`` and ``store.py`` do the I/O), so every step
is testable with bytes and a fixed clock. The chain follows SIGNING.md, in this order:

1. size caps, 2. minisign signature by a pinned key, 3. strict JSON, 4. schema 1 and dates,
5. trusted comment equal to the document's facts, then (with the stored state)
6. the rollback ratchet.

Expiry is *not* a refusal: an expired registry is returned and callers downgrade answers.

Stable refusal codes (logs, ``/readyz``, CLI ``error: <code>: ...``):

==================  =============================  ============================================
code                exception                      meaning
==================  =============================  ============================================
missing_file        RegistryError                  registry or signature file missing/unreadable
too_large           RegistryFormatError            registry over ``MAX_REGISTRY_BYTES``
bad_signature_file  RegistrySignatureError         signature unparseable or over its size cap
legacy_signature    RegistrySignatureError         non-prehashed (legacy ``Ed``) signature
unknown_key         RegistrySignatureError         signed by a key that is not pinned
bad_signature       RegistrySignatureError         file or trusted comment does not verify
bad_json            RegistryFormatError            not strict UTF-8 JSON / top level not object
wrong_registry      RegistryFormatError            ``registry_id`` is not ours
unsupported_schema  RegistryFormatError            ``schema_version`` is not 1
bad_field           RegistryFormatError            an entry or field breaks schema 1
bad_validity        RegistryFormatError            bad dates, or validity over 90 days
issued_in_future    RegistryFormatError            ``issued_at`` > now + 5 minutes
comment_mismatch    RegistrySignatureError         trusted comment differs from the JSON's facts
rollback            RegistryRollbackError          serial below the floor
equivocation        RegistryRollbackError          same serial as accepted, different bytes
==================  =============================  ============================================
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from verifier.errors import RegistryError, RegistryFormatError, RegistryRollbackError, RegistrySignatureError
from verifier.registry.schema import Registry, parse_registry
from verifier.signing import MAX_SIGNATURE_BYTES, TrustedKey, verify_detached
from verifier.strictjson import StrictJSONError, loads_strict

#: Raise at every key revocation: protects a fresh install from an older signed file.
MIN_REGISTRY_SERIAL = 1
MAX_REGISTRY_BYTES = 5 * 1024 * 1024
#: Signing gives 60 days; from this many days before expiry `show`, `verify` and /readyz warn.
WARN_BEFORE_EXPIRY = timedelta(days=14)

__all__ = [
    "MAX_REGISTRY_BYTES",
    "MAX_SIGNATURE_BYTES",
    "MIN_REGISTRY_SERIAL",
    "StoredState",
    "WARN_BEFORE_EXPIRY",
    "VerifiedRegistry",
    "check_rollback",
    "compute_floor",
    "effective_stored",
    "verify_registry",
]


@dataclass(frozen=True)
class VerifiedRegistry:
    """A registry whose bytes were verified; ``raw``/``signature`` are what to serve."""

    registry: Registry
    raw: bytes
    signature: bytes
    sha256: str
    key_id: str
    path: str

    def is_expired(self, now: datetime) -> bool:
        return self.registry.is_expired(now)


@dataclass(frozen=True)
class StoredState:
    """The accepted-registry row of the local state (the rollback floor).

    ``raw`` and ``signature`` hold the last accepted bytes, so a restarted worker can fall
    back to them (re-verified) when the file on disk is refused.
    """

    serial: int
    sha256: str
    key_id: str
    issued_at: str
    accepted_at: str
    raw: bytes | None = None
    signature: bytes | None = None


def verify_registry(
    raw: bytes, signature: bytes, *, keys: Iterable[TrustedKey], now: datetime, path: str
) -> VerifiedRegistry:
    """Run steps 1-5 of the chain on bytes read once; raise a :class:`RegistryError` or return."""
    if len(raw) > MAX_REGISTRY_BYTES:
        raise RegistryFormatError(
            f"{path}: registry is {len(raw)} bytes, over the {MAX_REGISTRY_BYTES}-byte cap",
            code="too_large",
            path=path,
        )
    signed = verify_detached(raw, signature, keys, path=path)
    key_id = signed.key_id
    try:
        obj = loads_strict(raw)
    except StrictJSONError as exc:
        raise RegistryFormatError(
            f"{path}: signed by key {key_id} but not strict JSON: {exc.message}", code="bad_json", path=path, key_id=key_id
        ) from None
    if not isinstance(obj, dict):
        raise RegistryFormatError(
            f"{path}: signed by key {key_id} but the top level is a JSON {type(obj).__name__}, not an object",
            code="bad_json",
            path=path,
            key_id=key_id,
        )
    try:
        registry = parse_registry(obj, path=path, now=now)
    except RegistryError as exc:
        raise type(exc)(f"{exc.message} (signed by key {key_id})", code=exc.code, path=path, key_id=key_id) from None
    expected = registry.trusted_comment()
    if signed.trusted_comment != expected:
        raise RegistrySignatureError(
            f"{path}: the trusted comment of key {key_id}'s signature is {signed.trusted_comment!r}, "
            f"but the document says {expected!r}; re-sign with `verifier registry sign` "
            "or `minisign -S -t \"$(verifier registry comment)\"`",
            code="comment_mismatch",
            path=path,
            key_id=key_id,
        )
    return VerifiedRegistry(
        registry=registry,
        raw=raw,
        signature=signature,
        sha256=hashlib.sha256(raw).hexdigest(),
        key_id=key_id,
        path=path,
    )


def effective_stored(stored: StoredState | None, pinned_key_ids: Iterable[str]) -> StoredState | None:
    """The stored state if it still counts: its signing key must still be pinned.

    This is the fast-forward fix: a leaked key's serial 10**9 stops blocking honest files
    once the release that unpins the key is deployed.
    """
    if stored is None or stored.key_id not in set(pinned_key_ids):
        return None
    return stored


def compute_floor(min_serial: int, stored: StoredState | None, pinned_key_ids: Iterable[str]) -> int:
    """The lowest acceptable serial: the package floor, or the stored serial if it counts."""
    counted = effective_stored(stored, pinned_key_ids)
    return max(min_serial, counted.serial) if counted is not None else min_serial


def check_rollback(verified: VerifiedRegistry, floor: int, stored: StoredState | None) -> None:
    """Refuse a serial below ``floor`` (``rollback``) or a second document at the stored serial.

    ``stored`` should be what :func:`effective_stored` returns, so a state signed by an
    unpinned key neither sets the floor nor triggers ``equivocation``. Re-accepting the very
    same bytes is fine.
    """
    serial = verified.registry.serial
    if serial < floor:
        source = f"accepted serial {stored.serial} (key {stored.key_id})" if stored is not None and stored.serial == floor else "MIN_REGISTRY_SERIAL"
        raise RegistryRollbackError(
            f"{verified.path}: serial {serial} (key {verified.key_id}) is below the floor {floor} set by {source}; "
            "publish a newer registry, or run `verifier registry forget-floor` for a deliberate downgrade",
            code="rollback",
            path=verified.path,
            key_id=verified.key_id,
        )
    if stored is not None and serial == stored.serial and verified.sha256 != stored.sha256:
        raise RegistryRollbackError(
            f"{verified.path}: serial {serial} (key {verified.key_id}) was already accepted with other content "
            f"(sha256 {stored.sha256[:16]}..., now {verified.sha256[:16]}...); every signing must bump the serial",
            code="equivocation",
            path=verified.path,
            key_id=verified.key_id,
        )
