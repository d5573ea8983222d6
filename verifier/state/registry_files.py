"""Reading the registry from disk (or from the state) and running it through the trust chain.

Each file is read exactly once, with its size cap, and the bytes that were verified are the
bytes that are parsed, kept and served (SIGNING.md: never verify one read and parse another).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable

from verifier.errors import RegistryError
from verifier.registry.trust import MAX_REGISTRY_BYTES, MAX_SIGNATURE_BYTES, VerifiedRegistry, verify_registry
from verifier.signing import TrustedKey, pinned_keys
from verifier.state.store import StateStore


_REGISTRY_HINT = (
    "set VERIFIER_REGISTRY to the registry's path (its signature must sit beside it as <path>.minisig), "
    "or sign it with `verifier registry sign`"
)


def read_capped(path: Path, cap: int, *, what: str, hint: str = _REGISTRY_HINT) -> bytes:
    """Read at most ``cap + 1`` bytes (enough for the caller to see the file is too big)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(cap + 1)
    except FileNotFoundError:
        raise RegistryError(f"{what} {path} does not exist; {hint}", code="missing_file", path=str(path)) from None
    except OSError as exc:
        raise RegistryError(
            f"cannot read {what} {path}: {exc.strerror or exc}; check the path and its permissions",
            code="missing_file",
            path=str(path),
        ) from None


def load_registry(
    registry_path: Path | str,
    *,
    now: datetime,
    store: StateStore | None,
    keys: Iterable[TrustedKey] | None = None,
    signature_path: Path | str | None = None,
) -> VerifiedRegistry:
    """Read, verify and (with a ``store``) accept the registry at ``registry_path``.

    ``keys`` defaults to the pinned keys and ``signature_path`` to ``<registry_path>.minisig``.
    Raises a :class:`RegistryError` with a stable code, or :class:`StateError`.
    """
    path = Path(registry_path)
    sig_path = Path(signature_path) if signature_path is not None else Path(f"{path}.minisig")
    trusted = tuple(keys) if keys is not None else pinned_keys()
    raw = read_capped(path, MAX_REGISTRY_BYTES, what="registry file")
    signature = read_capped(sig_path, MAX_SIGNATURE_BYTES, what="signature file")
    verified = verify_registry(raw, signature, keys=trusted, now=now, path=str(path))
    if store is not None:
        store.accept(verified, pinned_key_ids=[k.key_id for k in trusted], now=now)
    return verified


def load_last_accepted(
    store: StateStore, keys: Iterable[TrustedKey] | None, now: datetime
) -> VerifiedRegistry | None:
    """Re-verify the last accepted bytes kept in the state, for a fallback; ``None`` if none.

    The bytes are checked again with today's keys: a state signed by a since-unpinned key
    raises ``unknown_key`` instead of being served.
    """
    stored = store.stored()
    if stored is None or stored.raw is None or stored.signature is None:
        return None
    trusted = tuple(keys) if keys is not None else pinned_keys()
    return verify_registry(stored.raw, stored.signature, keys=trusted, now=now, path=f"{store.path}#registry_state")
