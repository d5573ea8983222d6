"""The check log: what was checked and what the answer was, for ``verifier stats`` and
``GET /api/v1/admin/stats`` (the early warning of a new campaign).

Each row: time (UTC, to the second), source (``api``, ``batch``, ``web``), kind, platform, the
*normalised* value, verdict and reason codes. Never the client's IP, never the raw input, never
a pasted message (``/scan`` and the web page's message view are not logged item by item: a
victim's message can hold their own addresses), and no value for kinds in
:data:`VALUE_NOT_KEPT` (a wallet address checked is as likely the victim's own as a
scammer's). A URL's normalised value is its host, so paths and query strings are not kept.

Off the request path: :meth:`CheckLog.record` appends a tuple to an in-process deque (about a
microsecond); a daemon thread per process writes what is pending every
:data:`FLUSH_SECONDS` in one ``executemany`` transaction (SQLite in WAL mode). A single INSERT
per request costs a write transaction (and the lock) on every check; ``bench/checklog.py``
measures both. Up to :data:`MAX_PENDING` rows wait; beyond that new rows are dropped and
counted (a stalled disk must not grow memory or slow checks). Rows a failed write could not
store go back to the queue for the next flush (a shared PostgreSQL restarting loses nothing).
What is pending is written at exit; a process killed with SIGKILL loses at most the last
``FLUSH_SECONDS`` of rows.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from verifier.errors import StateError
from verifier.state.store import SharedStore, open_shared

log = logging.getLogger("verifier.state.checklog")

SOURCES = ("api", "batch", "web")
#: Kinds whose value is not kept (only kind, verdict and reasons).
VALUE_NOT_KEPT = frozenset({"wallet_address"})
#: Verdicts whose values ``stats`` ranks: the campaigns worth a maintainer's look.
WATCHED_VERDICTS = ("impersonation", "suspicious")
VERDICTS = ("official", "retired", "impersonation", "suspicious", "not_official", "unverified")
MAX_VALUE = 255
FLUSH_SECONDS = 0.5
MAX_PENDING = 50_000
EXTENSION = "verifier_check_log"
_INSERT = ("INSERT INTO check_log (checked_at, source, kind, platform, value, verdict, reasons) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)")


def _row(result: Any, source: str, moment: float) -> tuple:
    """The stored fields of one result: a fixed tuple, never a dict from a request."""
    value = None if result.kind in VALUE_NOT_KEPT else (result.normalized or "")[:MAX_VALUE]
    reasons = " ".join(r.code for r in result.reasons)
    return (moment, source, result.kind, result.platform, value, result.verdict, reasons)


def _timestamp(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class CheckLog:
    """A per-process queue of check rows and the thread that writes them."""

    def __init__(self, database: Path | str, *, flush_seconds: float = FLUSH_SECONDS, max_pending: int = MAX_PENDING) -> None:
        self.database = database
        self.flush_seconds = flush_seconds
        self.max_pending = max_pending
        self.dropped = 0
        self.written = 0
        self._pending: deque[tuple] = deque()
        self._lock = threading.Lock()  # one writer at a time (the thread, or flush())
        self._pid = 0
        self._store: SharedStore | None = None
        self._wake = threading.Event()

    def record(self, result: Any, source: str) -> None:
        """Queue one result (a :class:`verifier.model.Result`); never raises, never blocks."""
        if self._pid != os.getpid():
            self._start()
        if len(self._pending) >= self.max_pending:
            self.dropped += 1
            return
        self._pending.append(_row(result, source, time.time()))

    def _start(self) -> None:
        # Started in the process that records: a thread (and a connection) does not survive
        # gunicorn's fork of the pre-loaded app.
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._store = None
            self._pending.clear()
            threading.Thread(target=self._run, name="check-log-writer", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()

    def flush(self) -> int:
        """Write every pending row now; returns how many were written."""
        with self._lock:
            rows = []
            while self._pending:
                try:
                    rows.append(self._pending.popleft())
                except IndexError:  # pragma: no cover - emptied meanwhile
                    break
            if not rows:
                return 0
            try:
                if self._store is None:
                    self._store = open_shared(self.database)
                store = self._store
                stamps: dict[int, str] = {}  # rows of one batch share a few seconds: format each once
                for_db = []
                for r in rows:
                    second = int(r[0])
                    stamp = stamps.get(second) or stamps.setdefault(second, _timestamp(second))
                    for_db.append((stamp, *r[1:]))
                with store.errors("write the check log to"), store.transaction():
                    store.executemany(_INSERT, for_db)
            except StateError as err:
                # Kept for the next flush, as many as fit (newest first out of the queue's
                # room): a database restarting for a few seconds loses no rows; one that stays
                # down costs at most MAX_PENDING rows of memory.
                room = max(self.max_pending - len(self._pending), 0)
                kept = rows[-room:] if room else []
                self._pending.extendleft(reversed(kept))
                self.dropped += len(rows) - len(kept)
                log.warning("check log: %d rows not written yet (%d kept for the next try): %s",
                            len(rows), len(kept), err.message)
                return 0
            self.written += len(rows)
            return len(rows)


def init_app(app: Any, settings: Any) -> None:
    """Give the app a check log unless ``VERIFIER_CHECK_LOG=off``."""
    if not settings.check_log:
        return
    check_log = CheckLog(settings.shared_database)
    app.extensions[EXTENSION] = check_log
    atexit.register(check_log.flush)


def record(result: Any, source: str) -> None:
    """Log ``result`` in the current app's check log, if it has one (request handlers call this)."""
    from flask import current_app

    check_log = current_app.extensions.get(EXTENSION)
    if check_log is not None:
        check_log.record(result, source)


# -- statistics -----------------------------------------------------------------------------------


def prune(store: SharedStore, *, days: int, now: datetime | None = None) -> int:
    """Delete check-log rows older than ``days`` days; returns how many went (retention)."""
    if days < 1:
        raise ValueError("keep at least one day of the check log")
    moment = now or datetime.now(UTC)
    cutoff = _timestamp((moment - timedelta(days=days)).timestamp())
    with store.errors("update"), store.transaction():
        return store.execute("DELETE FROM check_log WHERE checked_at < ?", (cutoff,)).rowcount


def stats(store: SharedStore, *, days: int = 1, now: datetime | None = None, top: int = 20) -> dict[str, Any]:
    """Counts by verdict and the most checked impersonations/suspicious values since ``days`` ago."""
    moment = now or datetime.now(UTC)
    since = _timestamp((moment - timedelta(days=days)).timestamp())
    with store.errors("read"):
        by_verdict = dict.fromkeys(VERDICTS, 0)
        for verdict, count in store.execute(
            "SELECT verdict, COUNT(*) FROM check_log WHERE checked_at >= ? GROUP BY verdict", (since,)
        ):
            by_verdict[verdict] = count
        marks = ", ".join("?" for _ in WATCHED_VERDICTS)
        rows = store.execute(
            f"SELECT value, kind, platform, verdict, COUNT(*) AS n, MAX(reasons), MIN(checked_at), MAX(checked_at) "
            f"FROM check_log WHERE checked_at >= ? AND verdict IN ({marks}) AND value IS NOT NULL "
            f"GROUP BY value, kind, platform, verdict ORDER BY n DESC, MAX(checked_at) DESC, value LIMIT ?",
            (since, *WATCHED_VERDICTS, top),
        ).fetchall()
    return {
        "days": days,
        "since": since,
        "total": sum(by_verdict.values()),
        "by_verdict": by_verdict,
        "top": [
            {"value": r[0], "kind": r[1], "platform": r[2], "verdict": r[3], "count": r[4],
             "reasons": r[5].split(), "first_seen": r[6], "last_seen": r[7]}
            for r in rows
        ],
    }


def render_stats(data: dict[str, Any]) -> str:
    """``verifier stats`` as text: counts by verdict, then the ranking."""
    lines = [f"Checks since {data['since']} (last {data['days']} day{'s' if data['days'] != 1 else ''}): {data['total']}"]
    lines.extend(f"  {verdict:14s} {count:8d}" for verdict, count in data["by_verdict"].items())
    if data["top"]:
        lines.append("Most checked impersonations and suspicious values:")
        for entry in data["top"]:
            kind = entry["kind"] if not entry["platform"] else f"{entry['kind']}:{entry['platform']}"
            lines.append(f"  {entry['count']:6d}  {entry['verdict']:13s}  {kind:14s}  {entry['value']}  "
                         f"[{', '.join(entry['reasons'])}]  last {entry['last_seen']}")
    else:
        lines.append("No impersonations or suspicious values checked in this period.")
    return "\n".join(lines)


def rows(store: SharedStore) -> Iterable[dict[str, Any]]:
    """Every row, oldest first (tests and exports)."""
    columns = ("id", "checked_at", "source", "kind", "platform", "value", "verdict", "reasons")
    with store.errors("read"):
        for row in store.execute(f"SELECT {', '.join(columns)} FROM check_log ORDER BY id"):
            yield dict(zip(columns, row))
