"""Registry updates while serving: the :class:`Reloader`.

Every candidate (the configured file, or the published JSON and its ``.minisig`` fetched from
``VERIFIER_REGISTRY_URL`` with the safe fetcher) goes through the whole trust chain
(signature, strict JSON, schema, dates, trusted comment), is refused if it has already
expired, and then passes the rollback ratchet in SQLite. Only then is the app's
:class:`~verifier.serving.runtime.Loaded` replaced, by one assignment: a request that already holds
the old object finishes with it. A refused candidate leaves the current registry serving,
is logged with its refusal code and is kept as ``last_reload_error`` for ``/readyz``.

Start-up (:func:`open_serving`): the configured file; if it is refused and the state holds
the last accepted bytes, those bytes are verified again and served instead (logged, and
shown as ``last_reload_error`` with ``during: "start"``). With no accepted registry in the
state, the refusal stands and the server does not start.

Triggers (see ``verifier/web/server.py``): gunicorn's SIGHUP starts fresh workers, and each
worker runs :meth:`Reloader.worker_started` before it takes requests (old workers finish
their requests first); ``verifier registry reload`` sends that SIGHUP; polling runs in a
thread of each worker when ``VERIFIER_REGISTRY_POLL_SECONDS`` > 0.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from verifier.check import Verifier, utc_now
from verifier.config import Settings
from verifier.errors import FetchError, RegistryError, StateError
from verifier.serving.logs import log_event
from verifier.state import registry_files as loader
from verifier.registry.schema import format_timestamp
from verifier.registry.trust import (
    MAX_REGISTRY_BYTES,
    MAX_SIGNATURE_BYTES,
    VerifiedRegistry,
    verify_registry,
)
from verifier.serving.runtime import Loaded, open_deep_checker, open_deep_gate
from verifier.state.store import StateStore

#: Content types a published registry or signature may come with.
PUBLISHED_TYPES = (
    "application/json",
    "text/json",
    "text/plain",
    "application/octet-stream",
    "binary/octet-stream",
)


@dataclass(frozen=True, slots=True)
class ReloadError:
    """Why the last candidate was refused; ``during`` is ``start``, ``reload`` or ``poll``."""

    code: str
    message: str
    at: str
    during: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "at": self.at, "during": self.during, "source": self.source}


@dataclass(slots=True)
class ReloadStatus:
    """What ``/readyz`` shows about reloads."""

    source: str = "file"  # where the serving registry came from: file, state (fallback) or url
    last_reload_at: str | None = None
    last_reload_error: ReloadError | None = None
    reloads: int = 0
    refusals: int = 0
    history: list[str] = field(default_factory=list)


def _trusted(keys: Sequence[Any] | None) -> tuple[Any, ...]:
    # ``loader.pinned_keys`` looked up at call time, so tests that pin an ephemeral key apply.
    return tuple(keys) if keys is not None else loader.pinned_keys()


def open_serving(
    settings: Settings, *, keys: Sequence[Any] | None = None, now: datetime | None = None
) -> tuple[Loaded, ReloadError | None]:
    """The registry to serve at start-up: the configured file, or the re-verified fallback.

    Raises the file's ``RegistryError`` when there is nothing accepted to fall back to, and
    ``StateError`` when the state cannot be opened.
    """
    moment = now or utc_now()
    trusted = _trusted(keys)
    with StateStore(settings.database_path) as store:
        try:
            verified = loader.load_registry(settings.registry_path, now=moment, store=store, keys=trusted)
            return Loaded(Verifier(verified.registry), verified), None
        except RegistryError as exc:
            refused = exc
            fallback = _fallback(store, trusted, moment, exc)
            if fallback is None:
                raise
    error = ReloadError(refused.code, refused.message, format_timestamp(moment), "start", "file")
    log_event(
        logging.WARNING, "registry_fallback", code=refused.code, message=refused.message,
        serial=fallback.registry.serial, sha256=fallback.sha256, key_id=fallback.key_id,
    )
    return Loaded(Verifier(fallback.registry), fallback), error


def _fallback(store: StateStore, trusted: tuple[Any, ...], now: datetime, why: RegistryError) -> VerifiedRegistry | None:
    try:
        return loader.load_last_accepted(store, trusted, now)
    except RegistryError as stored_err:
        log_event(
            logging.ERROR, "registry_fallback_refused", code=stored_err.code, message=stored_err.message,
            file_code=why.code,
        )
        return None


def install(app: Any, settings: Settings, loaded: Loaded) -> None:
    """Put ``loaded`` (and the deep check built on it) into the app; each key is one assignment."""
    reported = app.extensions.get("verifier_reported")  # victims' confirmed reports (verifier/state/reports.py)
    if reported is not None and getattr(loaded.verifier, "reported", None) is None:
        loaded.verifier.reported = reported
    # One gate per process, kept across reloads: a reload must not reset the count of reads in flight.
    gate = app.extensions.get("verifier_deep_gate")
    if gate is None:
        gate = app.extensions["verifier_deep_gate"] = open_deep_gate(settings)
    deep = open_deep_checker(settings, loaded.verifier, gate=gate)
    app.extensions["verifier_deep_checker"] = deep
    # The deep page check, as the API and the pages call it (api.DEEP_CHECK_EXTENSION).
    app.extensions["verifier_deep_check"] = lambda text, platform, result, lang: deep.deepen(result).to_dict(lang)
    app.extensions["verifier"] = loaded


class Reloader:
    """Re-runs the trust chain on a candidate and swaps the app's registry on success."""

    def __init__(
        self,
        app: Any,
        settings: Settings,
        *,
        keys: Sequence[Any] | None = None,
        clock: Callable[[], datetime] = utc_now,
        fetcher: Any = None,
        start_error: ReloadError | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.keys = tuple(keys) if keys is not None else None
        self.clock = clock
        self._fetcher = fetcher
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.status = ReloadStatus(source="state" if start_error else "file", last_reload_error=start_error)

    @property
    def current(self) -> Loaded:
        return self.app.extensions["verifier"]

    # -- triggers ---------------------------------------------------------------------------

    def reload_file(self, path: Path | str | None = None, *, during: str = "reload") -> bool:
        """Reload from the configured file (or ``path``); True if a new registry now serves."""
        registry_path = Path(path) if path is not None else self.settings.registry_path
        with self._lock:
            try:
                raw = loader.read_capped(registry_path, MAX_REGISTRY_BYTES, what="registry file")
                signature = loader.read_capped(Path(f"{registry_path}.minisig"), MAX_SIGNATURE_BYTES, what="signature file")
                return self._offer(raw, signature, str(registry_path), during=during, source="file")
            except (RegistryError, StateError) as err:
                self._refused(err.code, err.message, during, "file")
                return False

    def reload_url(self, url: str | None = None, *, during: str = "poll") -> bool:
        """Fetch ``VERIFIER_REGISTRY_URL`` and ``<url>.minisig`` safely and offer them."""
        target = url or self.settings.registry_url
        if not target:
            return False
        with self._lock:
            try:
                raw = self._fetch(target, MAX_REGISTRY_BYTES)
                signature = self._fetch(f"{target}.minisig", MAX_SIGNATURE_BYTES)
                return self._offer(raw, signature, target, during=during, source="url")
            except (RegistryError, StateError, FetchError) as err:
                self._refused(err.code, err.message, during, "url")
                return False

    def worker_started(self) -> None:
        """A fresh worker (gunicorn HUP, or a crash): read the file again; then, if the state
        holds a newer accepted registry than what serves (a refused file, or one taken from
        the URL), serve those bytes, verified again."""
        self.reload_file(during="start")
        with self._lock:
            try:
                with StateStore(self.settings.database_path) as store:
                    stored = loader.load_last_accepted(store, _trusted(self.keys), self.clock())
            except (RegistryError, StateError) as err:
                log_event(logging.ERROR, "registry_fallback_refused", code=err.code, message=err.message)
                return
            file_serial = self.current.verified.registry.serial
            if stored is None or stored.registry.serial <= file_serial:
                return
            install(self.app, self.settings, Loaded(Verifier(stored.registry), stored))
            self.status.source = "state"
            if self.status.last_reload_error is None and not self.settings.registry_url:
                # The file verifies but is older than the accepted registry (often the very
                # bytes this server started with, put back): a rollback on disk, refused like
                # any other, so /readyz tells the operator the file is not what serves.
                self._refused(
                    "rollback",
                    f"{self.settings.registry_path}: serial {file_serial} is older than the accepted serial "
                    f"{stored.registry.serial}; the accepted registry keeps serving (publish a newer serial, "
                    "or `verifier registry forget-floor` for a deliberate downgrade)",
                    "start", "file",
                )
            error = self.status.last_reload_error
            log_event(
                logging.WARNING if error else logging.INFO, "registry_fallback" if error else "registry_from_state",
                code=error.code if error else None, serial=stored.registry.serial, sha256=stored.sha256, key_id=stored.key_id,
            )

    def start_polling(self) -> bool:
        """Poll ``VERIFIER_REGISTRY_URL`` every ``VERIFIER_REGISTRY_POLL_SECONDS`` in a daemon thread."""
        seconds = self.settings.registry_poll_seconds
        if not self.settings.registry_url or seconds <= 0 or self._poller is not None:
            return False

        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    self.reload_url(during="poll")
                except Exception as exc:  # noqa: BLE001 # pragma: no cover - a poller must not die silently
                    log_event(logging.ERROR, "registry_poll_crashed", error=repr(exc)[:300])

        self._poller = threading.Thread(target=loop, name="verifier-registry-poll", daemon=True)
        self._poller.start()
        log_event(logging.INFO, "registry_polling", url=self.settings.registry_url, seconds=seconds)
        return True

    def stop_polling(self) -> None:
        self._stop.set()

    # -- the chain --------------------------------------------------------------------------

    def _offer(self, raw: bytes, signature: bytes, where: str, *, during: str, source: str) -> bool:
        now = self.clock()
        trusted = _trusted(self.keys)
        current = self.current.verified
        if raw == current.raw and signature == current.signature:
            # Nothing new: the same signed bytes are already serving.
            if self.status.last_reload_error is not None and during != "start":
                self.status.last_reload_error = None  # the source holds what serves again
                self.status.source = source
            return False
        verified = verify_registry(raw, signature, keys=trusted, now=now, path=where)
        if verified.is_expired(now):
            raise RegistryError(
                f"{where}: serial {verified.registry.serial} (key {verified.key_id}) expired at "
                f"{verified.registry.expires_at_text}; a reload never installs an expired registry, "
                "re-sign it with `verifier registry sign --bump`",
                code="registry_expired",
            )
        with StateStore(self.settings.database_path) as store:
            store.accept(verified, pinned_key_ids=[k.key_id for k in trusted], now=now)
        old = current
        install(self.app, self.settings, Loaded(Verifier(verified.registry), verified))
        self.status.source = source
        self.status.last_reload_at = format_timestamp(now)
        self.status.last_reload_error = None
        self.status.reloads += 1
        log_event(
            logging.INFO, "registry_reloaded", during=during, source=where,
            serial=verified.registry.serial, previous_serial=old.registry.serial,
            sha256=verified.sha256, key_id=verified.key_id, expires_at=verified.registry.expires_at_text,
        )
        return True

    def _refused(self, code: str, message: str, during: str, source: str) -> None:
        now = self.clock()
        self.status.last_reload_error = ReloadError(code, message, format_timestamp(now), during, source)
        self.status.refusals += 1
        log_event(
            logging.ERROR, "registry_refused", code=code, message=message, during=during, source=source,
            serving_serial=self.current.verified.registry.serial,
        )

    def _fetch(self, url: str, cap: int) -> bytes:
        fetcher = self._fetcher
        if fetcher is None:
            from verifier.deep.fetch import FetchLimits, SafeFetcher

            limits = FetchLimits.with_allowed(
                self.settings.fetch_allowed_networks,
                ports=self.settings.fetch_ports,
                content_types=PUBLISHED_TYPES,
                max_bytes=cap,
                total_seconds=self.settings.fetch_deadline_seconds,
            )
            fetcher = self._fetcher = SafeFetcher(limits)
        page = fetcher.fetch(url)
        if page.status != 200:
            raise FetchError(f"{url} answered HTTP {page.status}, not 200", code="fetch_failed")
        if page.truncated or len(page.body) > cap:
            raise RegistryError(f"{url}: over the {cap}-byte cap", code="too_large")
        return page.body
