"""Local state in SQLite (``VERIFIER_DATA_DIR/verifier.sqlite3``): the registry rollback floor.

One row in ``registry_state`` holds the highest accepted serial, its SHA-256 and key id, and
the accepted bytes and signature (for a re-verified fallback). Later features add tables
through :data:`MIGRATIONS`; ``schema_migrations`` records which ones ran.

Reports, API keys and the check log use only the small surface ``errors`` / ``transaction``
/ ``execute`` / ``executemany`` / ``insert``, which :class:`verifier.state.pgstore.PostgresStore`
offers too: :func:`open_shared` picks this file or a shared PostgreSQL database
(``VERIFIER_DATABASE_URL``). The registry state and the page cache are always this node's.

Several gunicorn workers may load the registry at once, so :meth:`StateStore.accept` reads
the floor, checks and writes inside one ``BEGIN IMMEDIATE`` transaction: the second writer
waits for the first and then sees its row. Every SQLite or file-system failure becomes a
:class:`StateError` naming the file and the way out.
"""

from __future__ import annotations

import json

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ContextManager, Iterable, Iterator, Protocol


from verifier.errors import StateError
from verifier.registry.schema import format_timestamp
from verifier.state.shared_schema import ddl
from verifier.registry.trust import (
    MIN_REGISTRY_SERIAL,
    StoredState,
    VerifiedRegistry,
    check_rollback,
    compute_floor,
    effective_stored,
)

#: Seconds a writer waits for another worker's transaction before giving up.
BUSY_TIMEOUT = 30.0

#: (version, name, SQL). Append only: a released migration is never edited.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "registry_state",
        """
        CREATE TABLE registry_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            serial INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            key_id TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            accepted_at TEXT NOT NULL,
            raw BLOB,
            signature BLOB
        )
        """,
    ),
    (
        2,
        "page_cache",
        """
        CREATE TABLE page_cache (
            url TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            outcome TEXT NOT NULL
        )
        """,
    ),
    # The tables that may live in PostgreSQL instead (VERIFIER_DATABASE_URL): one definition.
    (3, "reports", ddl("reports", "sqlite")),
    (4, "api_keys", ddl("api_keys", "sqlite")),
    (5, "check_log", ddl("check_log", "sqlite")),
)


class SharedStore(Protocol):
    """What reports, API keys and the check log need of a store (SQLite or PostgreSQL)."""

    label: str

    def errors(self, action: str) -> ContextManager[None]: ...
    def transaction(self, lock: str | None = None) -> ContextManager[None]: ...
    def execute(self, statement: str, params: Iterable[Any] = ()) -> Any: ...
    def executemany(self, statement: str, rows: Iterable[Iterable[Any]]) -> None: ...
    def insert(self, table: str, record: dict[str, Any], *, returning: str | None = None) -> Any: ...
    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> None: ...


_WAY_OUT = "make that directory writable, or set VERIFIER_DATA_DIR to a writable directory"


class StateStore:
    """The SQLite state file; opens (and migrates) it on construction."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        with self._errors("open"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; sqlite-utils nests
            # its own writes as savepoints inside it.
            self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
            if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.conn.execute("PRAGMA journal_mode=wal")
            self._migrate()
        self._db = None
        self.label = str(self.path)

    @property
    def db(self):  # -> sqlite_utils.Database
        """sqlite-utils over the same connection, for tables written from request data.

        Imported on first use: the registry path (every start-up) needs only plain SQL, and
        sqlite-utils costs ~80 ms to import.
        """
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    # -- the surface shared with verifier.state.pgstore.PostgresStore (reports, keys, check log) ----

    def errors(self, action: str) -> ContextManager[None]:
        """SQLite and file-system failures inside become a ``StateError`` naming the file."""
        return self._errors(action)

    def transaction(self, lock: str | None = None) -> ContextManager[None]:
        """One write transaction. ``lock`` is for PostgreSQL: BEGIN IMMEDIATE already
        serialises every writer of this file."""
        return self._immediate()

    def execute(self, statement: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(statement, tuple(params))

    def executemany(self, statement: str, rows: Iterable[Iterable[Any]]) -> None:
        self.conn.executemany(statement, rows)

    def insert(self, table: str, record: dict[str, Any], *, returning: str | None = None) -> Any:
        """Insert one whitelisted record with sqlite-utils (a savepoint inside our transaction)."""
        inserted = self.db[table].insert(record)
        return inserted.last_pk if returning else None

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"cannot {action} the state database {self.path}: {exc}; {_WAY_OUT}", code="state_unavailable") from None

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        """One write transaction, taken up front so concurrent writers serialise."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        if self._pending_versions() == set():
            return  # the common case: no write lock needed just to open the state
        with self._immediate():
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in self.conn.execute("SELECT version FROM schema_migrations")}
            for version, name, sql in MIGRATIONS:
                if version not in done:
                    # A migration may hold several statements (a table and its index), split on
                    # ";": executescript() would commit in the middle of this transaction.
                    for statement in sql.split(";"):
                        if statement.strip():
                            self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, format_timestamp(datetime.now().astimezone())),
                    )

    def _pending_versions(self) -> set[int] | None:
        """Versions not applied yet; ``None`` if the bookkeeping table does not exist."""
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if not exists:
            return None
        done = {row[0] for row in self.conn.execute("SELECT version FROM schema_migrations")}
        return {version for version, _, _ in MIGRATIONS} - done

    def migrations(self) -> list[tuple[int, str]]:
        """The applied migrations, as ``(version, name)``."""
        with self._errors("read"):
            return [(r[0], r[1]) for r in self.conn.execute("SELECT version, name FROM schema_migrations ORDER BY version")]

    def _read(self) -> StoredState | None:
        row = self.conn.execute(
            "SELECT serial, sha256, key_id, issued_at, accepted_at, raw, signature FROM registry_state WHERE id = 1"
        ).fetchone()
        if row is None:
            return None
        return StoredState(
            serial=row[0],
            sha256=row[1],
            key_id=row[2],
            issued_at=row[3],
            accepted_at=row[4],
            raw=bytes(row[5]) if row[5] is not None else None,
            signature=bytes(row[6]) if row[6] is not None else None,
        )

    def stored(self) -> StoredState | None:
        """The accepted-registry row, or ``None`` on a fresh install (or after forget_floor)."""
        with self._errors("read"):
            return self._read()

    def check(self, verified: VerifiedRegistry, *, pinned_key_ids: Iterable[str], min_serial: int = MIN_REGISTRY_SERIAL) -> None:
        """The rollback check alone, without recording anything (``verifier registry verify``)."""
        pinned = tuple(pinned_key_ids)
        current = effective_stored(self.stored(), pinned)
        check_rollback(verified, compute_floor(min_serial, current, pinned), current)

    def accept(
        self,
        verified: VerifiedRegistry,
        *,
        pinned_key_ids: Iterable[str],
        min_serial: int = MIN_REGISTRY_SERIAL,
        now: datetime,
    ) -> None:
        """Check ``verified`` against the floor and record it, atomically.

        Raises :class:`RegistryRollbackError` (nothing is written) or :class:`StateError`.
        """
        pinned = tuple(pinned_key_ids)
        with self._errors("update"), self._immediate():
            current = effective_stored(self._read(), pinned)
            check_rollback(verified, compute_floor(min_serial, current, pinned), current)
            if current is not None and (current.serial, current.sha256) == (verified.registry.serial, verified.sha256):
                return  # the same document again (every start-up): nothing to write
            self.conn.execute(
                "INSERT INTO registry_state (id, serial, sha256, key_id, issued_at, accepted_at, raw, signature) "
                "VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET serial = excluded.serial, "
                "sha256 = excluded.sha256, key_id = excluded.key_id, issued_at = excluded.issued_at, "
                "accepted_at = excluded.accepted_at, raw = excluded.raw, signature = excluded.signature",
                (
                    verified.registry.serial,
                    verified.sha256,
                    verified.key_id,
                    verified.registry.issued_at_text,
                    format_timestamp(now),
                    verified.raw,
                    verified.signature,
                ),
            )

    def forget_floor(self) -> StoredState | None:
        """Delete the accepted-registry row (an explicit operator downgrade); return what it held."""
        with self._errors("update"), self._immediate():
            removed = self._read()
            self.conn.execute("DELETE FROM registry_state WHERE id = 1")
            return removed

    def backup(self, destination: Path | str) -> int:
        """A consistent copy of the whole state file at ``destination`` while others keep
        writing (SQLite's online backup; the WAL's committed pages included); returns its size.

        Refuses to overwrite an existing file: a backup never replaces another by accident."""
        target = Path(destination)
        if target.exists():
            raise StateError(f"{target} already exists; give a new file name for the backup", code="backup_exists")
        with self._errors("back up"):
            target.parent.mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(str(target))
            try:
                self.conn.backup(copy)
                ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
        if ok != "ok":  # pragma: no cover - SQLite's own copy failing its own check
            raise StateError(f"the backup at {target} fails SQLite's integrity check: {ok}", code="state_unavailable")
        return target.stat().st_size

    # -- the deep check's page cache ------------------------------------------------------------

    def cached_page(self, url: str, now: datetime) -> dict | None:
        """The stored outcome of reading ``url`` (a JSON object), if still fresh."""
        with self._errors("read"):
            row = self.conn.execute(
                "SELECT outcome, expires_at FROM page_cache WHERE url = ?", (url,)
            ).fetchone()
        if row is None or row[1] <= format_timestamp(now):
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None  # a damaged row is a cache miss, not an error
        return value if isinstance(value, dict) else None

    def cache_page(self, url: str, outcome: dict, *, now: datetime, ttl_seconds: int) -> None:
        """Store what reading ``url`` gave (the page summary and facts, never the page body)."""
        expires = now + timedelta(seconds=ttl_seconds)
        with self._errors("update"):
            self.conn.execute(
                "INSERT INTO page_cache (url, fetched_at, expires_at, outcome) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, "
                "expires_at = excluded.expires_at, outcome = excluded.outcome",
                (url, format_timestamp(now), format_timestamp(expires), json.dumps(outcome, ensure_ascii=False)),
            )


def open_shared(where: Path | str) -> SharedStore:
    """The store of reports, API keys and the check log: this node's SQLite file (a path), or
    a shared PostgreSQL database (a ``postgresql://`` URL; see ``verifier/state/pgstore.py``)."""
    from verifier.state.pgstore import PostgresStore, is_database_url

    if is_database_url(where):
        return PostgresStore(str(where))
    return StateStore(where)
