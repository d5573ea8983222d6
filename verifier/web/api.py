"""The JSON API, ``/api/v1``: a thin presenter over ``Verifier.check`` and ``scan``.

Routes (DESIGN.md, "HTTP"; the OpenAPI document of :mod:`verifier.web.openapi` describes them):

* ``POST /check``        ``{"input", "platform"?, "lang"?, "deep"?}`` → the result object
* ``GET  /check``        ``?input=&platform=&lang=`` → the same, for simple clients
* ``POST /check/batch``  ``{"inputs": [str | {"input", "platform"?}], "lang"?}`` → ``{"results"}``
* ``POST /scan``         ``{"text", "lang"?}`` → the object of ``verifier scan --json``
* ``POST /reports``      ``{"channel", "what_happened", "happened_at"?, "contact"?, "platform"?, "lang"?}``
  → 201 ``{"id", "status", "duplicate", "check"}`` (:mod:`verifier.state.reports`)
* ``GET  /registry``     the accepted registry's exact bytes (``ETag`` = its SHA-256, 304)
* ``GET  /registry.minisig``  its detached signature, for ``minisign -V``
* ``GET  /openapi.json`` the OpenAPI 3.1 document

A verdict is always a 200, whatever it says. What a client sends wrong is an error in
``application/problem+json`` (one handler, :mod:`verifier.web.problems`), never a 500:

=====  ==========================================================================
400    ``bad_json``: not strict JSON (reason: syntax, constant, duplicate_key,
       surrogate, too_deep, encoding)
413    ``too_large``: a body over ``MAX_CONTENT_LENGTH``
415    ``unsupported_media_type``: a body that is not ``application/json`` (SECURITY.md
       #10: not a CORS-simple type, so a cross-site form cannot send it)
422    the body or query is JSON of the wrong shape (``invalid_body``, ``unknown_field``,
       ``missing_field``, ``invalid_field``, ``field_too_long``, ``no_items``,
       ``too_many_items``), ``deep_check_unavailable``, or the core refused the input
       (``input_too_long``, ``empty_input``, ``unrecognised_input``, ``unknown_platform`` …)
503    ``deep_check_busy``: with ``deep``, every page-reading slot of this process is
       taken (``verifier/deep/checker.py``); ``Retry-After`` says when one is sure to be free
=====  ==========================================================================

Length caps are one rule for every route: a field over its cap is a 422, never a 413 (413 is
only the whole body over ``MAX_CONTENT_LENGTH``). ``input``/``text`` over their caps answer
the core's own code, ``input_too_long``, as the CLI does; other fields ``field_too_long``.

Requests are validated against a small table of fields per route (a whitelist: SECURITY.md
#7), so no request dict ever flows further than this module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import orjson
from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from verifier import present

from verifier.state import checklog
from verifier.classify import MAX_INPUT
from verifier.errors import InvalidInputError
from verifier.state import reports
from verifier.scan import MAX_BYTES as MAX_TEXT_BYTES
from verifier.scan import scan
from verifier.search_phrase import SearchPhrase
from verifier.strictjson import loads_strict
from verifier.web.context import loaded
from verifier.web import security
from verifier.web.problems import SCAN_ENDPOINT, ApiError

bp = Blueprint("api", __name__)

LANGS = ("en", "zh")
MAX_PLATFORM = 64
MAX_BATCH = 100
# Errors echo at most this much of a bad batch item, as `verifier check --jsonl` does.
ECHO_CHARS = 200
REGISTRY_CACHE = "public, max-age=300, must-revalidate"
# Where a later issue plugs in the deep page check: a callable (input, platform, result, lang)
# -> result dict, stored as ``app.extensions["verifier_deep_check"]``.
DEEP_CHECK_EXTENSION = "verifier_deep_check"


# ---------------------------------------------------------------------------------------------
# The request fields of each route: one table, read by the validator and by openapi.py.


@dataclass(frozen=True, slots=True)
class Field:
    """One accepted field: its JSON type(s), whether it is required, and its length caps.

    ``min_length`` is 1 where the route refuses an empty string (the core's ``empty_input``,
    the report's empty ``what_happened``); the refusal itself stays where it is, with its own
    code and words, and ``tests/test_openapi_limits.py`` sends "" to every field to keep the
    two in step. It feeds the OpenAPI document's ``minLength``."""

    name: str
    types: tuple[type, ...]
    type_text: str
    required: bool = False
    max_length: int | None = None
    too_long_code: str = "field_too_long"
    choices: tuple[str, ...] = ()
    nullable: bool = False
    min_length: int = 0


INPUT = Field("input", (str,), "a string", required=True, max_length=MAX_INPUT, too_long_code="input_too_long", min_length=1)
PLATFORM = Field("platform", (str,), "a string or null", max_length=MAX_PLATFORM, nullable=True)
LANG = Field("lang", (str,), '"en" or "zh"', choices=LANGS)
DEEP = Field("deep", (bool,), "true or false")
INPUTS = Field("inputs", (list,), "an array", required=True)
# Characters can take up to 4 bytes of UTF-8; the exact byte cap is scan's own check.
TEXT = Field("text", (str,), "a string", required=True, max_length=MAX_TEXT_BYTES, too_long_code="input_too_long",
             min_length=1)

CHECK_FIELDS = (INPUT, PLATFORM, LANG, DEEP)
CHECK_QUERY = (INPUT, PLATFORM, LANG)
BATCH_FIELDS = (INPUTS, LANG)
BATCH_ITEM_FIELDS = (
    Field("input", (str,), "a string", required=True),  # values are checked per item, like --jsonl
    Field("platform", (str,), "a string or null", nullable=True),
)
SCAN_FIELDS = (TEXT, LANG)
REPORT_FIELDS = (
    Field("channel", (str,), "a string", required=True, max_length=reports.MAX_CHANNEL, too_long_code="input_too_long",
          min_length=1),
    Field("what_happened", (str,), "a string", required=True, max_length=reports.MAX_WHAT_HAPPENED, min_length=1),
    Field("happened_at", (str,), "a string or null", max_length=reports.MAX_HAPPENED_AT, nullable=True),
    Field("contact", (str,), "a string or null", max_length=reports.MAX_CONTACT, nullable=True),
    PLATFORM,
    LANG,
)


def _field_error(code: str, field: str, message: str, **params: Any) -> ApiError:
    """A 422 about one field; ``params`` are the message's facts, for its Chinese words."""
    params = {"field": field, **params}
    return ApiError(message, code=code, status=422, params=params,
                    errors=[{"field": field, "code": code, "message": message, "params": params}])


def _validate(data: Mapping[str, Any], fields: tuple[Field, ...], *, where: str = "") -> dict[str, Any]:
    """The whitelisted fields of ``data`` (a dict from strict JSON or a query string)."""
    known = {f.name: f for f in fields}
    for name in data:
        if name not in known:
            shown = present.to_json_line(name[:64])
            raise _field_error(
                "unknown_field", f"{where}{name[:64]}",
                f"unknown field {shown}{' in ' + where.rstrip('.') if where else ''}; accepted: {', '.join(known)}",
                shown=shown, accepted=", ".join(known),
            )
    out: dict[str, Any] = {}
    for f in fields:
        label = f"{where}{f.name}"
        if f.name not in data:
            if f.required:
                raise _field_error("missing_field", label, f"missing field {label!r} ({f.type_text})")
            continue
        value = data[f.name]
        if value is None and f.nullable:
            out[f.name] = None
            continue
        # bool is an int in Python; JSON true is never a number here, nor 1 a boolean.
        if not isinstance(value, f.types) or (isinstance(value, bool) and bool not in f.types):
            raise _field_error("invalid_field", label, f"field {label!r} must be {f.type_text}, not {_json_type(value)}",
                               expected=f.type_text)
        if f.choices and value not in f.choices:
            raise _field_error("invalid_field", label, f"field {label!r} must be {f.type_text}", expected=f.type_text)
        if f.max_length is not None and len(value) > f.max_length:
            raise _field_error(
                f.too_long_code, label, f"field {label!r} is {len(value)} characters long; at most {f.max_length} allowed",
                length=len(value), limit=f.max_length,
            )
        out[f.name] = value
    return out


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# ---------------------------------------------------------------------------------------------
# Reading requests, writing responses.


def json_body(fields: tuple[Field, ...]) -> dict[str, Any]:
    """The request body as strict JSON, an object, restricted to ``fields``.

    415 unless the media type is ``application/json`` (with at most ``charset=utf-8``);
    413 over ``MAX_CONTENT_LENGTH`` (Werkzeug raises it while reading); 400 for JSON that
    :func:`loads_strict` refuses; 422 for the wrong shape.
    """
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if mimetype != "application/json" or charset not in ("utf-8", "utf8"):
        sent = request.headers.get("Content-Type", "")
        raise ApiError(
            f"send the body as application/json (UTF-8); got {present.to_json_line(sent[:100]) if sent else 'no Content-Type'}",
            code="unsupported_media_type", status=415, params={"sent": present.to_json_line(sent[:100]) if sent else "无"},
        )
    raw = request.get_data(cache=False)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # Without Content-Length (chunked) Werkzeug stops reading at the limit instead of
        # refusing: a body that reaches it is taken as over it, never parsed truncated.
        raise RequestEntityTooLarge()
    data = loads_strict(raw)
    if isinstance(data, dict) and data.get("lang") in LANGS:
        g.api_lang = data["lang"]  # before validation: a field error is said in the asked language
    if not isinstance(data, dict):
        raise ApiError(f"the body must be a JSON object, not {_json_type(data)}", code="invalid_body", status=422)
    return _validate(data, fields)


def query_args(fields: tuple[Field, ...]) -> dict[str, Any]:
    """The query string, restricted to ``fields``; each parameter at most once."""
    args = request.args
    for name in args:
        if len(args.getlist(name)) > 1 and name in {f.name for f in fields}:
            raise _field_error("invalid_field", name[:64], f"parameter {name[:64]!r} given more than once")
    return _validate(args.to_dict(), fields)


def language(requested: str | None) -> str:
    """``lang`` from the request body or query, else the first of ``Accept-Language`` we speak
    (zh* → zh), else en."""
    if requested:
        return requested
    query = request.args.get("lang")  # "?lang=zh" on a POST too, as the pages link it
    if query in LANGS:
        return query
    for value, _quality in request.accept_languages:  # sorted by quality, best first
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in LANGS:
            return primary
    return "en"


def json_response(obj: Any, status: int = 200) -> Response:
    # orjson: several times faster than json.dumps for a result object, and it refuses lone
    # surrogates instead of writing invalid UTF-8 (none can reach here: loads_strict rejects them).
    # Headers as one prepared list: security.py's after_request hook then finds its headers
    # already there (Werkzeug's ``setdefault`` on a missing header raises and catches a
    # KeyError each time), and Vary is plain text rather than a HeaderSet. On this hot path
    # that is about a third of the API's own per-request cost.
    return Response(orjson.dumps(obj), status=status, mimetype="application/json", headers=_RESPONSE_HEADERS)


_RESPONSE_HEADERS = [*security.API_HEADERS, ("Vary", "Accept-Language")]


# ---------------------------------------------------------------------------------------------
# Routes.


def _deep_check() -> Callable[..., dict[str, Any]] | None:
    return current_app.extensions.get(DEEP_CHECK_EXTENSION)


def _check_one(fields: dict[str, Any], lang: str) -> dict[str, Any]:
    """The result object; with ``deep``, the input is still checked first, so a bad input
    answers its own code before ``deep_check_unavailable``."""
    try:
        result = loaded().verifier.check(fields["input"], platform=fields.get("platform"))
    except SearchPhrase as phrase:
        # "tp钱包客服": the official routes and a warning, in the language the body asked for
        # (pages.search_phrase_answer, which answers it elsewhere, cannot read the body again).
        return phrase.answer(lang)
    checklog.record(result, "api")
    body = result.to_dict(lang)
    if fields.get("deep"):
        deep = _deep_check()
        if deep is None:
            raise ApiError(
                "the deep page check (fetching and reading the page) is not available in this version; "
                "send the request without \"deep\" (or with \"deep\": false)",
                code="deep_check_unavailable", status=422,
            )
        body = deep(fields["input"], fields.get("platform"), result, lang)
    return body


@bp.post("/check")
def check_post() -> Response:
    fields = json_body(CHECK_FIELDS)
    return json_response(_check_one(fields, language(fields.get("lang"))))


@bp.get("/check")
def check_get() -> Response:
    fields = query_args(CHECK_QUERY)
    return json_response(_check_one(fields, language(fields.get("lang"))))


def _batch_item(item: Any, index: int) -> tuple[str, str | None]:
    where = f"inputs[{index}]"
    if isinstance(item, str):
        return item, None
    if isinstance(item, dict):
        fields = _validate(item, BATCH_ITEM_FIELDS, where=where + ".")
        return fields["input"], fields.get("platform")
    raise _field_error("invalid_field", where, f"{where} must be a string or an object {{\"input\", \"platform\"?}}, not {_json_type(item)}")


@bp.post("/check/batch")
def check_batch() -> Response:
    """Every item answered in order; an item the core refuses is an error object in its place.

    The request's shape is checked first (a wrong type anywhere is a 422 for the whole
    request); each item's value is then checked like one line of ``verifier check --jsonl``.
    """
    fields = json_body(BATCH_FIELDS)
    inputs = fields["inputs"]
    if not inputs:
        raise _field_error("no_items", "inputs", "\"inputs\" is empty; send 1 to 100 items", limit=MAX_BATCH)
    if len(inputs) > MAX_BATCH:
        raise _field_error("too_many_items", "inputs", f"{len(inputs)} items; at most {MAX_BATCH} per request",
                           count=len(inputs), limit=MAX_BATCH)
    items = [_batch_item(item, i) for i, item in enumerate(inputs)]
    lang = language(fields.get("lang"))
    verifier = loaded().verifier
    results: list[dict[str, Any]] = []
    for text, platform in items:
        try:
            if platform is not None and len(platform) > MAX_PLATFORM:
                raise InvalidInputError(
                    f"platform of {len(platform)} characters; at most {MAX_PLATFORM} allowed", code="field_too_long",
                    params={"field": "platform", "length": len(platform), "limit": MAX_PLATFORM},
                )
            result = verifier.check(text, platform=platform)
            checklog.record(result, "batch")
            results.append(result.to_dict(lang))
        except InvalidInputError as err:
            item = present.error_object(text[:ECHO_CHARS], err, lang, "api")  # in the request's language
            if err.code == "looks_like_message":
                item["error"]["scan_endpoint"] = SCAN_ENDPOINT
            results.append(item)
    return json_response({"results": results})


@bp.post("/scan")
def scan_post() -> Response:
    """A whole message. Over 64 KiB of UTF-8 is ``input_too_long`` with 422 (a field cap),
    the same answer as a too-long ``input``; 413 is kept for bodies over MAX_CONTENT_LENGTH."""
    fields = json_body(SCAN_FIELDS)
    outcome = scan(fields["text"], loaded().verifier)
    return json_response(outcome.to_dict(language(fields.get("lang"))))


@bp.post("/reports")
def report_post() -> Response:
    """A victim's report: the channel is checked and the report stored (or folded into the
    open report of the same channel); 201 only after the row is committed. Besides the API's
    request limit, a new channel counts against the client's distinct-channel limit (429)."""
    from verifier.web.limits import count_report_channel

    fields = json_body(REPORT_FIELDS)
    count_report_channel(current_app, fields["channel"], fields.get("platform"))
    lang = language(fields.get("lang"))
    book: reports.ReportBook = current_app.extensions["verifier_reports"]
    verifier = loaded().verifier
    submitted = book.submit(
        verifier,
        channel=fields["channel"],
        what_happened=fields["what_happened"],
        happened_at=fields.get("happened_at"),
        contact=fields.get("contact"),
        platform=fields.get("platform"),
        now=verifier.clock(),
    )
    body = {"id": submitted.report.id, "status": submitted.report.status, "duplicate": submitted.duplicate,
            "check": submitted.result.to_dict(lang)}
    return json_response(body, 201)


@bp.get("/reports/<report_id>")
def report_status(report_id: str) -> Response:
    """Where a report stands, by its id (the reporter's receipt): open, confirmed or rejected,
    and how many reports the channel has. Nothing anyone wrote is shown. An unknown id is a
    404 ``report_not_found``; ids are random (~49 bits), so they cannot be walked."""
    book: reports.ReportBook = current_app.extensions["verifier_reports"]
    return json_response(book.get(report_id).status_dict())


def _conditional(data: bytes, etag: str, mimetype: str) -> Response:
    """``data`` with a strong ETag, or 304 when ``If-None-Match`` names it (or ``*``)."""
    if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110 13.1.2)
        response = Response(status=304)
    else:
        response = Response(data, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = REGISTRY_CACHE
    return response


@bp.get("/registry")
def registry() -> Response:
    """The accepted registry's bytes exactly as signed: never re-serialised."""
    verified = loaded().verified
    return _conditional(verified.raw, verified.sha256, "application/json")


@bp.get("/registry.minisig")
def registry_signature() -> Response:
    verified = loaded().verified
    etag = _signature_etag(verified.signature)
    return _conditional(verified.signature, etag, "text/plain")


def _signature_etag(signature: bytes) -> str:
    return hashlib.sha256(signature).hexdigest()


STATS_QUERY = (Field("days", (str,), "a whole number of days, 1 to 90", max_length=2),)
MAX_STATS_DAYS = 90


@bp.get("/admin/stats")
def admin_stats() -> Response:
    """``verifier stats --json`` over HTTP, for an API key with the admin flag (401/403 otherwise)."""
    from verifier.web.limits import require_admin
    from verifier.state.store import open_shared
    from verifier.web.context import settings

    require_admin()  # before the query: a request without a key is a 401 whatever it asks
    raw = query_args(STATS_QUERY).get("days", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_STATS_DAYS:
        raise _field_error("invalid_field", "days", f"'days' must be a whole number of days, 1 to {MAX_STATS_DAYS}")
    with open_shared(settings().shared_database) as store:
        return json_response(checklog.stats(store, days=int(raw)))


@bp.get("/openapi.json")
def openapi_json() -> Response:
    from verifier.web.openapi import document

    from verifier.web.context import settings

    cached = current_app.extensions.get("verifier_openapi")
    if cached is None:
        cached = current_app.extensions["verifier_openapi"] = orjson.dumps(document(settings().public_url))
    return Response(cached, mimetype="application/json")
