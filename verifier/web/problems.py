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

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from verifier import error_text
from verifier.errors import VerifierError

PROBLEM_TYPE = "urn:tp-verifier:problem:{code}"
#: Where a whole message goes: named in a ``looks_like_message`` answer (``scan_endpoint``).
SCAN_ENDPOINT = "/api/v1/scan"
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

    def __init__(self, message: str, *, code: str, status: int, errors: list[dict[str, Any]] | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)
        self.status = status
        self.errors = errors or []


def error_lang() -> str:
    """The language of this request's error: the ``lang`` the request gave (the JSON body's,
    once api.py has read it, or the query's), else ``Accept-Language``, else English; the same
    order as its answers (api.language)."""
    asked = g.get("api_lang") or request.args.get("lang")
    if asked in error_text.LANGS:
        return asked
    for value, _quality in request.accept_languages:
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in error_text.LANGS:
            return primary
    return "en"


def problem(status: int, code: str, detail: str, *, params: dict[str, Any] | None = None, localised: bool = False,
            **extra: Any) -> Response:
    """The problem+json answer. ``detail``: the English words, said in the request's language
    from ``params`` (verifier/error_text.py), or already in it (``localised``)."""
    lang = error_lang()
    body = {"type": PROBLEM_TYPE.format(code=code), "title": error_text.title(code, lang), "status": status,
            "detail": detail if localised else error_text.detail(code, detail, params, lang), "code": code,
            "instance": request.path}
    body.update({k: v for k, v in extra.items() if v})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(VerifierError)
    def verifier_error(err: VerifierError) -> Response:
        # ``reason``: StrictJSONError's sub-code (syntax, duplicate_key, surrogate, too_deep ...)
        from verifier import present

        lang = error_lang()
        errors = [{"field": e["field"], "code": e["code"],
                   "message": error_text.detail(e["code"], e["message"], e.get("params"), lang)}
                  for e in getattr(err, "errors", None) or []]
        # The words in the request's language; looks_like_message also says where messages go.
        response = problem(err.status, err.code, present.error_message(err, lang, "api"), localised=True,
                           errors=errors, reason=getattr(err, "reason", None),
                           scan_endpoint=SCAN_ENDPOINT if err.code == "looks_like_message" else None)
        response.headers.update(getattr(err, "headers", None) or {})  # e.g. WWW-Authenticate on a 401
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        status = err.code or 500
        code = HTTP_CODES.get(status, "http_error")
        detail = err.description or code
        params: dict[str, Any] = {"path": request.path[:200], "method": request.method}
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail = f"the request body is larger than the {limit} bytes this service accepts"
            params["limit"] = limit
        if status == 429:
            from verifier.web.limits import retry_after

            wait = retry_after(app)
            what = getattr(err, "what", "requests")  # limits.TooManyChannels: what it counted
            params.update(limit=detail, limit_zh=error_text.rate_zh(detail), wait=wait, what_zh=getattr(err, "what_zh", "请求"))
            response = problem(status, code, f"too many {what} ({detail}); try again in {wait} s, "
                               "or ask for an API key (a higher limit)", params=params)
            response.headers["Retry-After"] = str(wait)
            return response
        if status == 405 and getattr(err, "valid_methods", None):
            params["allowed"] = ", ".join(err.valid_methods)  # type: ignore[attr-defined]
        response = problem(status, code, detail, params=params)
        if status == 405 and getattr(err, "valid_methods", None):
            response.headers["Allow"] = ", ".join(err.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Response:  # pragma: no cover - a bug, still in shape
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "internal_error", "the service failed on this request; it has been logged")
