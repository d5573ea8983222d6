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
from verifier.state.registry_files import load_registry
from verifier.registry.trust import VerifiedRegistry
from verifier.state.store import StateStore

if TYPE_CHECKING:  # pragma: no cover
    from verifier.deep.checker import DeepChecker, DeepGate


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


def open_deep_checker(settings: Settings, verifier: Verifier, *, gate: "DeepGate | None" = None) -> "DeepChecker":
    """The deep check for ``verifier``: the safe fetcher with the configured allowed networks
    and deadline, the page cache in the state database, and (in a server) the process's gate."""
    from verifier.deep.checker import DeepChecker
    from verifier.deep.fetch import FetchLimits, SafeFetcher

    limits = FetchLimits.with_allowed(settings.fetch_allowed_networks, ports=settings.fetch_ports,
                                      total_seconds=settings.fetch_deadline_seconds)
    return DeepChecker(
        verifier,
        SafeFetcher(limits),
        store_factory=lambda: StateStore(settings.database_path),
        cache_seconds=settings.page_cache_seconds,
        gate=gate,
    )


def deep_slots(settings: Settings) -> int:
    """How many deep checks one server process runs at once: ``VERIFIER_DEEP_CONCURRENCY``, but
    always at least one thread fewer than the process has (``VERIFIER_THREADS``), so that page
    reads, however slow, can never occupy every thread: plain checks, ``/healthz`` and
    ``/readyz`` always find a free one. With one thread that is 0: every deep check is refused."""
    return min(settings.deep_concurrency, settings.threads - 1)


def open_deep_gate(settings: Settings) -> "DeepGate":
    from verifier.deep.checker import DeepGate

    # A slot is sure to be free again once the longest read in flight meets its deadline.
    return DeepGate(deep_slots(settings), retry_after=settings.fetch_deadline_seconds)
