"""The words victims search support with ("tp钱包客服") answered with the official contacts.

Recognised by a principle (brand term + support words + filler, nothing checkable), so the
table holds victims' real wordings next to near misses that must keep their own answer."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from verifier.errors import InvalidInputError
from verifier.search_phrase import SearchPhrase
from verifier.web import create_app

SEARCHES = [
    "tp钱包客服", "tpwallet 客服", "TokenPocket support", "TP钱包人工客服", "tokenpocket客服电话", "TP 钱包 客服",
    "Token Pocket customer service", "TP钱包官网", "tp钱包怎么联系客服？", "TokenPocket support phone number",
    "ＴＰ钱包客服", "tokenpocket钱包在线客服", "TP Wallet help center",
]
# Not a search: no brand, no support word, or something checkable or unknown left over.
NOT_SEARCHES = [
    "tp钱包", "客服", "imToken 客服", "metamask support", "tpx客服", "http客服",
    "tp钱包客服 tpkf888", "tokenpocket support 13800138000", "tokenpocket.pro 客服", "tp钱包客服加微信tpkf88",
    "我的钱包被盗了怎么办",
]


@pytest.fixture
def client(settings_env):
    return create_app({"SETTINGS": settings_env, "TESTING": True}).test_client()


@pytest.fixture
def verifier(client):
    return client.application.extensions["verifier"].verifier  # the app's own (its registry's brand terms)


@pytest.mark.parametrize("text", SEARCHES)
def test_search_phrases_are_recognised(verifier, text):
    assert verifier.search_phrases.matches(text)
    with pytest.raises(SearchPhrase) as raised:
        verifier.check(text)
    assert "tokenpocket.pro" in raised.value.message


@pytest.mark.parametrize("text", NOT_SEARCHES)
def test_near_misses_are_not_search_phrases(verifier, text):
    assert not verifier.search_phrases.matches(text)
    try:
        verifier.check(text)
    except SearchPhrase:  # pragma: no cover - the assertion below names it
        pytest.fail(f"{text!r} answered as a search phrase")
    except InvalidInputError:
        pass  # refused, or (handles) checked: either way its own answer


def test_a_checkable_name_with_support_words_stays_a_check(verifier):
    # One word a handle could be: checked (and flagged), never "just a search".
    assert verifier.check("tokenpocket_kefu").verdict == "impersonation"


@pytest.mark.parametrize("text", ["tp钱包客服", "TokenPocket support", "TP钱包人工客服"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_answers_with_the_official_routes(client, text, lang):
    response = client.get("/check", query_string={"input": text, "lang": lang})
    assert response.status_code == 200
    html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert html.select_one("#search-answer") is not None
    assert "无法查询" not in html.get_text() and "could not check" not in html.get_text()
    routes = [a["href"] for a in html.select(".channels a")]
    assert routes[:3] == ["https://tokenpocket.pro/", "https://help.tokenpocket.pro/", "mailto:service@tokenpocket.pro"]
    warning = html.select_one("#search-warning").get_text()
    assert ("搜索" in warning and "假冒" in warning) if lang == "zh" else "Search results and ads" in warning


def test_a_near_miss_page_is_still_the_422(client):
    assert client.get("/check", query_string={"input": "tp钱包", "lang": "zh"}).status_code == 422


@pytest.mark.parametrize("request_", [
    ("get", "/api/v1/check?input=tp%E9%92%B1%E5%8C%85%E5%AE%A2%E6%9C%8D&lang=zh", None),
    ("post", "/api/v1/check?lang=zh", {"input": "TokenPocket support"}),
    ("post", "/api/v1/check", {"input": "TP钱包人工客服", "lang": "zh"}),  # the language asked in the body
])
def test_the_api_answers_200_with_kind_search_phrase(client, request_):
    method, path, body = request_
    response = getattr(client, method)(path, json=body) if body else getattr(client, method)(path)
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["kind"] == "search_phrase" and "verdict" not in data
    assert [c["value"] for c in data["contacts"]] == ["tokenpocket.pro", "help.tokenpocket.pro", "service@tokenpocket.pro"]
    assert data["contacts"][0]["label"] == {"en": "Official website", "zh": "官方网站"}
    assert data["warning"]["code"] == "search_results_fakes" and "搜索" in data["warning"]["message"]


def test_the_api_still_refuses_a_search_phrase_where_a_channel_is_needed(client):
    response = client.post("/api/v1/reports", json={"channel": "tp钱包客服", "what_happened": "搜到的客服"})
    assert response.status_code == 422 and response.get_json()["code"] == "search_phrase"
    batch = client.post("/api/v1/check/batch", json={"inputs": ["tp钱包客服", "tokenpocket.pro"]}).get_json()
    assert batch["results"][0]["error"]["code"] == "search_phrase"
    assert batch["results"][1]["verdict"] == "official"
