"""Liveness and readiness: ``/healthz`` (the process answers) and ``/readyz`` (the registry is
loaded, verified and not expired; 503 with the reason otherwise)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, jsonify

from verifier.web.context import loaded

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    current = loaded()
    registry = current.verified.registry
    now = datetime.now(timezone.utc)
    body: dict[str, Any] = {
        "status": "ready",
        "registry": {
            "serial": registry.serial,
            "issued_at": registry.issued_at_text,
            "expires_at": registry.expires_at_text,
            "expires_in_seconds": int((registry.expires_at - now).total_seconds()),
            "key_id": current.verified.key_id,
            "sha256": current.verified.sha256,
        },
    }
    if registry.is_expired(now):
        body["status"] = "not_ready"
        body["reason"] = {
            "code": "registry_expired",
            "message": f"the registry expired at {registry.expires_at_text}; official matches answer 'unverified'",
        }
        return jsonify(body), 503
    return jsonify(body)
