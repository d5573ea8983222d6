"""The Flask application factory: a thin presenter over the core pipeline.

``create_app(config=None, *, trusted_keys=None)`` reads defaults, then ``VERIFIER_*``
environment variables, then the ``config`` mapping (tests), verifies the registry (a refused
registry raises, so the server never starts on an unverified one) and registers the routes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from flask import Flask, jsonify

from verifier.config import Settings
from verifier.errors import VerifierError
from verifier.runtime import open_verifier


def create_app(config: Mapping[str, Any] | None = None, *, trusted_keys: Sequence[object] | None = None) -> Flask:
    overrides = dict(config or {})
    settings = overrides.pop("SETTINGS", None) or Settings.from_env(
        **{k.lower(): v for k, v in overrides.items() if k.lower() in Settings.__dataclass_fields__}
    )
    loaded = open_verifier(settings, keys=trusted_keys)

    app = Flask(__name__)
    app.config.update(overrides)
    app.extensions["verifier"] = loaded
    app.extensions["verifier_settings"] = settings

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Any:
        current = app.extensions["verifier"]
        registry = current.verified.registry
        now = datetime.now(timezone.utc)
        remaining = registry.expires_at - now
        body = {
            "status": "ready",
            "registry": {
                "serial": registry.serial,
                "issued_at": registry.issued_at_text,
                "expires_at": registry.expires_at_text,
                "expires_in_seconds": int(remaining.total_seconds()),
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

    @app.errorhandler(VerifierError)
    def verifier_error(err: VerifierError) -> Any:
        response = jsonify(type=f"https://tokenpocket-verifier.invalid/problems/{err.code}", title=err.code, status=err.status, detail=err.message)
        response.status_code = err.status
        response.mimetype = "application/problem+json"
        return response

    return app
