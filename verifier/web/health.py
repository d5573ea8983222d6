"""Liveness and readiness.

``/healthz``: the process answers (200 always).

``/readyz``: 200 ``ready`` when the serving registry is verified and unexpired and the state
database takes a write lock; otherwise 503 ``not_ready`` with ``reasons`` (each ``{code,
message}``): ``registry_expired``, ``database_unwritable``. ``warnings`` never change the
status: ``registry_expires_soon`` (14 days or less), ``registry_fallback`` (the file on disk
was refused at start and the last accepted registry serves, re-verified),
``shared_database_unavailable`` (``VERIFIER_DATABASE_URL`` does not answer, or is a read-only
standby: shared by every node, so never a reason to take one node out),
``ratelimit_storage_unavailable`` (Redis failed in the last minute; requests go unlimited). The last refused
candidate is shown as ``last_reload_error`` ``{code, message, at, during, source}`` until a
reload succeeds; a refused reload leaves the serving registry (and so the status) as it was.
The database probes' answers are reused for ``PROBE_TTL_SECONDS`` (2 s).
``reason`` repeats the first reason, for clients of the first version.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from typing import Any, Callable

from flask import Blueprint, current_app, jsonify

from verifier.web.limits import OUTAGE_EXTENSION
from verifier.registry.trust import WARN_BEFORE_EXPIRY
from verifier.web.context import loaded, settings

bp = Blueprint("health", __name__)

#: How long readiness waits for another writer's lock: busy is not unwritable.
DB_PROBE_TIMEOUT = 2.0
#: How long a database probe's answer is reused. /readyz is not rate limited (load balancers
#: poll it), so without this anyone could make every node open a PostgreSQL connection per
#: request and use up the server's connections.
PROBE_TTL_SECONDS = 2.0


class _ProbeCache:
    """The last answer of each probe (by target), reused for PROBE_TTL_SECONDS; one probe at a time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], tuple[float, str | None]] = {}

    def get(self, kind: str, target: str, probe: Callable[[], str | None]) -> str | None:
        with self._lock:  # concurrent /readyz calls wait for the one probe rather than each probing
            cached = self._answers.get((kind, target))
            if cached is not None and self.clock() - cached[0] < PROBE_TTL_SECONDS:
                return cached[1]
            answer = probe()
            if len(self._answers) > 64:
                self._answers.clear()
            self._answers[(kind, target)] = (self.clock(), answer)
            return answer


_probes = _ProbeCache()


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


def database_problem(path: Any) -> str | None:
    """``None`` if the state database can take a write lock, else why not (no data written)."""
    try:
        conn = sqlite3.connect(str(path), timeout=DB_PROBE_TIMEOUT, isolation_level=None)
    except (sqlite3.Error, OSError) as exc:
        return f"cannot open {path}: {exc}"
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return None
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # another worker is writing: the database works
        return f"cannot write {path}: {exc}"
    except sqlite3.Error as exc:
        return f"cannot write {path}: {exc}"
    finally:
        conn.close()


@bp.get("/readyz")
def readyz() -> Any:
    current = loaded()  # one read: a reload during this request does not mix two registries
    registry = current.verified.registry
    now = datetime.now(UTC)
    reloader = current_app.extensions.get("verifier_reloader")
    status = reloader.status if reloader is not None else None
    last_error = status.last_reload_error if status is not None else None
    reasons: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    if registry.is_expired(now):
        reasons.append({
            "code": "registry_expired",
            "message": f"the registry expired at {registry.expires_at_text}; official matches answer 'unverified'; "
            "publish a re-signed registry (`verifier registry sign --bump`) and reload",
        })
    elif registry.expires_at - now <= WARN_BEFORE_EXPIRY:
        warnings.append({
            "code": "registry_expires_soon",
            "message": f"the registry expires at {registry.expires_at_text}; re-sign it with `verifier registry sign --bump`",
        })
    local = settings().database_path
    problem = _probes.get("sqlite", str(local), lambda: database_problem(local))
    if problem is not None:
        reasons.append({
            "code": "database_unwritable",
            "message": f"{problem}; make VERIFIER_DATA_DIR writable (reloads and reports need it)",
        })
    if settings().database_url:
        from verifier.state.pgstore import probe

        url = settings().database_url
        shared_problem = _probes.get("postgres", url, lambda: probe(url))
        if shared_problem is not None:
            # A warning, not a reason: every node shares this database, so a load balancer
            # taking unready nodes out would take them all out, and checks (the service's
            # purpose) do not need it. A node's own disk failing is a reason: others are fine.
            warnings.append({
                "code": "shared_database_unavailable",
                "message": f"{shared_problem}; reports cannot be stored and keys not looked up until it is back "
                "(VERIFIER_DATABASE_URL); checks go on",
            })
    outage = current_app.extensions.get(OUTAGE_EXTENSION)
    storage_error = outage.recent() if outage is not None else None
    if storage_error is not None:
        warnings.append({
            "code": "ratelimit_storage_unavailable",
            "message": f"the rate-limit storage (VERIFIER_RATELIMIT_STORAGE) failed in the last minute: "
            f"{storage_error}; requests are served without limits until it is back",
        })
    if status is not None and status.source == "state":
        warnings.append({
            "code": "registry_fallback",
            "message": "the registry file was refused; the last accepted registry (kept in the state database, "
            "verified again) is serving; see last_reload_error",
        })
    body: dict[str, Any] = {
        "status": "not_ready" if reasons else "ready",
        "reasons": reasons,
        "warnings": warnings,
        "registry": {
            "serial": registry.serial,
            "issued_at": registry.issued_at_text,
            "expires_at": registry.expires_at_text,
            "expires_in_seconds": int((registry.expires_at - now).total_seconds()),
            "key_id": current.verified.key_id,
            "sha256": current.verified.sha256,
            "source": status.source if status is not None else "file",
        },
        "last_reload_at": status.last_reload_at if status is not None else None,
        "last_reload_error": last_error.to_dict() if last_error is not None else None,
    }
    if reasons:
        body["reason"] = reasons[0]
        return jsonify(body), 503
    return jsonify(body)
