"""Errors as ``application/problem+json`` (RFC 9457): one handler for everything the app raises.

Every error body has the same shape: ``type`` (a stable URN naming the error code), ``title``,
``status``, ``detail`` and ``code`` (the same stable code the CLI prints), plus ``errors`` for
field-level details where there are several. The status comes from the exception class
(``VerifierError.status``; Werkzeug's HTTP exceptions carry their own). Nothing a client sends
reaches the generic 500 branch; it exists so that a bug still answers in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from verifier.errors import VerifierError

PROBLEM_TYPE = "urn:tp-verifier:problem:{code}"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("verifier.web")

# Werkzeug's errors, named by our stable codes.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "headers_too_large",
}


class ApiError(VerifierError):
    """An error raised by the HTTP layer itself, with its own status and code."""

    def __init__(self, message: str, *, code: str, status: int, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.errors = errors or []


def problem(status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {"type": PROBLEM_TYPE.format(code=code), "title": code.replace("_", " ").capitalize(), "status": status,
            "detail": detail, "code": code, "instance": request.path}
    body.update({k: v for k, v in extra.items() if v})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(VerifierError)
    def verifier_error(err: VerifierError) -> Response:
        # ``reason``: StrictJSONError's sub-code (syntax, duplicate_key, surrogate, too_deep ...)
        response = problem(err.status, err.code, err.message, errors=getattr(err, "errors", None),
                           reason=getattr(err, "reason", None))
        response.headers.update(getattr(err, "headers", None) or {})  # e.g. WWW-Authenticate on a 401
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        status = err.code or 500
        code = HTTP_CODES.get(status, "http_error")
        detail = err.description or code
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail = f"the request body is larger than the {limit} bytes this service accepts"
        if status == 429:
            from verifier.limits import retry_after

            wait = retry_after(app)
            what = getattr(err, "what", "requests")  # limits.TooManyChannels: what it counted
            response = problem(status, code, f"too many {what} ({detail}); try again in {wait} s, "
                               "or ask for an API key (a higher limit)")
            response.headers["Retry-After"] = str(wait)
            return response
        response = problem(status, code, detail)
        if status == 405 and getattr(err, "valid_methods", None):
            response.headers["Allow"] = ", ".join(err.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Response:  # pragma: no cover - a bug, still in shape
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "internal_error", "the service failed on this request; it has been logged")
