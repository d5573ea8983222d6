"""The Flask application factory: thin presenters over the core pipeline.

``create_app(config=None, *, trusted_keys=None)`` reads the defaults, then ``VERIFIER_*``
environment variables, then the ``config`` mapping (tests pass ``{"SETTINGS": Settings(...)}``
and Flask keys), verifies the registry (a refused registry raises, so no server ever answers
from an unverified one), and registers one blueprint per feature:

* ``health``  — ``/healthz``, ``/readyz``
* ``api``     — ``/api/v1/...`` (JSON in and out, problem+json errors, CORS)
* ``pages``   — ``/``, ``/check``, ``/bookmarklet`` (zh/en HTML, no inline script)

The deep page check (``verifier.deep.checker``) is built here too, from the same settings
(``VERIFIER_FETCH_ALLOWED_NETWORKS``, ``VERIFIER_FETCH_PORTS``, ``VERIFIER_PAGE_CACHE_SECONDS``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from flask import Flask

from verifier.config import Settings
from verifier.serving.reload import Reloader, install, open_serving
from verifier.web import problems, security

# Request bodies: a batch of 100 items or a pasted message of 64 KiB, with room for JSON.
MAX_CONTENT_LENGTH = 256 * 1024
# The request line (method, path, query string) gunicorn reads before refusing with 414
# (its default, set explicitly by verifier/web/server.py); the OpenAPI document quotes it.
MAX_REQUEST_LINE = 4094


def create_app(config: Mapping[str, Any] | None = None, *, trusted_keys: Sequence[object] | None = None) -> Flask:
    overrides = dict(config or {})
    settings = overrides.pop("SETTINGS", None) or Settings.from_env(
        **{k.lower(): v for k, v in overrides.items() if k.lower() in Settings.__dataclass_fields__}
    )
    # The configured file, or (refused, with an accepted registry in the state) its fallback.
    loaded, start_error = open_serving(settings, keys=trusted_keys)

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH, JSON_SORT_KEYS=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config.update({k: v for k, v in overrides.items() if k.isupper()})
    app.extensions["verifier_settings"] = settings
    from verifier.state import reports

    # Victims' reports: the book, and its confirmed set consulted by every check.
    app.extensions["verifier_reports"] = reports.attach(
        loaded.verifier, settings.shared_database,
        refresh_seconds=float(app.config.get("REPORTS_REFRESH_SECONDS", reports.REFRESH_SECONDS)),
    )
    # A reload's new Verifier takes the same set (reload.install does it).
    app.extensions["verifier_reported"] = loaded.verifier.reported
    # verifier, verifier_deep_checker, verifier_deep_check; replaced together by a reload.
    install(app, settings, loaded)
    app.extensions["verifier_reloader"] = Reloader(app, settings, keys=trusted_keys, start_error=start_error)

    problems.init_app(app)
    security.init_app(app)
    from verifier.state import checklog
    from verifier.web import limits

    limits.init_app(app, settings)  # API keys and rate limits on /api/v1/* (before the blueprints)
    checklog.init_app(app, settings)  # the check log's writer (VERIFIER_CHECK_LOG)
    from verifier.web import api, health, pages

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(pages.bp)
    from verifier.web import email

    email.init_app(app)  # POST /api/v1/email and the /email page (who really sent a message)
    return app
