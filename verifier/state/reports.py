"""Victims' reports of fake channels: stored, folded, reviewed, exported for the next signing.

A report names a channel (as the victim pasted it), what happened, optionally when and a way
to reach them. The channel is checked at once and stored with its verdict and reason codes.
Maintainers work through the reports (``verifier reports list | show | confirm | reject``); a
confirmed report is answered at once as an impersonation (reason ``reported_confirmed``) and
is exported in the registry's ``impersonations[]`` format for the next signing.

Storage is the ``reports`` table of the node's state database (migration 3 in
:mod:`verifier.state.store`), or of the shared PostgreSQL database (``VERIFIER_DATABASE_URL``,
:mod:`verifier.state.pgstore`):

* fields are whitelisted (:data:`COLUMNS`); no request dict is ever passed to sqlite-utils
  (SECURITY.md #7: an unknown key would be a 500, or with ``alter=True`` a new column);
* every write is one transaction (duplicate folding reads and writes in the same one, under
  ``BEGIN IMMEDIATE`` in SQLite and an advisory lock on the channel's fingerprint in
  PostgreSQL, so two workers or nodes cannot both create "the first" report of a channel);
* a report is answered only after its ``COMMIT`` returned, with ``synchronous=FULL``.

Spam controls here: length caps on every field, and duplicate folding (a report of a channel
that already has an open or confirmed report adds one to its ``duplicate_count`` and answers
with the same id). Rate limits belong to ``verifier/web/limits.py`` (the HTTP layer).

The pure core never imports this module: :class:`ConfirmedReports` is handed to the
``Verifier`` as ``reported`` (a :class:`verifier.check.ReportedFakes`).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from verifier.check import FakeKey, Verifier, fake_key
from verifier.classify import MAX_INPUT, classify
from verifier.errors import InvalidInputError, VerifierError
from verifier.model import Result
from verifier.registry.index import RegistryIndex
from verifier.registry.schema import format_timestamp
from verifier.state.store import SharedStore, StateStore, open_shared

MAX_CHANNEL = MAX_INPUT
MAX_WHAT_HAPPENED = 2000
MAX_HAPPENED_AT = 40
MAX_CONTACT = 200
MAX_NOTE = 1024
MAX_PLATFORM = 64
STATUSES = ("open", "confirmed", "rejected")
# Statuses a new report of the same channel is folded into (a rejected one may turn bad later).
FOLD_INTO = ("open", "confirmed")
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/1/i/l/o: read aloud or typed from a screen
ID_LENGTH = 10  # ~49 bits
_ID_SHAPE = re.compile(f"[{ID_ALPHABET}]{{{ID_LENGTH}}}")
#: Seconds a running service trusts its confirmed set before looking at the version row again.
REFRESH_SECONDS = 1.0
#: After the store failed, how long the confirmed set is kept before the store is tried again.
FAILURE_BACKOFF_SECONDS = 15.0

COLUMNS = (
    "id", "created_at", "channel", "kind", "normalized", "platform", "verdict", "reasons", "what_happened",
    "happened_at", "contact", "status", "decided_at", "note", "duplicate_count", "fingerprint",
)


class ReportError(VerifierError):
    """A maintainer's command on a report that cannot be done (the message says why)."""


class ReportNotFoundError(ReportError):
    status = 404

    def __init__(self, report_id: str) -> None:
        super().__init__(
            f"no report with id {report_id!r}; check the id answered when the report was made "
            "(maintainers: `verifier reports list` shows them)",
            code="report_not_found",
        )


class OfficialChannelReportError(ReportError):
    status = 409


@dataclass(frozen=True, slots=True)
class Report:
    """One stored report (one row of ``reports``)."""

    id: str
    created_at: str
    channel: str
    kind: str
    normalized: str
    platform: str | None
    verdict: str
    reasons: tuple[str, ...]
    what_happened: str
    happened_at: str | None
    contact: str | None
    status: str
    decided_at: str | None
    note: str | None
    duplicate_count: int
    fingerprint: str

    @classmethod
    def from_row(cls, row: Iterable[Any]) -> Report:
        values = dict(zip(COLUMNS, row))
        values["reasons"] = tuple(filter(None, str(values["reasons"]).split(",")))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {name: (list(self.reasons) if name == "reasons" else getattr(self, name)) for name in COLUMNS}

    def status_dict(self) -> dict[str, Any]:
        """What the reporter (or their help desk) may see by the report's id: the state of the
        review and of the channel, never what anyone wrote (what happened, contact, note)."""
        return {
            "id": self.id, "status": self.status, "kind": self.kind, "value": self.normalized,
            "platform": self.platform, "created_at": self.created_at, "decided_at": self.decided_at,
            "reports": self.duplicate_count + 1,
        }


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a submission answers: the stored report, whether it was folded, the check."""

    report: Report
    duplicate: bool
    result: Result


class FieldError(InvalidInputError):
    """A report field refused: ``field`` names it, ``cap`` is its limit (the form says so in the
    person's language; the API's problem+json keeps the English message)."""

    def __init__(self, message: str, *, code: str, field: str, cap: int) -> None:
        super().__init__(message, code=code)
        self.field, self.cap = field, cap


def _text(value: str | None, name: str, cap: int, *, required: bool = False) -> str | None:
    if value is None or not value.strip():
        if required:
            raise FieldError(f"{name!r} is empty; say in a few words what happened", code="invalid_field", field=name, cap=cap)
        return None
    if len(value) > cap:
        raise FieldError(f"{name!r} is {len(value)} characters long; at most {cap} allowed", code="field_too_long",
                         field=name, cap=cap)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value) or "\x00" in value:
        raise FieldError(f"{name!r} holds characters that are not text", code="invalid_text", field=name, cap=cap)
    return value.strip()


def _new_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def fingerprint(key: FakeKey) -> str:
    """SHA-256 of the normalised (kind, platform, value): one per channel, however written."""
    kind, platform, value = key
    return hashlib.sha256(f"{kind}\x00{platform or ''}\x00{value}".encode()).hexdigest()


def channel_key(text: str, platform: str | None) -> tuple[FakeKey, bool]:
    """The report key of a channel, and whether it can ever be confirmed (exported).

    A handle given without its platform cannot be (``impersonations[]`` needs the platform);
    its reports are still stored and folded, under (handle, none, key)."""
    item = classify(text, platform=platform)
    key = fake_key(item)
    if key is None:
        return (item.kind if item.kind != "url" else "domain", None, item.key), False
    return key, True


class ReportBook:
    """The reports of one store (a SQLite path or a PostgreSQL URL). Thread-safe: one
    connection per thread, opened in the process that uses it (never across a fork)."""

    def __init__(self, where: Path | str) -> None:
        self.where = where  # open_shared tells a URL from a path
        self._local = threading.local()

    def _store(self) -> SharedStore:
        store = getattr(self._local, "store", None)
        if store is None or self._local.pid != os.getpid():
            store = open_shared(self.where)
            if isinstance(store, StateStore):
                # WAL with synchronous=NORMAL (a common choice) survives a killed process but
                # can lose the last commits on power loss: the WAL is not fsynced at COMMIT. A
                # 201 is a promise to a victim that the report is kept, so this connection
                # syncs the WAL on every commit (FULL). Per connection: the registry and cache
                # paths keep theirs. (PostgreSQL's COMMIT is durable with its defaults.)
                store.execute("PRAGMA synchronous=FULL")
            self._local.store, self._local.pid = store, os.getpid()
        return store

    # -- victims --------------------------------------------------------------------------

    def submit(
        self,
        verifier: Verifier,
        *,
        channel: str,
        what_happened: str,
        happened_at: str | None = None,
        contact: str | None = None,
        platform: str | None = None,
        now: datetime,
    ) -> Submitted:
        """Check ``channel``, then store the report or fold it into the open one for the channel.

        Raises ``InvalidInputError`` (an uncheckable channel answers its own code, a field over
        its cap ``field_too_long``) or ``StateError``. Returns after the COMMIT.
        """
        if len(channel) > MAX_CHANNEL:
            raise InvalidInputError(f"channel of {len(channel)} characters; at most {MAX_CHANNEL} allowed", code="input_too_long")
        if platform is not None and len(platform) > MAX_PLATFORM:
            raise InvalidInputError(f"platform of {len(platform)} characters; at most {MAX_PLATFORM} allowed", code="field_too_long")
        what = _text(what_happened, "what_happened", MAX_WHAT_HAPPENED, required=True)
        when = _text(happened_at, "happened_at", MAX_HAPPENED_AT)
        reach = _text(contact, "contact", MAX_CONTACT)
        result = verifier.check(channel, platform=platform)  # InvalidInputError: its own code
        key, _ = channel_key(channel, platform)
        print_ = fingerprint(key)
        store = self._store()
        with store.errors("store a report in"), store.transaction(lock=print_):
            found = store.execute(
                "SELECT id FROM reports WHERE fingerprint = ? AND status IN (?, ?) ORDER BY created_at LIMIT 1",
                (print_, *FOLD_INTO),
            ).fetchone()
            if found is not None:
                store.execute("UPDATE reports SET duplicate_count = duplicate_count + 1 WHERE id = ?", (found[0],))
                report_id, duplicate = found[0], True
            else:
                report_id, duplicate = _new_id(), False
                record = {  # the whitelist: every column named here, nothing from the request
                    "id": report_id,
                    "created_at": format_timestamp(now),
                    # The check ignores NULs; PostgreSQL text cannot hold them: keep what was checked.
                    "channel": channel.replace("\x00", ""),
                    "kind": key[0],
                    "normalized": key[2],
                    "platform": key[1],
                    "verdict": result.verdict,
                    "reasons": ",".join(r.code for r in result.reasons),
                    "what_happened": what,
                    "happened_at": when,
                    "contact": reach,
                    "status": "open",
                    "decided_at": None,
                    "note": None,
                    "duplicate_count": 0,
                    "fingerprint": print_,
                }
                store.insert("reports", record)
            row = self._row(store, report_id)
        assert row is not None
        return Submitted(row, duplicate, result)

    # -- maintainers ----------------------------------------------------------------------

    @staticmethod
    def _row(store: SharedStore, report_id: str) -> Report | None:
        row = store.execute(f"SELECT {', '.join(COLUMNS)} FROM reports WHERE id = ?", (report_id,)).fetchone()
        return Report.from_row(row) if row is not None else None

    def get(self, report_id: str) -> Report:
        if not _ID_SHAPE.fullmatch(report_id):
            raise ReportNotFoundError(report_id[:40])  # not one of ours: no database round trip
        store = self._store()
        with store.errors("read"):
            found = self._row(store, report_id)
        if found is None:
            raise ReportNotFoundError(report_id)
        return found

    def list(self, status: str | None = None) -> list[Report]:
        """Reports, oldest first; of one status if given."""
        store = self._store()
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        with store.errors("read"):
            rows = store.execute(f"SELECT {', '.join(COLUMNS)} FROM reports {where} ORDER BY created_at, id", params)
            return [Report.from_row(r) for r in rows]

    def decide(self, report_id: str, status: str, *, verifier: Verifier, note: str | None, now: datetime) -> Report:
        """Confirm or reject a report (``status``), with an optional note.

        Confirming a channel that is a registry channel (official or retired, or under an
        official domain) is refused: a report can never override the signed registry.
        """
        if status not in ("confirmed", "rejected"):
            raise ValueError(status)
        note = _text(note, "note", MAX_NOTE)
        report = self.get(report_id)
        if status == "confirmed":
            _, exportable = channel_key(report.channel, report.platform if report.kind == "handle" else None)
            if not exportable:
                raise ReportError(
                    f"report {report_id} names a handle without its platform ({report.normalized!r}); it cannot be "
                    "confirmed: reject it, and ask for the profile link",
                    code="report_not_exportable",
                )
            match = verifier.index.find_channel(classify(report.channel, platform=report.platform))
            if match is not None:
                raise OfficialChannelReportError(
                    f"report {report_id} names {report.normalized!r}, which is the registry channel "
                    f"{match.channel.id!r} ({match.channel.status}); a report can never override the signed "
                    "registry: reject the report, or change the registry and sign it",
                    code="official_channel_report",
                )
        store = self._store()
        with store.errors("update"), store.transaction():
            store.execute(
                "UPDATE reports SET status = ?, decided_at = ?, note = ? WHERE id = ?",
                (status, format_timestamp(now), note, report_id),
            )
            store.execute("UPDATE reports_version SET version = version + 1 WHERE id = 1")
            decided = self._row(store, report_id)
        assert decided is not None
        return decided

    def prune(self, *, days: int, now: datetime) -> tuple[int, int]:
        """Retention of what victims wrote, for reports decided more than ``days`` days ago.

        Rejected reports are deleted. Confirmed ones lose the victim's words (what happened,
        the contact) and keep the channel, its dates, verdict and review note, so the
        confirmed set and the export are unchanged. Open reports wait for review, untouched.
        Returns ``(deleted, redacted)``.
        """
        if days < 1:
            raise InvalidInputError("keep decided reports at least one day (--days 1 or more)", code="invalid_field")
        cutoff = format_timestamp(now - timedelta(days=days))
        store = self._store()
        with store.errors("update"), store.transaction():
            deleted = store.execute(
                "DELETE FROM reports WHERE status = 'rejected' AND decided_at < ?", (cutoff,)
            ).rowcount
            redacted = store.execute(
                "UPDATE reports SET what_happened = '', contact = NULL WHERE status = 'confirmed' AND decided_at < ? "
                "AND (what_happened != '' OR contact IS NOT NULL)",
                (cutoff,),
            ).rowcount
        return deleted, redacted

    def confirmed(self) -> tuple[int, dict[FakeKey, str]]:
        """The version counter and the confirmed set: key → date of the first report."""
        store = self._store()
        with store.errors("read"):
            version = self.version()
            rows = store.execute(
                "SELECT kind, platform, normalized, min(created_at) FROM reports WHERE status = 'confirmed' "
                "GROUP BY kind, platform, normalized"
            ).fetchall()
        return version, {(k, p, v): first[:10] for k, p, v, first in rows}

    def version(self) -> int:
        store = self._store()
        with store.errors("read"):  # a lost connection is a StateError here too, never a raw driver error
            row = store.execute("SELECT version FROM reports_version WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def export(self, *, evidence: str, note: str | None = None, status: str = "confirmed") -> list[dict[str, Any]]:
        """``impersonations[]`` entries for the next signing (one per channel).

        ``evidence`` (an https:// URL: the schema requires one) and ``note`` apply to every
        entry; without ``note``, each report's own review note, else a standard sentence.
        Nothing a victim wrote (what happened, contact) is exported.
        """
        if not evidence.startswith("https://") or len(evidence) > 2048:
            raise InvalidInputError(f"--evidence must be an https:// URL, got {evidence[:100]!r}", code="invalid_field")
        entries: dict[FakeKey, dict[str, Any]] = {}
        for report in self.list(status):
            key = (report.kind, report.platform, report.normalized)
            if key in entries:
                continue  # oldest first: the first report gives first_seen
            entries[key] = {
                "kind": report.kind,
                "value": report.normalized,
                **({"platform": report.platform} if report.kind == "handle" else {}),
                "first_seen": report.created_at[:10],
                "evidence": evidence,
                "note": (note or report.note or f"Reported by victims from {report.created_at[:10]}; confirmed by review.")[:MAX_NOTE],
            }
        return list(entries.values())


class ConfirmedReports:
    """The confirmed set for a running Verifier (``Verifier.reported``), refreshed cheaply.

    ``version()`` is on every check's path: it looks at the ``reports_version`` row at most
    every ``refresh_seconds`` and reloads the set only when the counter moved. A failing
    database keeps the last set (checks must not fail because the report store does).
    """

    def __init__(self, book: ReportBook, *, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.book = book
        self.refresh_seconds = refresh_seconds
        self._version = -1
        self._entries: dict[FakeKey, str] = {}
        self._next = 0.0
        self._lock = threading.Lock()

    def version(self) -> int:
        if time.monotonic() >= self._next and self._lock.acquire(blocking=False):
            try:
                self._refresh()
            finally:
                self._lock.release()
        return self._version

    def _refresh(self) -> None:
        self._next = time.monotonic() + self.refresh_seconds
        try:
            if self.book.version() == self._version:
                return
            version, entries = self.book.confirmed()
        except VerifierError:
            # The store is down: keep the last set, and do not make a request wait on a dead
            # database (up to pgstore.CONNECT_TIMEOUT) every refresh_seconds.
            self._next = time.monotonic() + max(self.refresh_seconds, FAILURE_BACKOFF_SECONDS)
            return
        # Normalise as the registry does, so a confirmed key is the one a check looks up.
        keyed: dict[FakeKey, str] = {}
        for (kind, platform, value), first in entries.items():
            try:
                keyed[RegistryIndex._key(kind, platform, value, "reports")] = first
            except VerifierError:
                continue
        self._entries = keyed
        self._version = version

    def find(self, key: FakeKey) -> str | None:
        return self._entries.get(key)


def attach(verifier: Verifier, where: Path | str, *, refresh_seconds: float = REFRESH_SECONDS) -> ReportBook:
    """Give ``verifier`` the confirmed reports of the store at ``where``; return the book."""
    book = ReportBook(where)
    verifier.reported = ConfirmedReports(book, refresh_seconds=refresh_seconds)
    return book
