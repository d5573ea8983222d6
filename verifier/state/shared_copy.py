"""``verifier db copy-to-shared``: move a node's reports, API keys (and optionally its check
log) from its SQLite file into the shared PostgreSQL database, when a single node becomes
several (README "Several replicas behind a load balancer").

Run once on each node before (or right after) switching it to ``VERIFIER_DATABASE_URL``:

* reports keep their ids (what victims were told); a report already in the shared database
  (same id) is left alone, so running twice, or on several nodes, copies each report once;
* API keys keep working (the same key text: only its SHA-256 is copied); a key already there
  (same hash) is skipped; keys get new ids in the shared database (ids of several nodes would
  collide), which ``verifier apikey list`` shows;
* the check log is copied only with ``--check-log``: its rows have no identity of their own,
  so a second run would count them twice.

Everything is written in one transaction on the shared database: a failure copies nothing.
The source file is only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.state.reports import COLUMNS as REPORT_COLUMNS
from verifier.state.store import SharedStore, StateStore

KEY_COLUMNS = ("name", "prefix", "sha256", "rate_limit", "admin", "created_at", "revoked_at")
LOG_COLUMNS = ("checked_at", "source", "kind", "platform", "value", "verdict", "reasons")
#: Check-log rows per INSERT batch.
BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Copied:
    reports: int
    reports_present: int
    keys: int
    keys_present: int
    check_log: int

    def summary(self) -> str:
        return (
            f"copied {self.reports} report(s) ({self.reports_present} already there), "
            f"{self.keys} API key(s) ({self.keys_present} already there), {self.check_log} check-log row(s)"
        )


def _select(source: StateStore, table: str, columns: tuple[str, ...], order: str) -> list[tuple[Any, ...]]:
    with source.errors("read"):
        return source.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()


def copy_to_shared(source: StateStore, target: SharedStore, *, check_log: bool = False) -> Copied:
    """Copy what ``source`` holds into ``target``; see the module's notes."""
    reports = _select(source, "reports", REPORT_COLUMNS, "created_at, id")
    keys = _select(source, "api_keys", KEY_COLUMNS, "id")
    marks = ", ".join("?" for _ in REPORT_COLUMNS)
    copied_reports = copied_keys = logged = 0
    with target.errors("copy into"), target.transaction():
        for row in reports:
            exists = target.execute("SELECT 1 FROM reports WHERE id = ?", (row[0],)).fetchone()
            if exists is None:
                target.execute(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) VALUES ({marks})", row)
                copied_reports += 1
        if copied_reports:
            # Running services reload their confirmed set when this counter moves.
            target.execute("UPDATE reports_version SET version = version + 1 WHERE id = 1")
        for row in keys:
            if target.execute("SELECT 1 FROM api_keys WHERE sha256 = ?", (row[2],)).fetchone() is None:
                target.insert("api_keys", dict(zip(KEY_COLUMNS, row)))
                copied_keys += 1
        if check_log:
            insert = f"INSERT INTO check_log ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' for _ in LOG_COLUMNS)})"
            with source.errors("read"):
                cursor = source.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM check_log ORDER BY id")
                while batch := cursor.fetchmany(BATCH):
                    target.executemany(insert, batch)
                    logged += len(batch)
    return Copied(copied_reports, len(reports) - copied_reports, copied_keys, len(keys) - copied_keys, logged)
