"""Wiring for the presenters: settings → verified registry (with the rollback floor) → Verifier.

The CLI and the web app both start here, so "a registry that fails verification stops the
service and makes ``verifier check`` exit non-zero" holds in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Sequence

from verifier.check import Verifier, utc_now
from verifier.config import Settings
from verifier.registry.loader import load_registry
from verifier.registry.trust import VerifiedRegistry
from verifier.store import StateStore

if TYPE_CHECKING:  # pragma: no cover
    from verifier.deep import DeepChecker


@dataclass(frozen=True, slots=True)
class Loaded:
    verifier: Verifier
    verified: VerifiedRegistry


def open_verifier(
    settings: Settings,
    *,
    now: datetime | None = None,
    keys: Sequence[object] | None = None,
    store: StateStore | None = None,
) -> Loaded:
    """Verify the configured registry (signature, schema, rollback floor) and build a Verifier.

    Raises ``RegistryError`` (refused registry) or ``StateError`` (state not writable).
    """
    moment = now or utc_now()
    if store is not None:
        verified = load_registry(settings.registry_path, now=moment, store=store, keys=keys)
    else:
        with StateStore(settings.database_path) as own:
            verified = load_registry(settings.registry_path, now=moment, store=own, keys=keys)
    return Loaded(Verifier(verified.registry), verified)


def open_deep_checker(settings: Settings, verifier: Verifier) -> "DeepChecker":
    """The deep check for ``verifier``: the safe fetcher with the configured allowed networks,
    and the page cache in the state database."""
    from verifier.deep import DeepChecker
    from verifier.fetch import FetchLimits, SafeFetcher

    limits = FetchLimits.with_allowed(settings.fetch_allowed_networks, ports=settings.fetch_ports)
    return DeepChecker(
        verifier,
        SafeFetcher(limits),
        store_factory=lambda: StateStore(settings.database_path),
        cache_seconds=settings.page_cache_seconds,
    )
