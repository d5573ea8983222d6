"""The shared state in PostgreSQL (``VERIFIER_DATABASE_URL``): reports, API keys, the check log.

Several replicas behind a load balancer each keep their own SQLite file for what is theirs
(the registry's rollback floor and accepted bytes, the page cache), but a report made on one
node must be reviewable on every node, a key created once must open every node, and the
statistics must count every node's checks. With ``VERIFIER_DATABASE_URL=postgresql://...``
those three tables live in one PostgreSQL database instead of each node's SQLite file.

:class:`PostgresStore` offers the same small surface as :class:`verifier.state.store.StateStore`
(``errors``, ``transaction``, ``execute``, ``executemany``, ``insert``, ``close``), so
``reports.py``, ``apikeys.py`` and ``checklog.py`` hold one copy of their SQL, written with
``?`` placeholders (turned into psycopg's ``%s`` here). Differences that matter:

* SQLite serialises writers with ``BEGIN IMMEDIATE``; here a transaction that must not race
  another (folding a duplicate report) names a ``lock`` and takes a transaction-scoped
  advisory lock on it, so two nodes cannot both create "the first" report of a channel.
* Every text column is ``COLLATE "C"`` (``verifier/state/shared_schema.py``): timestamps and ids
  sort and compare byte by byte, as in SQLite, whatever the database's locale.
* The connection is re-opened after PostgreSQL restarts (a broken connection is replaced on
  the next use; the failing call is a ``StateError``, a 503, not a 500).
* Fork-safe: a gunicorn worker that inherits a store from the master opens its own
  connection, and never closes the master's (an explicit close in a child would end the
  parent's session on the server).
* Messages name the database with its password masked.

psycopg is imported only here and only when this store is used: SQLite-only installs do not
need it (``pip install 'tp-channel-verifier[postgres]'``).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit

from verifier.config import URL_SCHEMES, is_database_url  # noqa: F401 (is_database_url: re-exported for the stores)
from verifier.errors import StateError
from verifier.registry.schema import format_timestamp
from verifier.state.shared_schema import ddl

#: Seconds to wait for a connection (a node must not hang on a dead database).
CONNECT_TIMEOUT = 5
#: The advisory lock key that serialises migrations across nodes and workers.
MIGRATION_LOCK = 0x7470_7666  # "tpvf"

#: (version, name, SQL) of the shared tables, append only: the definitions of
#: verifier/state/shared_schema.py, as SQLite's migrations 3-5 (the same SQL serves both).
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "reports", ddl("reports", "postgres")),
    (2, "api_keys", ddl("api_keys", "postgres")),
    (3, "check_log", ddl("check_log", "postgres")),
)

_WAY_OUT = "check VERIFIER_DATABASE_URL and that the PostgreSQL server is up and accepts this user"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")



def masked(url: str) -> str:
    """``url`` with its password (in the authority or a ``password=`` parameter) replaced by ***."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            if ":" in userinfo:
                netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}"
        query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
        # Rebuilt by hand: urlunsplit drops the empty authority of postgresql:///db?host=/run/...
        return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    except ValueError:
        return "the database in VERIFIER_DATABASE_URL"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StateError(
            "VERIFIER_DATABASE_URL names PostgreSQL but the psycopg driver is not installed; "
            "pip install 'tp-channel-verifier[postgres]'",
            code="state_unavailable",
        ) from None
    return psycopg


def _sql(statement: str) -> str:
    # Our statements hold no literal '%' or '?' besides placeholders; refuse rather than guess.
    if "%" in statement:
        raise ValueError("a '%' in SQL for PostgresStore: write '?' placeholders only")
    return statement.replace("?", "%s")


class PostgresStore:
    """One connection to the shared PostgreSQL database; migrates it on construction."""

    def __init__(self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT) -> None:
        self.url = url
        self.label = masked(url)
        self.connect_timeout = connect_timeout
        self._driver = _psycopg()
        self._conn: Any = None
        self._pid = os.getpid()
        with self.errors("open"):
            self._connect()
            self._migrate()

    # -- the surface shared with StateStore --------------------------------------------------

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except self._driver.Error as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StateError(
                f"cannot {action} the shared database {self.label}: {detail}; {_WAY_OUT}", code="state_unavailable"
            ) from None

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[None]:
        """One transaction; with ``lock``, serialised against every other holder of that name."""
        conn = self._connection()
        with conn.transaction():
            if lock is not None:
                conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (lock,))
            yield

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._connection().execute(_sql(statement), tuple(params))

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._connection().cursor() as cursor:
            cursor.executemany(_sql(statement), [tuple(r) for r in rows])

    def insert(self, table: str, record: dict[str, Any], *, returning: str | None = None) -> Any:
        """Insert one whitelisted record (its keys are our column names, never a request's)."""
        names = [table, *record, *([returning] if returning else [])]
        if not all(_IDENTIFIER.match(name) for name in names):
            raise ValueError(f"not a column name: {names!r}")
        statement = (
            f"INSERT INTO {table} ({', '.join(record)}) VALUES ({', '.join('%s' for _ in record)})"
            + (f" RETURNING {returning}" if returning else "")
        )
        cursor = self._connection().execute(statement, tuple(record.values()))
        return cursor.fetchone()[0] if returning else None

    def close(self) -> None:
        # Only in the process that opened it: a gunicorn worker inherits the master's objects,
        # and closing an inherited connection would end the master's session on the server.
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()

    def __del__(self) -> None:
        # A per-thread store dropped with its thread (or its book) closes its connection.
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to tell
            pass

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrations(self) -> list[tuple[int, str]]:
        with self.errors("read"):
            return [(r[0], r[1]) for r in self.execute("SELECT version, name FROM schema_migrations ORDER BY version")]

    # -- inside --------------------------------------------------------------------------------

    def _connect(self) -> None:
        # autocommit: a plain read is not left open as a transaction; writes use transaction().
        self._conn = self._driver.connect(
            self.url, autocommit=True, connect_timeout=self.connect_timeout, application_name="tp-channel-verifier"
        )
        self._pid = os.getpid()

    def _connection(self) -> Any:
        if self._conn is None or self._pid != os.getpid() or self._conn.closed or self._conn.broken:
            # After a server restart (the failed call was an error, this one retries), or in a
            # forked child, which must never speak on its parent's socket.
            self._connect()
        return self._conn

    def _migrate(self) -> None:
        conn = self._connection()
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
        if exists:
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            if {version for version, _, _ in MIGRATIONS} <= done:
                return  # the common case: nothing to lock just to open the database
        with conn.transaction():
            # Every node and worker may start at once: one migrates, the others wait, then see it done.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, name, ddl in MIGRATIONS:
                if version in done:
                    continue
                for statement in ddl.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    (version, name, format_timestamp(datetime.now().astimezone())),
                )


def probe(url: str, *, timeout: int = 2) -> str | None:
    """``None`` if the shared database answers and takes writes, else why not (``/readyz``)."""
    label = masked(url)
    try:
        driver = _psycopg()
    except StateError as err:
        return err.message
    try:
        with driver.connect(url, autocommit=True, connect_timeout=timeout) as conn:
            if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                return f"the shared database {label} is a read-only standby"
    except driver.Error as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot reach the shared database {label}: {detail}"
    return None
