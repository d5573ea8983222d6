"""What integrators meet (issue 13): a pasted message sent as one value, errors in the asked
language, the IETF rate-limit fields on every API answer, the OpenAPI document's servers and
titles, and one truth per answer for a handle given without its platform."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from verifier.cli.main import main
from verifier.message_shape import looks_like_message
from verifier.web import create_app

CJK = re.compile(r"[\u4e00-\u9fff]")
MESSAGE = "Hi, I am TokenPocket support. Mail me at help@tokenpocket-help.com to unfreeze your wallet"


@pytest.fixture
def client(settings_env):
    return create_app({"SETTINGS": settings_env}).test_client()


# --- looks_like_message: the principle, positives and negatives side by side ----------------

SHAPES = [
    # a message: several words, sentences, lines, or Chinese text around an address
    (MESSAGE, True),
    ("mail me at help@tp-support.com", True),                   # three words around an address
    ("Support: help@tp-support.com", True),                     # two words and sentence punctuation
    ("您好，我是官方客服，请联系 help@tp-support.com", True),      # Chinese sentence, then the address
    ("请联系客服help@tp-support.com!", True),                     # CJK text around an address, no space
    ("first line\nhelp@tp-support.com", True),                  # two lines with words
    ("word " * 3 + "x" * 80, True),
    # one value gone wrong: keeps its own refusal
    ("help@@tp-support.com", False),
    ("john doe@example.com", False),                            # two words, no sentence mark
    ("!!!", False),
    ("@@", False),
    ("客服", False),                                             # two ideographs alone: a search word, not a message
    ("\x1a\f(\r\U000e60c2¤", False),                            # "lines" of control characters hold no words
    ("https://tokenpocket.pro@evil.example/x", False),
]


@pytest.mark.parametrize("text, expected", SHAPES)
def test_what_looks_like_a_message(text, expected):
    assert looks_like_message(text) is expected


def test_a_message_sent_to_check_points_to_scan(client):
    problem = client.post("/api/v1/check", json={"input": MESSAGE}).get_json()
    assert problem["status"] == 422 and problem["code"] == "looks_like_message"
    assert problem["scan_endpoint"] == "/api/v1/scan" and "POST /api/v1/scan" in problem["detail"]
    assert problem["title"] == "Looks like a message"
    # What it points to answers the same text.
    scanned = client.post("/api/v1/scan", json={"text": MESSAGE})
    assert scanned.status_code == 200 and scanned.get_json()["items"][0]["input"] == "help@tokenpocket-help.com"
    # One mistyped address keeps its own refusal.
    typo = client.post("/api/v1/check", json={"input": "help@@tokenpocket-help.com"}).get_json()
    assert typo["code"] == "invalid_email" and "scan_endpoint" not in typo


def test_a_message_in_a_batch_is_an_item_pointing_to_scan(client):
    results = client.post("/api/v1/check/batch", json={"inputs": [MESSAGE, "tokenpocket.pro", "!!!"]}).get_json()["results"]
    assert results[0]["error"]["code"] == "looks_like_message"
    assert results[0]["error"]["scan_endpoint"] == "/api/v1/scan"
    assert results[1]["verdict"] == "official"
    assert results[2]["error"] == {"code": "unrecognised_input", "message": results[2]["error"]["message"]}


@pytest.mark.parametrize("lang, words", [("en", "verifier scan"), ("zh", "verifier scan")])
def test_the_cli_says_the_same_and_points_to_verifier_scan(settings_env, capsys, lang, words):
    assert main(["check", "--lang", lang, MESSAGE]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: looks_like_message: ") and words in err and "/api/v1/scan" not in err
    assert bool(CJK.search(err)) is (lang == "zh")


# --- errors in the person's language ---------------------------------------------------------

RAW_JSON = {"Content-Type": "application/json"}
ERRORS = [
    # (how to send it, code, status, English title)
    (dict(method="POST", path="/api/v1/check", data="{", headers=RAW_JSON), "bad_json", 400, "Bad JSON"),
    (dict(method="POST", path="/api/v1/check", json={"input": "x", "verbose": True}), "unknown_field", 422, "Unknown field"),
    (dict(method="POST", path="/api/v1/check", json={"platform": "x"}), "missing_field", 422, "Missing field"),
    (dict(method="POST", path="/api/v1/check", json={"input": "!!!"}), "unrecognised_input", 422, "Unrecognised input"),
    (dict(method="POST", path="/api/v1/check", json={"input": "   "}), "empty_input", 422, "Empty input"),
    (dict(method="POST", path="/api/v1/check", json={"input": "a" * 5000}), "input_too_long", 422, "Input too long"),
    (dict(method="POST", path="/api/v1/check", json={"input": "tokenpocket_cn", "platform": "myspace"}),
     "unknown_platform", 422, "Unknown platform"),
    (dict(method="POST", path="/api/v1/check", json={"input": MESSAGE}), "looks_like_message", 422, "Looks like a message"),
    (dict(method="POST", path="/api/v1/check", data="input=x", headers={"Content-Type": "application/x-www-form-urlencoded"}),
     "unsupported_media_type", 415, "Unsupported media type"),
    (dict(method="POST", path="/api/v1/check/batch", json={"inputs": []}), "no_items", 422, "No items"),
    (dict(method="GET", path="/api/v1/no-such-route"), "not_found", 404, "Not found"),
    (dict(method="DELETE", path="/api/v1/check"), "method_not_allowed", 405, "Method not allowed"),
    (dict(method="GET", path="/api/v1/check?input=tokenpocket.pro", headers={"Authorization": "Bearer tpv_wrong"}),
     "invalid_api_key", 401, "Invalid API key"),
]


def _send(client, how: dict, lang_by: str | None):
    how = {**how, "headers": dict(how.get("headers") or {})}
    if lang_by == "header":
        how["headers"]["Accept-Language"] = "zh-CN,zh;q=0.9,en;q=0.5"
    elif lang_by == "field":  # the body's lang, or the query's for a request without a JSON body
        if isinstance(how.get("json"), dict):
            how["json"] = {**how["json"], "lang": "zh"}
        else:
            how["path"] += ("&" if "?" in how["path"] else "?") + "lang=zh"
    method, path = how.pop("method"), how.pop("path")
    return client.open(path, method=method, **how)


@pytest.mark.parametrize("how, code, status, title", ERRORS, ids=[e[1] for e in ERRORS])
@pytest.mark.parametrize("lang_by", ["field", "header"])
def test_an_error_is_in_the_asked_language(client, how, code, status, title, lang_by):
    english = _send(client, how, None)
    chinese = _send(client, how, lang_by)
    assert english.status_code == chinese.status_code == status
    en, zh = english.get_json(), chinese.get_json()
    assert en["code"] == zh["code"] == code
    assert en["title"] == title and not CJK.search(en["detail"])
    assert CJK.search(zh["title"]) and CJK.search(zh["detail"]), zh
    for item in zh.get("errors", []):  # field errors too
        assert CJK.search(item["message"]), item


def test_batch_items_are_in_the_asked_language(client):
    inputs = ["!!!", MESSAGE, "help@@tokenpocket-help.com", {"input": "tokenpocket_cn", "platform": "x" * 70}]
    for lang, chinese in (("zh", True), ("en", False)):
        results = client.post("/api/v1/check/batch", json={"inputs": inputs, "lang": lang}).get_json()["results"]
        codes = [r["error"]["code"] for r in results]
        assert codes == ["unrecognised_input", "looks_like_message", "invalid_email", "field_too_long"]
        assert all(bool(CJK.search(r["error"]["message"])) is chinese for r in results), results
    results = client.post("/api/v1/check/batch", json={"inputs": ["!!!"]}, headers={"Accept-Language": "zh"}).get_json()
    assert CJK.search(results["results"][0]["error"]["message"])


# --- RateLimit-Policy and RateLimit on every API answer ---------------------------------------

SF_POLICY = re.compile(r'"anonymous";q=(\d+);w=(\d+)')
SF_STATE = re.compile(r'"anonymous";r=(\d+);t=(\d+)')


def test_every_api_answer_says_the_policy_and_what_is_left(settings_env):
    client = create_app({"SETTINGS": replace(settings_env, ratelimit_anon="4/minute")}).test_client()
    answers = [
        client.get("/api/v1/check?input=tokenpocket.pro"),          # 200
        client.post("/api/v1/check", json={"input": "!!!"}),         # 422
        client.get("/api/v1/no-such-route"),                        # 404
        client.get("/api/v1/openapi.json"),                         # 200, not JSON of ours
        client.get("/api/v1/check?input=tokenpocket.pro"),          # 429
    ]
    assert [a.status_code for a in answers] == [200, 422, 404, 200, 429]
    remaining = []
    for answer in answers:
        assert SF_POLICY.fullmatch(answer.headers["RateLimit-Policy"]).groups() == ("4", "60")
        r, t = SF_STATE.fullmatch(answer.headers["RateLimit"]).groups()
        assert 0 <= int(t) <= 60
        remaining.append(int(r))
    assert remaining == [3, 2, 1, 0, 0]
    limited = answers[-1]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "RateLimit" in limited.headers["Access-Control-Expose-Headers"]
    # A refused key is not counted: the anonymous window is shown as it stands.
    refused = client.get("/api/v1/check?input=tokenpocket.pro", headers={"Authorization": "Bearer tpv_wrong"})
    assert refused.status_code == 401 and SF_STATE.fullmatch(refused.headers["RateLimit"])[1] == "0"
    # The pages are not API answers (and not limited): no such fields there.
    assert "RateLimit" not in client.get("/").headers


def test_a_key_has_its_own_policy_names(settings_env):
    from verifier.state import apikeys
    from verifier.state.store import StateStore

    with StateStore(settings_env.database_path) as store:
        _, token = apikeys.create(store, "tool", limit="5/second;100/hour")
    client = create_app({"SETTINGS": settings_env}).test_client()
    answer = client.get("/api/v1/check?input=tokenpocket.pro", headers={"Authorization": f"Bearer {token}"})
    assert answer.headers["RateLimit-Policy"] == '"key";q=5;w=1, "key-2";q=100;w=3600'
    assert re.fullmatch(r'"key";r=4;t=[01], "key-2";r=99;t=\d+', answer.headers["RateLimit"])


# --- the OpenAPI document ---------------------------------------------------------------------


@pytest.mark.parametrize("public_url, servers", [
    ("", [{"url": "/", "description": "the origin this document was fetched from"}]),
    ("https://checker.example", [{"url": "https://checker.example", "description": "this service (VERIFIER_PUBLIC_URL)"}]),
])
def test_the_openapi_document_names_its_server(settings_env, public_url, servers):
    client = create_app({"SETTINGS": replace(settings_env, public_url=public_url)}).test_client()
    doc = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert doc["servers"] == servers  # never the Host header's claim
    title = doc["components"]["schemas"]["Problem"]["properties"]["title"]
    assert "Bad JSON" in title["examples"] and "Invalid API key" in title["examples"]


# --- one truth per answer -----------------------------------------------------------------------


@pytest.mark.parametrize("value, platform, kind_line", [
    ("@TokenPocket_TP", None, "kind: handle → TokenPocket_TP"),          # where it lives is unknown
    ("TokenPocket_TP", None, "kind: handle → TokenPocket_TP"),
    ("twitter:TokenPocket_TP", "twitter", "kind: handle on twitter → TokenPocket_TP"),
    ("https://x.com/TokenPocket_TP", "twitter", "kind: handle on twitter → TokenPocket_TP"),
])
def test_a_handle_without_its_platform_is_not_placed(settings_env, capsys, value, platform, kind_line):
    assert main(["check", "--json", value]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["platform"] == platform
    assert ("platform_unknown" in [r["code"] for r in result["reasons"]]) is (platform is None)
    main(["check", value])
    assert kind_line in capsys.readouterr().out
