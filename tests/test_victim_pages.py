"""Issue 13, the victim's half, with Flask's test client: a scam message says so and what to do,
reports from it in one form, who reads a report, refusals in the person's language, the 404
page, and none of the leftovers (raw keys, ISO dates, doubled colons) on a Chinese page."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from verifier.web import create_app

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"
SCAM_ZH = ("您好，我是TP钱包官方客服。您的钱包已被冻结，请在24小时内提供助记词完成验证，并支付0.05 ETH解冻费到 "
           f"{WALLET}。加微信 tpkf8888 或访问 tokenpocket-kefu[.]com")
SCAM_EN = ("Hello, this is TokenPocket support. Your wallet is frozen: send your 12-word seed phrase to verify it "
           "within 24 hours at https://tokenpocket-support.top/verify")


@pytest.fixture
def client(settings_env):
    return create_app({"SETTINGS": settings_env, "TESTING": True, "REPORTS_REFRESH_SECONDS": 0}).test_client()


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def check(client, text: str, lang: str):
    return client.post(f"/check?lang={lang}", data={"input": text}, headers=SAME_SITE)


# --- a scam message: "this is a scam", then the steps ----------------------------------------------


@pytest.mark.parametrize("lang, text, headline", [
    ("zh", SCAM_ZH, "这是诈骗"),
    ("en", SCAM_EN, "This is a scam"),
])
def test_a_scam_message_is_called_a_scam_with_the_steps_in_order(client, lang, text, headline):
    html = soup(check(client, text, lang))
    verdict = html.select_one(".verdict-text")
    assert verdict.get_text(strip=True) == headline and verdict["data-verdict"] == "impersonation"
    steps = [li["id"] for li in html.select("#scam-steps > ol > li")]
    assert steps == ["step-stop", "step-never", "step-help", "step-report"]
    assert [a["href"] for a in html.select("#step-help a")] == [
        "https://tokenpocket.pro/", "https://help.tokenpocket.pro/", "mailto:service@tokenpocket.pro"]
    # the steps come before the message and its technical details
    page = str(html)
    assert page.index('id="scam-steps"') < page.index('id="message-text"')


@pytest.mark.parametrize("text", [
    "Meeting at 10, the site is https://tokenpocket.pro/ see you",  # official link, no scam sign
    "你好，明天一起吃饭吗？我们在老地方见",  # nothing at all
])
def test_a_message_without_scam_signs_is_not_called_a_scam(client, text):
    html = soup(check(client, text, "zh"))
    assert html.select_one(".verdict-text").get_text(strip=True) != "这是诈骗"
    assert html.select_one("#scam-steps") is None


def test_a_wallet_in_a_scam_message_is_where_the_money_would_go(client):
    html = soup(check(client, SCAM_ZH, "zh"))
    wallet = next(li for li in html.select("li.item") if WALLET in li.get_text())
    assert "骗子想让你转钱过去" in wallet.get_text() and "不是客服渠道" not in wallet.get_text()
    # outside a message it is still "not a support channel"
    alone = soup(client.get("/check", query_string={"input": WALLET, "lang": "zh"})).get_text()
    assert "不是客服渠道" in alone


def test_reporting_a_scam_message_sends_every_fake_channel_in_one_form(client):
    html = soup(check(client, SCAM_ZH, "zh"))
    form = html.select_one("#report-message form")
    channels = [i["value"] for i in form.select("input[name=channel]")]
    assert set(channels) == {WALLET, "tpkf8888", "tokenpocket-kefu.com"}
    what = form.select_one("textarea[name=what_happened]").get_text()
    assert "提供助记词" in what and "tpkf8888" not in what  # the scam phrases, not the whole message
    data = [("channel", c) for c in channels] + [("platform", i["value"]) for i in form.select("input[name=platform]")]
    data.append(("what_happened", what))
    thanks = client.post(form["action"], data=MultiDict(data), headers=SAME_SITE)
    assert thanks.status_code == 200
    page = soup(thanks)
    ids = [a.get_text() for a in page.select("#report-list a.report-id")]
    assert len(ids) == 3 and len(set(ids)) == 3
    for report_id in ids:
        assert client.get(f"/api/v1/reports/{report_id}").get_json()["status"] == "open"


# --- who reads a report ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang, reader, not_said", [
    ("zh", "本查询工具的维护人员", "联系 TokenPocket 官方客服时请提供"),
    ("en", "maintainers of this checker", "if you contact TokenPocket support"),
])
def test_the_form_and_the_thank_you_page_say_who_reads_a_report(client, lang, reader, not_said):
    form = soup(client.get("/check", query_string={"input": "tokenpocket-refund.top", "lang": lang}))
    assert reader in form.select_one("form.report").get_text()
    thanks = client.post(f"/report?lang={lang}", data={"channel": "tokenpocket-refund.top", "what_happened": "助记词"},
                         headers=SAME_SITE)
    text = soup(thanks).get_text()
    assert reader in text and not_said not in text
    assert ("不是 TokenPocket" in text) if lang == "zh" else ("not TokenPocket" in text)
    assert soup(thanks).select_one("#report-who") is not None


# --- refusals in the person's language ---------------------------------------------------------------


@pytest.mark.parametrize("lang, fields, words", [
    ("zh", {"what_happened": "   "}, "请填写“发生了什么？（必填）”"),
    ("zh", {"what_happened": "x" * 2001}, "最多 2000 个字"),
    ("zh", {"what_happened": "骗子", "contact": "c" * 201}, "“怎样联系你？"),
    ("en", {"what_happened": ""}, "Please fill in “What happened? (required)”"),
    ("en", {"what_happened": "x" * 2001}, "at most 2000 characters"),
])
def test_report_refusals_are_in_the_page_language(client, lang, fields, words):
    response = client.post(f"/report?lang={lang}", data={"channel": "tokenpocket-refund.top", **fields}, headers=SAME_SITE)
    assert response.status_code == 422
    error = soup(response).select_one("#report-error").get_text()
    assert words in error
    assert "invalid_field" not in error and "field_too_long" not in error and "'what_happened'" not in error
    if lang == "zh":
        assert not re.search(r"[A-Za-z]{4,}", error.replace("TokenPocket", ""))


def test_an_uncheckable_channel_is_refused_in_chinese(client):
    response = client.post("/report?lang=zh", data={"channel": "%%%", "what_happened": "骗子"}, headers=SAME_SITE)
    assert response.status_code == 422
    assert "无法举报" in soup(response).select_one("#report-error").get_text()


@pytest.mark.parametrize("fields, code", [
    ({"input": "%%%"}, "unrecognised_input"),
    ({"input": "tokenpocket_cn", "platform": "myspace"}, "unknown_platform"),
])
def test_the_check_page_says_why_in_chinese(client, fields, code):
    response = client.post("/check?lang=zh", data=fields, headers=SAME_SITE)
    assert response.status_code == 422
    detail = soup(response).select_one("#invalid-detail")
    assert detail.select_one("[data-code]")["data-code"] == code
    said = detail.get_text().replace(f"({code})", "")
    assert re.search(r"[\u4e00-\u9fff]", said)
    for english in ("not something we can check", "unknown platform", "expected"):  # the API's English words
        assert english not in said


# --- the 404 page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [("zh", "没有这个页面"), ("en", "This page does not exist")])
def test_a_missing_page_is_a_calm_page(client, lang, words):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    html = soup(response)
    assert words in html.select_one("#not-found").get_text()
    assert html.select_one("form.check-form textarea[name=input]") is not None


def test_a_missing_api_path_stays_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "not_found"


# --- leftovers on the Chinese pages ----------------------------------------------------------------------

LEFTOVERS = [
    r"\((?:telegram|twitter|x|wechat|evm|tron)\)",  # a raw platform or chain key in brackets
    r"(?<![a-z])evm 钱包", r"\ba evm\b", r"\d{4}-\d\d-\d\dT\d\d:\d\d",  # a chain key, an ISO timestamp
    r"[:：]\s*[:：]",  # doubled colons
    r"[\u4e00-\u9fff）]: ",  # an ASCII colon after Chinese text
]


@pytest.mark.parametrize("path", [
    "/check?input=telegram%3Atokenpocket_kefu", f"/check?input={WALLET}", "/check?input=x%3Atokenpocket_tp",
    "/check?input=tokenpocket-kefu.com", "/", "/bookmarklet",
])
def test_no_leftovers_on_the_chinese_pages(client, path):
    text = soup(client.get(path + ("&" if "?" in path else "?") + "lang=zh")).get_text(" ")
    for pattern in LEFTOVERS:
        assert not re.search(pattern, text), (pattern, re.search(pattern, text).group(0))


def test_no_leftovers_on_a_chinese_message_page(client):
    text = soup(check(client, SCAM_ZH, "zh")).get_text(" ")
    for pattern in LEFTOVERS:
        assert not re.search(pattern, text), pattern


def test_dates_are_written_as_people_write_them(client):
    zh = soup(client.get("/?lang=zh")).select_one("#official-h").find_next("p").get_text()
    en = soup(client.get("/?lang=en")).select_one("#official-h").find_next("p").get_text()
    assert re.search(r"有效期至 \d{4}年\d{1,2}月\d{1,2}日", zh)
    assert re.search(r"valid until \d{1,2} (?:January|February|March|April|May|June|July|August|September|"
                     r"October|November|December) \d{4}", en)


def test_the_wallet_reason_names_the_chain(client):
    en = soup(client.get("/check", query_string={"input": WALLET, "lang": "en"})).select_one(".reasons").get_text()
    assert "a wallet address (Ethereum/EVM)" in en
    zh = soup(client.get("/check", query_string={"input": WALLET, "lang": "zh"})).select_one(".reasons").get_text()
    assert "以太坊/EVM 钱包地址" in zh


@pytest.mark.parametrize("lang, first, second", [("zh", "steps-zh", "steps-en"), ("en", "steps-en", "steps-zh")])
def test_the_bookmarklet_page_puts_its_own_language_first_and_can_copy(client, lang, first, second):
    html = soup(client.get(f"/bookmarklet?lang={lang}"))
    order = [div["class"][0] for div in html.select(".both-langs > div")]
    assert order == [first, second]
    button = html.select_one("button#bm-copy")
    assert button is not None and button["data-copied"]
    served = client.get(html.select_one("script[src]")["src"])
    assert served.status_code == 200 and b"bm-copy" in served.data
    served.close()
