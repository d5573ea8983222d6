"""The OpenAPI 3.1 document of ``/api/v1`` (and ``/healthz``, ``/readyz``), built as data.

Request bodies are generated from the field tables of :mod:`verifier.web.api` (the same
tables the handlers validate with), enumerations from the core's own tuples (kinds,
verdicts, languages), so the document cannot drift from what the code accepts. The response
schemas are written here and kept honest by ``tests/test_api.py``, which validates real
responses against them with ``jsonschema``, and by the schemathesis run of
``tests/test_api_fuzz.py``.
"""

from __future__ import annotations

from typing import Any

from verifier import __version__, error_text
from verifier.model import KINDS, VERDICTS
from verifier.scan import BASELINE, MAX_BYTES, MAX_ITEMS, PRECEDENCE
from verifier.strictjson import DEFAULT_MAX_DEPTH
from verifier.web import MAX_REQUEST_LINE, api
from verifier.web.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from verifier.web.problems import SCAN_ENDPOINT

JSON = "application/json"
REF = "#/components/schemas/"

# Which problem statuses each operation can answer, and what they mean there.
STATUS_TEXT = {
    400: "The body is not strict JSON (`bad_json`, with `reason`: syntax, constant, duplicate_key, surrogate, too_deep, "
    "encoding); or, on any route, the server could not read the request as HTTP (`bad_request`: a malformed request "
    "line or header).",
    404: "No such route (`not_found`).",
    405: "Method not allowed on this route (`method_not_allowed`; `Allow` lists the methods).",
    413: "The body is larger than the service accepts (`too_large`).",
    415: "The body is not `application/json` (`unsupported_media_type`).",
    422: (
        "The request has the wrong shape (`invalid_body`, `unknown_field`, `missing_field`, `invalid_field`, "
        "`field_too_long`, `no_items`, `too_many_items`, `deep_check_unavailable`), or the input cannot be checked "
        "(`input_too_long`, `empty_input`, `invalid_text`, `unrecognised_input`, `unknown_platform`, ...)."
    ),
    401: "The `Authorization` header names an unknown or revoked API key, or is not `Bearer <key>` "
    "(`invalid_api_key`); on the admin endpoint also: no key sent (`api_key_required`).",
    403: "The API key is not an admin key (`admin_required`).",
    429: "Over the rate limit of this client (its IPv4 address or IPv6 /64, or its API key): `rate_limited`; "
    "`Retry-After` says in how many seconds to try again.",
    414: f"The request line (method, path and query string) is longer than the server reads, {MAX_REQUEST_LINE} "
    "bytes (`uri_too_long`); send long input in a POST body.",
    431: "The request's headers are larger than the server reads (`headers_too_large`).",
    503: "With `deep: true`: this server is reading as many pages as it reads at once (`deep_check_busy`); "
    "`Retry-After` says in how many seconds a slot is free. The same request without `deep` never waits.",
}
# Answered on every route, by the server before the app reads the request (verifier/web/server.py).
EVERY_ROUTE = (400, 405, 414, 431)
BODY_ERRORS = (400, 413, 415, 422)


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def field_schema(field: api.Field) -> dict[str, Any]:
    """The JSON Schema of one row of the api's field tables."""
    base: dict[str, Any]
    if field.types == (bool,):
        base = {"type": "boolean"}
    elif field.types == (list,):
        base = {"type": "array"}
    else:
        base = {"type": "string"}
        if field.choices:
            base["enum"] = list(field.choices)
        if field.min_length:
            base["minLength"] = field.min_length
        if field.max_length is not None:
            base["maxLength"] = field.max_length
    if field.nullable:
        base = {"type": [base["type"], "null"], **{k: v for k, v in base.items() if k != "type"}}
    return base


def object_schema(fields: tuple[api.Field, ...], **overrides: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: overrides.get(f.name) or field_schema(f) for f in fields},
        "additionalProperties": False,
    }
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def query_parameters(fields: tuple[api.Field, ...]) -> list[dict[str, Any]]:
    params = []
    for f in fields:
        schema = field_schema(f)
        if f.nullable:  # a query string has no null
            schema = {"type": "string", **{k: v for k, v in schema.items() if k != "type"}}
        params.append({"name": f.name, "in": "query", "required": f.required, "schema": schema})
    return params


def schemas() -> dict[str, Any]:
    label = {"type": "object", "properties": {"en": {"type": "string"}, "zh": {"type": "string"}}, "required": ["en", "zh"]}
    reason = {
        "type": "object",
        "description": "A stable reason code (snake_case) with its message in the requested language.",
        "properties": {
            "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
            "message": {"type": "string"},
            "params": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["code", "message"],
        "additionalProperties": False,
    }
    channel = {
        "type": "object",
        "description": "An entry of the signed registry.",
        "properties": {
            "id": {"type": "string"},
            "kind": {"type": "string"},
            "platform": {"type": ["string", "null"]},
            "value": {"type": "string"},
            "status": {"type": "string"},
            "evidence": {"type": "string"},
            "label": label,
            "lang": {"type": "string"},
            "include_subdomains": {"type": "boolean"},
        },
        "required": ["id", "kind", "platform", "value", "status", "evidence", "label"],
    }
    result = {
        "type": "object",
        "description": "The answer for one input (the same object as `verifier check --json`). Every verdict but "
        "`official` means: this is NOT an official TokenPocket channel.",
        "properties": {
            "input": {"type": "string"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "platform": {"type": ["string", "null"]},
            "normalized": {"type": "string"},
            "verdict": {"type": "string", "enum": list(VERDICTS)},
            "risk": {"type": "integer", "minimum": 0, "maximum": 100},
            "reasons": {"type": "array", "items": ref("Reason")},
            "channel": nullable(ref("Channel")),
            "lookalike_of": nullable(ref("Channel")),
            "advice": {"type": "string"},
            "registry": {
                "type": "object",
                "properties": {
                    "serial": {"type": "integer"},
                    "expires_at": {"type": "string"},
                    "expired": {"type": "boolean"},
                },
                "required": ["serial", "expires_at", "expired"],
                "additionalProperties": False,
            },
            "details": {
                "type": "object",
                "description": "Facts a person may want to see: punycode and decoded host, what parsing noticed.",
                "properties": {
                    "host": {"type": "string"},
                    "host_unicode": {"type": "string"},
                    "registrable_domain": {"type": "string"},
                    "url": {"type": "string"},
                    "display_name": {"type": "string"},
                    "observations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
                            "required": ["code"],
                        },
                    },
                    "page": {
                        "type": "object",
                        "description": "Only with deep: when and from which address the page was read, "
                                       "the page signs found, or why it could not be read.",
                        "properties": {
                            "url": {"type": "string"},
                            "final_url": {"type": "string"},
                            "read_at": {"type": "string"},
                            "address": {"type": "string"},
                            "status": {"type": "integer"},
                            "truncated": {"type": "boolean"},
                            "cut": {"description": "The parse cap the page went past (`bytes`, `elements`): only "
                                    "its first part was read and judged; null when none.",
                                    "anyOf": [{"type": "string", "enum": ["bytes", "elements"]}, {"type": "null"}]},
                            "redirects": {"type": "array", "items": {"type": "string"}},
                            "cached": {"type": "boolean"},
                            "signs": {"type": "array", "items": {"type": "string"}},
                            "error": {
                                "type": "object",
                                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                                "required": ["code", "message"],
                            },
                        },
                    },
                },
            },
        },
        "required": ["input", "kind", "platform", "normalized", "verdict", "risk", "reasons", "channel",
                     "lookalike_of", "advice", "registry", "details"],
        "additionalProperties": False,
    }
    error_detail = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        "required": ["code", "message"],
        "additionalProperties": False,
    }
    item_error = {
        "type": "object",
        "description": f"A batch item the core refused, as a line of `verifier check --jsonl` (input cut to "
        f"{api.ECHO_CHARS} characters).",
        "properties": {"input": {"type": "string", "maxLength": api.ECHO_CHARS}, "error": {
            **error_detail,
            "description": "`message` in the request's language; `scan_endpoint` with `looks_like_message`.",
            "properties": {**error_detail["properties"], "scan_endpoint": {"const": SCAN_ENDPOINT}},
        }},
        "required": ["input", "error"],
        "additionalProperties": False,
    }
    signal = {
        "type": "object",
        "description": "A scam-script phrase found in the message: where, and what it means.",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "match": {"type": "string"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
        },
        "required": ["code", "message", "match", "start", "end"],
        "additionalProperties": False,
    }
    message_verdicts = [v for v in PRECEDENCE if v in ("impersonation", "suspicious", "retired", BASELINE)]
    scan_result = {
        "type": "object",
        "description": "A whole message: never `official` as a whole (its sender is unknown); the items keep "
        "their own verdicts.",
        "properties": {
            "verdict": {"type": "string", "enum": message_verdicts},
            "risk": {"type": "integer", "minimum": 0, "maximum": 100},
            "items": {"type": "array", "items": ref("Result"), "maxItems": MAX_ITEMS},
            "signals": {"type": "array", "items": ref("Signal")},
            "truncated": {"type": "boolean"},
        },
        "required": ["verdict", "risk", "items", "signals", "truncated"],
        "additionalProperties": False,
    }
    problem = {
        "type": "object",
        "description": "RFC 9457 problem details, the one shape of every error (`application/problem+json`).",
        "properties": {
            "type": {"type": "string", "pattern": "^urn:tp-verifier:problem:[a-z0-9_]+$"},
            "title": {"type": "string", "description": "A fixed summary of `code`, in the request's language "
                      "(`lang`, else `Accept-Language`), as is `detail`.",
                      "examples": [error_text.title(c) for c in ("bad_json", "invalid_api_key", "rate_limited",
                                                                 "looks_like_message", "unknown_field")]},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
            "instance": {"type": "string"},
            "reason": {"type": "string", "enum": ["encoding", "syntax", "constant", "duplicate_key", "surrogate", "too_deep"]},
            "scan_endpoint": {"const": SCAN_ENDPOINT, "description": "With `looks_like_message`: a pasted message "
                              "goes to this operation, which checks every item in it."},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["field", "code", "message"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["type", "title", "status", "detail", "code", "instance"],
        "additionalProperties": False,
    }
    batch_item = {
        "oneOf": [
            {"type": "string"},
            object_schema(api.BATCH_ITEM_FIELDS),
        ]
    }
    return {
        "Reason": reason,
        "Channel": channel,
        "Result": result,
        "ItemError": item_error,
        "BatchResponse": {
            "type": "object",
            "properties": {"results": {"type": "array", "items": {"anyOf": [ref("Result"), ref("ItemError")]}}},
            "required": ["results"],
            "additionalProperties": False,
        },
        "Signal": signal,
        "ScanResult": scan_result,
        "Problem": problem,
        "CheckRequest": object_schema(api.CHECK_FIELDS),
        "BatchRequest": object_schema(
            api.BATCH_FIELDS,
            inputs={"type": "array", "items": batch_item, "minItems": 1, "maxItems": api.MAX_BATCH},
        ),
        "ScanRequest": object_schema(api.SCAN_FIELDS),
        "ReportRequest": object_schema(api.REPORT_FIELDS),
        "ReportResponse": {
            "type": "object",
            "description": "The stored report: its id, its status, whether it was folded into an earlier report "
            "of the same channel (same id), and the check of the channel.",
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+$"},
                "status": {"type": "string", "enum": ["open", "confirmed", "rejected"]},
                "duplicate": {"type": "boolean"},
                "check": ref("Result"),
            },
            "required": ["id", "status", "duplicate", "check"],
            "additionalProperties": False,
        },
        "ReportStatus": {
            "type": "object",
            "description": "Where a report stands: the review's status, the channel as normalised, when it was "
            "made and decided, and how many reports the channel has. Nothing anyone wrote is included.",
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+$"},
                "status": {"type": "string", "enum": ["open", "confirmed", "rejected"]},
                "kind": {"type": "string"},
                "value": {"type": "string"},
                "platform": {"type": ["string", "null"]},
                "created_at": {"type": "string"},
                "decided_at": {"type": ["string", "null"]},
                "reports": {"type": "integer", "minimum": 1},
            },
            "required": ["id", "status", "kind", "value", "platform", "created_at", "decided_at", "reports"],
            "additionalProperties": False,
        },
        "Health": {"type": "object", "properties": {"status": {"const": "ok"}}, "required": ["status"]},
        "Ready": {
            "type": "object",
            "properties": {
                "status": {"enum": ["ready", "not_ready"]},
                "registry": {"type": "object"},
                "reason": error_detail,
            },
            "required": ["status", "registry"],
        },
    }


def problems(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {"description": STATUS_TEXT[status], "content": {PROBLEM_MEDIA_TYPE: {"schema": ref("Problem")}}}
        for status in sorted(set(statuses) | set(EVERY_ROUTE))
    }


def ok(schema: dict[str, Any], description: str, media_type: str = JSON, **extra: Any) -> dict[str, Any]:
    return {"200": {"description": description, "content": {media_type: {"schema": schema}}, **extra}}


# "tp钱包客服": a search for support, answered with the official contacts (README "Check one input").
CHECK_ANSWER = {"anyOf": [{"$ref": "#/components/schemas/Result"}, {
    "type": "object", "required": ["input", "kind", "contacts", "warning", "registry"],
    "properties": {"input": {"type": "string"}, "kind": {"const": "search_phrase"},
                   "contacts": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}},
                   "warning": {"type": "object", "required": ["code", "message"],
                               "properties": {"code": {"const": "search_results_fakes"}, "message": {"type": "string"}}},
                   "registry": {"type": "object"}}}]}


def body(name: str, description: str) -> dict[str, Any]:
    return {"required": True, "description": description, "content": {JSON: {"schema": ref(name)}}}


LANG_HEADER = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "Used when `lang` is not given: the first `zh*` or `en*` tag by quality; default en.",
    "schema": {"type": "string"},
}


def conditional(description: str, media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    headers = {
        "ETag": {"description": "The SHA-256 of the bytes, quoted.", "schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string"}},
    }
    return {
        "summary": description,
        "parameters": [{"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}],
        "responses": {
            **ok(schema, description, media_type, headers=headers),
            "304": {"description": "Not modified: the ETag in If-None-Match is current.", "headers": headers},
            **problems(),
        },
    }


def servers(public_url: str = "") -> list[dict[str, str]]:
    """``VERIFIER_PUBLIC_URL`` when set (the origin clients should call, whatever Host they
    sent); else this document's own origin, relative (OpenAPI's default, said explicitly)."""
    if public_url:
        return [{"url": public_url, "description": "this service (VERIFIER_PUBLIC_URL)"}]
    return [{"url": "/", "description": "the origin this document was fetched from"}]


def document(public_url: str = "") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, as a dict (served as ``/api/v1/openapi.json``)."""
    doc = {
        "openapi": "3.1.0",
        "servers": servers(public_url),
        "info": {
            "title": "TokenPocket official-channel verifier",
            "version": __version__,
            "summary": "Is this link, e-mail address, handle or phone number an official TokenPocket channel?",
            "description": (
                "Answers against a minisign-signed registry of official channels plus lookalike heuristics. A "
                "verdict is always 200; errors are RFC 9457 `application/problem+json` with a stable `code`. "
                "Request bodies must be `application/json` and strict JSON (no NaN, duplicate keys, lone "
                f"surrogates, or nesting deeper than {DEFAULT_MAX_DEPTH}). CORS: any origin, no credentials."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": {
            "/api/v1/check": {
                "post": {
                    "operationId": "check",
                    "summary": "Check one input",
                    "description": "`deep: true` also fetches and reads the page (`details.page`); when the server "
                    "is reading as many pages as it reads at once, 503 `deep_check_busy` with `Retry-After`.",
                    "parameters": [LANG_HEADER],
                    "requestBody": body("CheckRequest", "One input; `platform` says where a bare handle lives."),
                    "responses": {**ok(CHECK_ANSWER, "The verdict (whatever it is), or the official contacts for a search phrase."), **problems(*BODY_ERRORS, 503)},
                },
                "get": {
                    "operationId": "checkQuery",
                    "summary": "Check one input (query string)",
                    "parameters": [*query_parameters(api.CHECK_QUERY), LANG_HEADER],
                    "responses": {**ok(CHECK_ANSWER, "The verdict (whatever it is), or the official contacts for a search phrase."), **problems(422)},
                },
            },
            "/api/v1/check/batch": {
                "post": {
                    "operationId": "checkBatch",
                    "summary": f"Check 1 to {api.MAX_BATCH} inputs",
                    "description": "Results in the order of `inputs`; an input the core refuses is an error object "
                    "in its place. A wrong type anywhere in the request is a 422 for the whole request.",
                    "parameters": [LANG_HEADER],
                    "requestBody": body("BatchRequest", "Strings, or objects with `input` and `platform`."),
                    "responses": {**ok(ref("BatchResponse"), "One entry per input, same order."), **problems(*BODY_ERRORS)},
                },
            },
            "/api/v1/scan": {
                "post": {
                    "operationId": "scan",
                    "summary": "Scan a whole pasted message",
                    "description": f"At most {MAX_BYTES} bytes of UTF-8 in `text`: more is 422 `input_too_long`.",
                    "parameters": [LANG_HEADER],
                    "requestBody": body("ScanRequest", "The text of the message."),
                    "responses": {**ok(ref("ScanResult"), "The message's verdict, its items and signals."),
                                  **problems(*BODY_ERRORS)},
                },
            },
            "/api/v1/reports": {
                "post": {
                    "operationId": "report",
                    "summary": "Report a fake channel",
                    "description": "The channel is checked (an uncheckable one answers its own 422 code) and the "
                    "report stored; a second report of a channel that has an open or confirmed report is folded "
                    "into it (`duplicate: true`, same id). Answered only once the report is durably stored. "
                    "Without an API key, one client (IPv4 address or IPv6 /64) may report only so many different "
                    "channels (`VERIFIER_RATELIMIT_REPORT_CHANNELS`, default 20 an hour): a new one over it is "
                    "429 `rate_limited`; a channel it reported already is folded as usual. "
                    f"Caps: `what_happened` {api.reports.MAX_WHAT_HAPPENED}, `happened_at` "
                    f"{api.reports.MAX_HAPPENED_AT}, `contact` {api.reports.MAX_CONTACT} characters.",
                    "parameters": [LANG_HEADER],
                    "requestBody": body("ReportRequest", "The channel as met, what happened, and optionally when "
                                        "and how to reach the reporter."),
                    "responses": {
                        "201": {"description": "Stored (or folded into an earlier report).",
                                "content": {JSON: {"schema": ref("ReportResponse")}}},
                        **problems(*BODY_ERRORS),
                    },
                },
            },
            "/api/v1/reports/{report_id}": {
                "get": {
                    "operationId": "reportStatus",
                    "summary": "Where a report stands, by its id",
                    "description": "The id answered when the report was made. An unknown id is 404 "
                    "`report_not_found`.",
                    "parameters": [{"name": "report_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {**ok(ref("ReportStatus"), "The report's status."), **problems(404)},
                },
            },
            "/api/v1/registry": {
                "get": {
                    "operationId": "registry",
                    **conditional("The accepted registry's exact signed bytes.", JSON, {"type": "object"}),
                },
            },
            "/api/v1/registry.minisig": {
                "get": {
                    "operationId": "registrySignature",
                    **conditional("The registry's detached minisign signature (`minisign -V`).", "text/plain",
                                  {"type": "string"}),
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {**ok({"type": "object"}, "OpenAPI 3.1."), **problems()},
                },
            },
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Liveness",
                    "responses": {**ok(ref("Health"), "The process answers."), **problems()},
                },
            },
            "/readyz": {
                "get": {
                    "operationId": "readyz",
                    "summary": "Readiness: registry loaded, verified and not expired",
                    "responses": {
                        **ok(ref("Ready"), "Ready."),
                        "503": {"description": "Not ready (the registry has expired).",
                                "content": {JSON: {"schema": ref("Ready")}}},
                        **problems(),
                    },
                },
            },
        },
        "components": {"schemas": schemas()},
    }
    return _with_keys_and_limits(doc)


RETRY_AFTER = {"Retry-After": {"description": "Seconds until the limit's window resets.",
                               "schema": {"type": "string", "pattern": "^[0-9]+$"}}}


def _with_keys_and_limits(doc: dict[str, Any]) -> dict[str, Any]:
    """Every ``/api/v1`` operation: an optional API key (401 when it is bad) and a rate limit (429
    with Retry-After; verifier/web/limits.py); plus the admin statistics endpoint."""
    doc["components"]["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "`verifier apikey create`: a higher rate limit; "
                   "with `--admin`, the statistics endpoint."},
    }
    doc["paths"]["/api/v1/admin/stats"] = {
        "get": {
            "operationId": "adminStats",
            "summary": "Check-log statistics (admin API key)",
            "description": "`verifier stats --json` over HTTP: counts by verdict and the most checked impersonations "
            "and suspicious values of the last `days` days. Needs an API key with the admin flag.",
            "security": [{"apiKey": []}],
            "parameters": [{"name": "days", "in": "query", "required": False,
                            "schema": {"type": "string", "pattern": "^[0-9]{1,2}$"},
                            "description": f"1 to {api.MAX_STATS_DAYS} (default 1)."}],
            "responses": {**ok(ref("Stats"), "The statistics."), **problems(401, 403, 422)},
        },
    }
    doc["components"]["schemas"]["Stats"] = {
        "type": "object",
        "properties": {
            "days": {"type": "integer"}, "since": {"type": "string"}, "total": {"type": "integer"},
            "by_verdict": {"type": "object", "additionalProperties": {"type": "integer"}},
            "top": {"type": "array", "items": {"type": "object", "properties": {
                "value": {"type": "string"}, "kind": {"type": "string"}, "platform": {"type": ["string", "null"]},
                "verdict": {"type": "string"}, "count": {"type": "integer"},
                "reasons": {"type": "array", "items": {"type": "string"}},
                "first_seen": {"type": "string"}, "last_seen": {"type": "string"}}}},
        },
        "required": ["days", "since", "total", "by_verdict", "top"],
    }
    from verifier.web import email

    email.describe(doc, object_schema=object_schema, body=body, ok=ok, problems=problems, lang_header=LANG_HEADER,
                   body_errors=BODY_ERRORS)  # POST /api/v1/email: its path and schemas live beside the route
    for path, operations in doc["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation["responses"]
            responses.update({k: v for k, v in problems(401).items() if k not in responses})
            responses["429"] = {**problems(429)["429"], "headers": RETRY_AFTER}
            if "503" in responses:
                responses["503"] = {**responses["503"], "headers": {"Retry-After": {
                    "description": "Seconds until a page-reading slot is sure to be free.", "schema": RETRY_AFTER["Retry-After"]["schema"]}}}
    return doc
