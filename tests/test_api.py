"""The JSON API, /api/v1: every route, every error class, CORS, ETag/304, the exact registry
bytes (checked with the stock `minisign` when it is there), language selection, batch order
and per-item errors, scan. Every 200 is validated against the OpenAPI document's schemas."""

from __future__ import annotations

import hashlib
import json
import re
import os
import shutil
import subprocess

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from verifier.web import MAX_CONTENT_LENGTH, create_app
from verifier.web.openapi import document

API = "/api/v1"
DOC = document()
_REGISTRY = Registry().with_resource("urn:openapi", Resource.from_contents(DOC, default_specification=DRAFT202012))


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{name}"}, registry=_REGISTRY)


def conforms(body, name: str) -> None:
    errors = sorted(validator(name).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def app(settings_env):
    return create_app({"SETTINGS": settings_env})


@pytest.fixture
def client(app):
    return app.test_client()


def problem_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code, body
    assert body["status"] == status
    conforms(body, "Problem")
    return body


def post_raw(client, path: str, data: bytes | str, content_type: str | None = "application/json", **kw):
    headers = kw.pop("headers", {})
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post(API + path, data=data, headers=headers, **kw)


# --- the document itself -----------------------------------------------------------------------


def test_openapi_document_is_valid_openapi_31(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    served = response.get_json()
    assert served == json.loads(json.dumps(DOC))
    assert served["openapi"].startswith("3.1")
    validate_spec(served)


def test_openapi_describes_every_api_route(app):
    documented = {(path, method.upper()) for path, ops in DOC["paths"].items() for method in ops}
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)  # Flask's <name> is OpenAPI's {name}
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API) or rule.rule in ("/healthz", "/readyz")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def test_every_component_schema_is_valid_json_schema():
    for schema in DOC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


# --- POST/GET /check ---------------------------------------------------------------------------

CASES = [
    # (input, platform, verdict)
    ("tokenpocket.pro", None, "official"),
    ("https://www.tokenpocket.pro/", None, "official"),
    ("https://tokenpocket.pro@evil.example/x", None, "impersonation"),
    ("https://evil.example\\@tokenpocket.pro", None, "impersonation"),
    ("tokenpocket_cn", "telegram", "official"),
    ("example.org", None, "not_official"),
]


@pytest.mark.parametrize("text, platform, verdict", CASES)
def test_post_check(client, text, platform, verdict):
    payload = {"input": text} if platform is None else {"input": text, "platform": platform}
    response = client.post(API + "/check", json=payload)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    conforms(body, "Result")
    assert body["input"] == text
    assert body["verdict"] == verdict


@pytest.mark.parametrize("text, platform, verdict", CASES)
def test_get_check_gives_the_same_object(client, text, platform, verdict):
    query = {"input": text} if platform is None else {"input": text, "platform": platform}
    got = client.get(API + "/check", query_string=query)
    posted = client.post(API + "/check", json=query)
    assert got.status_code == 200
    assert got.get_json() == posted.get_json()
    assert got.get_json()["verdict"] == verdict


def test_check_accepts_null_platform_and_false_deep(client):
    response = client.post(API + "/check", json={"input": "tokenpocket.pro", "platform": None, "deep": False, "lang": "en"})
    assert response.status_code == 200
    assert response.get_json()["verdict"] == "official"


def test_charset_utf8_is_fine(client):
    response = post_raw(client, "/check", '{"input": "tokenpocket.pro"}'.encode(), "application/json; charset=UTF-8")
    assert response.status_code == 200


def test_deep_check_is_422_when_the_app_has_none(app):
    app.extensions.pop("verifier_deep_check")
    body = problem_of(app.test_client().post(API + "/check", json={"input": "tokenpocket.pro", "deep": True}), 422, "deep_check_unavailable")
    assert "not available in this version" in body["detail"]


def test_deep_check_says_why_a_page_was_not_read(client):
    # No page is reachable in tests (no name resolves): the verdict of the name still stands.
    body = client.post(API + "/check", json={"input": "https://tokenpocket-support.com/", "deep": True}).get_json()
    assert body["verdict"] == "impersonation"
    assert body["details"]["page"]["error"]["code"] == "fetch_failed"
    email = client.post(API + "/check", json={"input": "service@tokenpocket.pro", "deep": True}).get_json()
    assert email["verdict"] == "official" and email["details"]["page"]["error"]["code"] == "not_a_page"


def test_deep_check_slots_in_as_an_extension(app):
    def deep(text, platform, result, lang):
        return {**result.to_dict(lang), "page": {"fetched": False}}

    app.extensions["verifier_deep_check"] = deep
    body = app.test_client().post(API + "/check", json={"input": "tokenpocket.pro", "deep": True}).get_json()
    assert body["page"] == {"fetched": False} and body["verdict"] == "official"


def test_a_bad_input_is_checked_before_deep(client):
    problem_of(client.post(API + "/check", json={"input": "", "deep": True}), 422, "empty_input")


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"input": ""}, "empty_input"),
        ({"input": "   "}, "empty_input"),
        ({"input": "x" * 4097}, "input_too_long"),
        ({"input": "!!!"}, "unrecognised_input"),
        ({"input": "abc", "platform": "myspace"}, "unknown_platform"),
        ({"input": "abc", "platform": "t" * 65}, "field_too_long"),
        ({}, "missing_field"),
        ({"input": 5}, "invalid_field"),
        ({"input": True}, "invalid_field"),
        ({"input": None}, "invalid_field"),
        ({"input": ["tokenpocket.pro"]}, "invalid_field"),
        ({"input": "tokenpocket.pro", "platform": 3}, "invalid_field"),
        ({"input": "tokenpocket.pro", "lang": "fr"}, "invalid_field"),
        ({"input": "tokenpocket.pro", "lang": None}, "invalid_field"),
        ({"input": "tokenpocket.pro", "deep": "yes"}, "invalid_field"),
        ({"input": "tokenpocket.pro", "deep": 1}, "invalid_field"),
        ({"input": "tokenpocket.pro", "verbose": True}, "unknown_field"),
        ({"input": "tokenpocket.pro", "__proto__": {}}, "unknown_field"),
    ],
)
def test_check_422_table(client, payload, code):
    problem_of(client.post(API + "/check", json=payload), 422, code)


def test_unknown_field_is_named(client):
    body = problem_of(client.post(API + "/check", json={"input": "a.com", "colour": "red"}), 422, "unknown_field")
    assert '"colour"' in body["detail"]
    assert body["errors"] == [{"field": "colour", "code": "unknown_field", "message": body["detail"]}]


def test_4096_characters_are_accepted(client):
    text = " " * (4096 - len("tokenpocket.pro")) + "tokenpocket.pro"  # the core strips the spaces
    assert client.post(API + "/check", json={"input": text}).get_json()["verdict"] == "official"


@pytest.mark.parametrize(
    "query, code",
    [
        ({}, "missing_field"),
        ({"input": ""}, "empty_input"),
        ({"input": "x" * 4097}, "input_too_long"),
        ({"input": "a.com", "platform": "p" * 65}, "field_too_long"),
        ({"input": "a.com", "lang": "de"}, "invalid_field"),
        ({"input": "a.com", "deep": "1"}, "unknown_field"),
        ({"input": ["a.com", "b.com"]}, "invalid_field"),
    ],
)
def test_get_check_422_table(client, query, code):
    problem_of(client.get(API + "/check", query_string=query), 422, code)


def test_get_check_with_invalid_utf8_in_the_query(client):
    response = client.get(API + "/check?input=%ED%A0%80tokenpocket.pro")  # a UTF-8-encoded surrogate
    assert response.status_code in (200, 422)


# --- the hard edges: 400 / 413 / 415 / 422 invalid_body --------------------------------------


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b'{"input": NaN}', "constant"),
        (b'{"input": Infinity}', "constant"),
        (b'{"input": 1e400}', "constant"),
        (b'{"input": "a", "input": "b"}', "duplicate_key"),
        (b'{"input": "\\ud800"}', "surrogate"),
        (b'{"input": "\\udfff tokenpocket.pro"}', "surrogate"),
        (b'{"\\ud800": 1}', "surrogate"),
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
        (b'{"a":' * 40_000 + b"1" + b"}" * 40_000, "too_deep"),
        (b"", "syntax"),
        (b"{", "syntax"),
        (b"{'input': 'a'}", "syntax"),
        (b'{"input": "a"} trailing', "syntax"),
        (b"\xef\xbb\xbf{}", "encoding"),
        (b'{"input": "\xff"}', "encoding"),
        (b"1" * 5000, "syntax"),
    ],
)
@pytest.mark.parametrize("path", ["/check", "/check/batch", "/scan"])
def test_bad_json_is_400_with_its_reason(client, path, raw, reason):
    body = problem_of(post_raw(client, path, raw), 400, "bad_json")
    assert body["reason"] == reason


@pytest.mark.parametrize("raw", [b"[]", b'"tokenpocket.pro"', b"null", b"42", b"true"])
@pytest.mark.parametrize("path", ["/check", "/check/batch", "/scan"])
def test_body_must_be_an_object(client, path, raw):
    problem_of(post_raw(client, path, raw), 422, "invalid_body")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/json-patch+json", "text/json", "application/json; charset=latin-1", "application/problem+json"],
)
@pytest.mark.parametrize("path", ["/check", "/check/batch", "/scan"])
def test_only_application_json_bodies(client, path, content_type):
    body = problem_of(post_raw(client, path, b'{"input": "tokenpocket.pro"}', content_type), 415, "unsupported_media_type")
    assert "application/json" in body["detail"]


def test_form_posts_are_refused_as_csrf_protection(client):
    problem_of(client.post(API + "/check", data={"input": "tokenpocket.pro"}), 415, "unsupported_media_type")


@pytest.mark.parametrize("path", ["/check", "/check/batch", "/scan"])
def test_body_over_max_content_length_is_413(client, path):
    raw = json.dumps({"text": "a" * MAX_CONTENT_LENGTH}).encode()
    body = problem_of(post_raw(client, path, raw), 413, "too_large")
    assert str(MAX_CONTENT_LENGTH) in body["detail"]


def test_chunked_body_over_the_limit_is_413(app):
    """No Content-Length (chunked, as gunicorn passes it on): the limit holds while reading."""
    import io

    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=API + "/scan", method="POST", content_type="application/json",
                             input_stream=io.BytesIO(b" " * (MAX_CONTENT_LENGTH + 10))).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    with app.request_context(environ):
        response = app.full_dispatch_request()
    problem_of(response, 413, "too_large")


# --- 404 / 405 / HEAD / OPTIONS / CORS ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/", "/api/v2/check", "/api/v1/check/", "/api/v1/registry.json"])
def test_unknown_routes_are_404_problems(client, path):
    problem_of(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("delete", "/check", {"GET", "POST"}),
        ("put", "/check", {"GET", "POST"}),
        ("get", "/check/batch", {"POST"}),
        ("get", "/scan", {"POST"}),
        ("post", "/registry", {"GET"}),
        ("post", "/registry.minisig", {"GET"}),
        ("patch", "/openapi.json", {"GET"}),
    ],
)
def test_wrong_method_is_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(API + path)
    problem_of(response, 405, "method_not_allowed")
    listed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed <= listed


@pytest.mark.parametrize("path", ["/check?input=tokenpocket.pro", "/registry", "/registry.minisig", "/openapi.json"])
def test_head_answers_headers_without_a_body(client, path):
    full = client.get(API + path)
    head = client.head(API + path)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(full.data))
    assert head.headers.get("ETag") == full.headers.get("ETag")


@pytest.mark.parametrize("path", ["/check", "/check/batch", "/scan", "/registry", "/openapi.json"])
def test_cors_preflight_is_answered_by_the_app(client, path):
    response = client.options(
        API + path,
        headers={"Origin": "https://desk.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code in (200, 204)
    assert response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.post(API + "/check", json={"input": "tokenpocket.pro"}, headers={"Origin": "https://desk.example"}),
        lambda c: c.post(API + "/check", json={}, headers={"Origin": "https://desk.example"}),
        lambda c: c.get(API + "/registry", headers={"Origin": "https://desk.example"}),
        lambda c: c.get(API + "/nope", headers={"Origin": "https://desk.example"}),
    ],
)
def test_cors_on_actual_responses_and_errors(client, call):
    response = call(client)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- /registry, /registry.minisig ---------------------------------------------------------------


def test_registry_is_the_exact_accepted_bytes(client, settings_env):
    response = client.get(API + "/registry")
    raw = settings_env.registry_path.read_bytes()
    assert response.status_code == 200
    assert response.data == raw
    assert response.mimetype == "application/json"
    assert response.headers["ETag"] == f'"{hashlib.sha256(raw).hexdigest()}"'
    assert "max-age" in response.headers["Cache-Control"]


def test_registry_signature_is_the_minisig_file(client, settings_env):
    response = client.get(API + "/registry.minisig")
    sig = settings_env.registry_path.with_name(settings_env.registry_path.name + ".minisig").read_bytes()
    assert response.status_code == 200
    assert response.data == sig
    assert response.mimetype == "text/plain"
    assert response.headers["ETag"] == f'"{hashlib.sha256(sig).hexdigest()}"'
    assert response.headers["ETag"] != client.get(API + "/registry").headers["ETag"]


@pytest.mark.parametrize("path", ["/registry", "/registry.minisig"])
def test_if_none_match_gives_304(client, path):
    etag = client.get(API + path).headers["ETag"]
    for header in (etag, f'"other", {etag}', "*", f"W/{etag}"):
        response = client.get(API + path, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.data == b""
        assert response.headers["ETag"] == etag
        assert "Cache-Control" in response.headers
    assert client.get(API + path, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(API + path, headers={"If-None-Match": "garbage,,"}).status_code == 200


def test_served_registry_verifies_with_stock_minisign(client, tmp_path, trusted_test_key):
    binary = shutil.which("minisign")
    if binary is None:
        if os.environ.get("VERIFIER_REQUIRE_MINISIGN"):
            pytest.fail("VERIFIER_REQUIRE_MINISIGN is set but the minisign binary is not on PATH")
        pytest.skip("stock minisign binary not found (apt-get install minisign)")
    (tmp_path / "r.json").write_bytes(client.get(API + "/registry").data)
    (tmp_path / "r.json.minisig").write_bytes(client.get(API + "/registry.minisig").data)
    done = subprocess.run([binary, "-Vm", str(tmp_path / "r.json"), "-P", trusted_test_key.trusted.base64],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Signature and comment signature verified" in done.stdout + done.stderr
    # ... and a tampered copy does not
    (tmp_path / "r.json").write_bytes(client.get(API + "/registry").data.replace(b"tokenpocket", b"tokenp0cket", 1))
    bad = subprocess.run([binary, "-Vm", str(tmp_path / "r.json"), "-P", trusted_test_key.trusted.base64],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0


# --- language ---------------------------------------------------------------------------------


def _is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    "lang, header, expected",
    [
        (None, None, "en"),
        ("zh", None, "zh"),
        ("en", "zh-CN,zh;q=0.9", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "zh-Hant-TW", "zh"),
        (None, "en;q=0.5, zh-TW", "zh"),
        (None, "zh;q=0.1, en", "en"),
        (None, "fr, de;q=0.9", "en"),
        (None, "*", "en"),
        (None, ";;;,,q=x", "en"),
    ],
)
def test_language_selection(client, lang, header, expected):
    headers = {"Accept-Language": header} if header else {}
    payload = {"input": "https://tokenpocket.pro@evil.example/x"} | ({"lang": lang} if lang else {})
    body = client.post(API + "/check", json=payload, headers=headers).get_json()
    assert _is_zh(body["advice"]) == (expected == "zh")
    query = {"input": payload["input"]} | ({"lang": lang} if lang else {})
    got = client.get(API + "/check", query_string=query, headers=headers).get_json()
    assert got["advice"] == body["advice"]


def test_language_on_batch_and_scan(client):
    batch = client.post(API + "/check/batch", json={"inputs": ["evil-tokenpocket.com"], "lang": "zh"}).get_json()
    assert _is_zh(batch["results"][0]["advice"])
    scanned = client.post(API + "/scan", json={"text": "给我助记词 https://evil-tokenpocket.com"},
                          headers={"Accept-Language": "zh-CN"}).get_json()
    assert _is_zh(scanned["signals"][0]["message"])


def test_json_responses_vary_on_accept_language(client):
    assert "Accept-Language" in client.get(API + "/check?input=a.com").headers["Vary"]


# --- batch ------------------------------------------------------------------------------------


def test_batch_keeps_order_and_puts_errors_in_place(client):
    inputs = [
        "tokenpocket.pro",
        "",
        {"input": "tokenpocket_cn", "platform": "telegram"},
        "x" * 5000,
        {"input": "abc", "platform": "myspace"},
        {"input": "abc", "platform": "p" * 65},
        "https://tokenpocket.pro@evil.example/x",
        {"input": "tokenpocket.pro", "platform": None},
    ]
    response = client.post(API + "/check/batch", json={"inputs": inputs})
    assert response.status_code == 200
    body = response.get_json()
    conforms(body, "BatchResponse")
    results = body["results"]
    assert len(results) == len(inputs)
    assert results[0]["verdict"] == "official"
    assert results[1] == {"input": "", "error": {"code": "empty_input", "message": results[1]["error"]["message"]}}
    assert results[2]["verdict"] == "official" and results[2]["platform"] == "telegram"
    assert results[3]["error"]["code"] == "input_too_long" and results[3]["input"] == "x" * 200
    assert results[4]["error"]["code"] == "unknown_platform"
    assert results[5]["error"]["code"] == "field_too_long"
    assert results[6]["verdict"] == "impersonation"
    assert results[7]["verdict"] == "official"


def test_batch_item_errors_match_the_cli_jsonl(client, settings_env, capsys, monkeypatch):
    import io

    from verifier.cli.main import main

    lines = ["tokenpocket.pro", "", "!!!", "x" * 5000, "https://tokenpocket.pro@evil.example/x"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["check", "--jsonl"]) == 0
    cli = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    api = client.post(API + "/check/batch", json={"inputs": lines}).get_json()["results"]
    assert api == cli


@pytest.mark.parametrize(
    "payload, code, field",
    [
        ({"inputs": []}, "no_items", "inputs"),
        ({"inputs": ["a.com"] * 101}, "too_many_items", "inputs"),
        ({}, "missing_field", "inputs"),
        ({"inputs": "a.com"}, "invalid_field", "inputs"),
        ({"inputs": {"input": "a.com"}}, "invalid_field", "inputs"),
        ({"inputs": ["a.com", 3]}, "invalid_field", "inputs[1]"),
        ({"inputs": ["a.com", None]}, "invalid_field", "inputs[1]"),
        ({"inputs": [["a.com"]]}, "invalid_field", "inputs[0]"),
        ({"inputs": [{"platform": "telegram"}]}, "missing_field", "inputs[0].input"),
        ({"inputs": [{"input": 1}]}, "invalid_field", "inputs[0].input"),
        ({"inputs": [{"input": "a", "platform": 1}]}, "invalid_field", "inputs[0].platform"),
        ({"inputs": [{"input": "a", "lang": "zh"}]}, "unknown_field", "inputs[0].lang"),
        ({"inputs": ["a.com"], "platform": "telegram"}, "unknown_field", "platform"),
        ({"inputs": ["a.com"], "lang": "jp"}, "invalid_field", "lang"),
    ],
)
def test_batch_422_table(client, payload, code, field):
    body = problem_of(client.post(API + "/check/batch", json=payload), 422, code)
    assert body["errors"][0]["field"] == field


def test_batch_of_exactly_100(client):
    body = client.post(API + "/check/batch", json={"inputs": ["tokenpocket.pro"] * 100}).get_json()
    assert len(body["results"]) == 100


# --- scan -------------------------------------------------------------------------------------

SCAM = "您好，我是TokenPocket官方客服。请提供您的助记词以便恢复资产，或加微信 tpkf888 联系人工客服: https://tokenpocket-help.com"


def test_scan(client):
    response = client.post(API + "/scan", json={"text": SCAM})
    assert response.status_code == 200
    body = response.get_json()
    conforms(body, "ScanResult")
    assert body["verdict"] == "impersonation"
    assert {"asks_for_secret"} <= {s["code"] for s in body["signals"]}
    assert any(item["verdict"] != "official" for item in body["items"])


def test_scan_matches_the_core(client, app):
    from verifier.scan import scan
    from verifier.web.context import loaded

    with app.app_context():
        expected = scan(SCAM, loaded().verifier).to_dict("en")
    assert client.post(API + "/scan", json={"text": SCAM, "lang": "en"}).get_json() == expected


def test_a_harmless_message_is_never_official(client):
    body = client.post(API + "/scan", json={"text": "Our website is https://tokenpocket.pro"}).get_json()
    assert body["verdict"] == "not_official"
    assert body["items"][0]["verdict"] == "official"


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"text": ""}, 422, "empty_input"),
        ({"text": "  \n "}, 422, "empty_input"),
        ({"text": "a" * (64 * 1024 + 1)}, 422, "input_too_long"),
        ({"text": "助" * 30_000}, 422, "input_too_long"),  # 90,000 bytes of UTF-8 in 30,000 characters
        ({}, 422, "missing_field"),
        ({"text": 3}, 422, "invalid_field"),
        ({"text": "hi", "input": "x"}, 422, "unknown_field"),
        ({"text": "hi", "lang": "ZH"}, 422, "invalid_field"),
    ],
)
def test_scan_errors(client, payload, status, code):
    problem_of(client.post(API + "/scan", json=payload), status, code)


def test_scan_of_exactly_64_kib(client):
    assert client.post(API + "/scan", json={"text": "a " * (32 * 1024)}).status_code == 200


# --- echoed strings stay JSON ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["<script>alert(1)</script>.example", "\"><img src=x onerror=alert(1)>"])
def test_echoed_markup_is_only_a_json_string(client, text):
    for response in (
        client.post(API + "/check", json={"input": text}),
        client.post(API + "/check", json={"input": text, "bad<b>": 1}),
        client.get(API + "/check", query_string={"input": text}),
        client.post(API + "/check/batch", json={"inputs": [text]}),
    ):
        assert response.mimetype in ("application/json", "application/problem+json")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        json.loads(response.data)  # a JSON document, whatever it holds
        assert not response.data.lstrip().startswith(b"<")


def test_health_routes_conform(client):
    conforms(client.get("/healthz").get_json(), "Health")
    conforms(client.get("/readyz").get_json(), "Ready")
