"""API keys: ``verifier apikey create | list | revoke`` and the lookup behind ``Authorization: Bearer``.

A key is ``tpv_`` plus 32 random bytes (URL-safe base64), shown once when it is created. The
database keeps only its SHA-256 (a key has 256 bits of entropy, so a fast hash is enough: no
password stretching needed) and its first 12 characters, so ``verifier apikey list`` can show
which key is which. A key may carry its own rate limit (else ``VERIFIER_RATELIMIT_KEY``) and an
``admin`` flag (``GET /api/v1/admin/stats``).

:class:`KeyRing` answers "which key is this?" for the web app: one connection per
process, opened lazily (after gunicorn forks), and the answers of the last
:data:`CACHE_SECONDS` kept in memory, so a request with a key costs a dictionary lookup most of
the time and a revocation takes effect within that many seconds in every worker. While the store
is unreachable, a key already seen keeps its last answer (stale) instead of failing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verifier.errors import StateError, VerifierError
from verifier.registry.schema import format_timestamp
from verifier.state.store import SharedStore, open_shared

KEY_PREFIX = "tpv_"
#: Characters of a key kept in the clear, for display (``tpv_`` + 8).
DISPLAY_CHARS = 12
#: How long a worker trusts its memory of a key (a revocation is seen within this time).
CACHE_SECONDS = 5.0
MAX_NAME = 100
#: The longest Authorization value looked up at all (a real key is 47 characters).
MAX_KEY = 200


class ApiKeyError(VerifierError):
    """A key operation refused (``verifier apikey``): unknown id, bad name or limit."""

    code = "bad_api_key_request"
    status = 422


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One stored key (never the key itself)."""

    id: int
    name: str
    prefix: str
    rate_limit: str | None
    admin: bool
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "prefix": self.prefix, "rate_limit": self.rate_limit,
            "admin": self.admin, "created_at": self.created_at, "revoked_at": self.revoked_at,
        }


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


_COLUMNS = "id, name, prefix, rate_limit, admin, created_at, revoked_at"


def _row(row: tuple) -> ApiKey:
    return ApiKey(id=row[0], name=row[1], prefix=row[2], rate_limit=row[3], admin=bool(row[4]),
                  created_at=row[5], revoked_at=row[6])


def validate_limit(limit: str) -> str:
    """``limit`` if the limits library reads it (``600/minute``, ``10/second;1000/day``)."""
    from limits import parse_many

    try:
        if not parse_many(limit):
            raise ValueError(limit)
    except ValueError:
        raise ApiKeyError(
            f"rate limit {limit!r} is not of the form N/second|minute|hour|day (e.g. 600/minute)", code="bad_rate_limit"
        ) from None
    return limit


def create(store: SharedStore, name: str, *, limit: str | None = None, admin: bool = False,
           now: datetime | None = None) -> tuple[ApiKey, str]:
    """Store a new key; return it and the key text (which is not stored anywhere)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ApiKeyError(f"a key's name must be 1 to {MAX_NAME} characters", code="bad_api_key_name")
    if limit is not None:
        validate_limit(limit)
    key = new_key()
    record = {
        "name": name, "prefix": key[:DISPLAY_CHARS], "sha256": hash_key(key), "rate_limit": limit,
        "admin": int(admin), "created_at": format_timestamp(now or datetime.now(UTC)),
    }
    with store.errors("update"), store.transaction():
        new_id = store.insert("api_keys", record, returning="id")
    return get(store, int(new_id)), key


def get(store: SharedStore, key_id: int) -> ApiKey:
    with store.errors("read"):
        row = store.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE id = ?", (key_id,)).fetchone()
    if row is None:
        raise ApiKeyError(f"no API key with id {key_id}; `verifier apikey list` shows them", code="unknown_api_key")
    return _row(row)


def list_keys(store: SharedStore) -> list[ApiKey]:
    with store.errors("read"):
        return [_row(r) for r in store.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY id")]


def revoke(store: SharedStore, key_id: int, *, now: datetime | None = None) -> ApiKey:
    """Mark a key revoked (kept for the record); revoking twice keeps the first time."""
    get(store, key_id)
    with store.errors("update"), store.transaction():
        store.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (format_timestamp(now or datetime.now(UTC)), key_id),
        )
    return get(store, key_id)


def lookup(store: SharedStore, key: str) -> ApiKey | None:
    """The active key with this text, or ``None`` (unknown or revoked)."""
    if len(key) > MAX_KEY:
        return None
    with store.errors("read"):
        row = store.execute(
            f"SELECT {_COLUMNS} FROM api_keys WHERE sha256 = ? AND revoked_at IS NULL", (hash_key(key),)
        ).fetchone()
    return _row(row) if row else None


class KeyRing:
    """The web app's view of the keys: a per-process connection and a short-lived cache."""

    def __init__(self, database: Path | str, *, cache_seconds: float = CACHE_SECONDS, clock=time.monotonic) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._store: SharedStore | None = None
        self._pid = 0
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def _own_store(self) -> SharedStore:
        # Opened in the process that uses it: a connection must not cross gunicorn's fork.
        if self._store is None or self._pid != os.getpid():
            self._store, self._pid, self._cache = open_shared(self.database), os.getpid(), {}
        return self._store

    def find(self, key: str) -> ApiKey | None:
        digest = hash_key(key[:MAX_KEY + 1])
        now = self.clock()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        with self._lock:
            try:
                found = lookup(self._own_store(), key)
            except StateError:
                # The store is down (a shared PostgreSQL restarting): a key seen before keeps
                # its last answer rather than turning its tool's requests into 503s; a key
                # never seen cannot be vouched for, so that request fails with the error.
                if cached is None:
                    raise
                return cached[1]  # the store reconnects by itself on the next lookup
            if len(self._cache) > 10_000:  # a flood of made-up keys must not grow memory
                self._cache.clear()
            self._cache[digest] = (now, found)
        return found
