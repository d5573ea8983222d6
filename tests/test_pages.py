"""The web checker's pages with Flask's test client: both languages, escaping, the 422 page,
the message path, the bookmarklet's page summary, security headers, no inline script or style."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest
from bs4 import BeautifulSoup

from verifier import messages, page
from verifier.web import bookmarklet, create_app, i18n

PAGES = ["/", "/bookmarklet", "/check?input=https://tokenpocket.pro/", "/check?input=tokenpocket-kefu.com",
         "/check?input=" + quote("加我微信 tpkf888，官方客服帮你找回资产，请提供助记词"), "/check?input=%25%25%25"]
FAKE_SUMMARY = {
    "v": 1, "title": "TokenPocket 客服中心", "secret_terms": ["助记词", "private key"], "password_fields": 1,
    "textareas": 1, "grid_inputs": 12, "link_hosts": ["tokenpocket-kefu.com", "example.org"],
    "form_hosts": ["collect.evil.example"], "contact_links": ["https://t.me/tokenpocket_kefu"],
}


@pytest.fixture
def app(settings_env):
    return create_app({"SETTINGS": settings_env, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def verdict_of(response) -> str:
    return soup(response).select_one(".verdict-text")["data-verdict"]


# --- every page, both languages ------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders_in_both_languages(client, path, lang):
    response = client.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9" if lang == "zh" else "en-US"})
    assert response.status_code in (200, 422)
    assert response.mimetype == "text/html"
    html = soup(response)
    assert html.html["lang"] == ("zh-CN" if lang == "zh" else "en")
    assert html.select_one(".lang-switch")
    title = html.title.get_text()
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", title)


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_style_or_handlers(client, path):
    html = soup(client.get(path))
    for script in html.find_all("script"):
        assert script.get("src"), "inline <script> would need 'unsafe-inline'"
        assert not script.get_text(strip=True)
    assert not html.find_all("style")
    for tag in html.find_all(True):
        assert "style" not in tag.attrs, tag.name
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag.name
        for attr in ("href", "src", "action"):
            value = tag.get(attr) or ""
            if value.startswith("javascript:"):
                assert tag.get("id") == "bookmarklet", "only the bookmarklet is a javascript: link"


@pytest.mark.parametrize("path", PAGES)
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_static_files_are_served(client):
    for name in ("style.css",):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        response.close()


# --- language ------------------------------------------------------------------------------


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-GB,en;q=0.9", "en"), ("fr-FR, zh-TW;q=0.5", "zh"),
    ("en;q=0.1, zh;q=0.9", "zh"), ("de", None), ("", None), ("zh;q=abc, en", "en"), (None, None),
])
def test_accept_language(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_lang_query_sets_the_only_cookie_and_is_remembered(client):
    response = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("lang=zh")
    assert "SameSite=Lax" in cookies[0] and "HttpOnly" in cookies[0]
    later = client.get("/", headers={"Accept-Language": "en"})
    assert soup(later).html["lang"] == "zh-CN"
    assert "Set-Cookie" not in later.headers
    assert soup(client.get("/?lang=en")).html["lang"] == "en"


def test_bad_lang_values_are_ignored(client):
    response = client.get("/?lang=<script>", headers={"Accept-Language": "zh"})
    assert soup(response).html["lang"] == "zh-CN" and "Set-Cookie" not in response.headers
    client.set_cookie("lang", "xx")
    assert soup(client.get("/", headers={"Accept-Language": "en"})).html["lang"] == "en"


def test_language_switch_keeps_the_result(client):
    html = soup(client.get("/check?input=tokenpocket-kefu.com&lang=en"))
    link = html.select_one(".lang-switch a")["href"]
    assert "input=tokenpocket-kefu.com" in link and "lang=zh" in link


# --- the home page -------------------------------------------------------------------------


def test_home_has_one_paste_box_the_policies_and_the_channels(client, settings_env):
    html = soup(client.get("/?lang=en"))
    form = html.select_one("form#check-form")
    assert form["method"] == "post" and form["action"] == "/check"
    assert form.select_one("textarea[name=input]") and form.select_one("button[type=submit]")
    text = html.get_text()
    assert "never asks for your seed phrase" in text
    assert "service@tokenpocket.pro" in text and "tokenpocket.pro" in text
    zh = soup(client.get("/?lang=zh")).get_text()
    assert "绝不会索要你的助记词" in zh and "主动私聊的都是骗子" in zh


# --- results -------------------------------------------------------------------------------


@pytest.mark.parametrize("value, verdict", [
    ("https://tokenpocket.pro/", "official"),
    ("service@tokenpocket.pro", "official"),
    ("tokenpocket-kefu.com", "impersonation"),
    ("https://t.me/tokenpocket_kefu", "impersonation"),
    ("+86 138 0013 8000", "not_official"),
    ("example.org", "not_official"),
])
def test_result_verdicts(client, value, verdict):
    response = client.get("/check", query_string={"input": value, "lang": "en"})
    assert response.status_code == 200
    assert verdict_of(response) == verdict


def test_official_result_has_no_report_link_and_says_official(client):
    html = soup(client.get("/check?input=https://tokenpocket.pro/&lang=en"))
    assert html.select_one(".verdict-good .verdict-icon").get_text() == "✔"
    assert html.select_one(".verdict-text").get_text() == "Official"
    assert not html.select_one(".report")


def test_impersonation_result_in_plain_words(client):
    html = soup(client.get("/check?input=tokenpocket-kefu.com&lang=zh"))
    assert html.select_one(".verdict-bad .verdict-icon").get_text() == "✘"
    assert html.select_one(".verdict-text").get_text() == messages.verdict_text("impersonation", "zh")
    assert "这不是 TokenPocket 官方渠道" in html.get_text()
    assert html.select_one(".imitates").get_text().count("tokenpocket.pro") >= 1
    report = html.select_one("form.report")  # the report form (issue 6; tests/test_reports.py)
    assert report["method"] == "post" and report.select_one('input[name="channel"]')["value"] == "tokenpocket-kefu.com"


def test_idn_shows_both_forms(client):
    html = soup(client.get("/check", query_string={"input": "tоkenpocket.pro", "lang": "en"}))  # Cyrillic о
    assert html.select_one("#idn-shown").get_text() == "tоkenpocket.pro"
    assert html.select_one("#idn-real").get_text() == "xn--tkenpocket-evi.pro"
    assert verdict_of(client.get("/check", query_string={"input": "tоkenpocket.pro"})) == "impersonation"


def test_hidden_characters_made_visible(client):
    html = soup(client.get("/check", query_string={"input": "https://token\u200bpocket.pro", "lang": "en"}))
    assert "<U+200B>" in html.select_one(".visible-chars").get_text()
    assert verdict_of(client.get("/check", query_string={"input": "https://token\u200bpocket.pro"})) != "official"


@pytest.mark.parametrize("evil", [
    "<script>alert(1)</script>.example.com",
    "https://evil.example/\"><script>alert(1)</script>",
    "'\"><img src=x onerror=alert(1)>",
    "<script>alert('x')</script>\n加我微信 tpkf888 官方客服",
])
def test_echoed_input_is_escaped(client, evil):
    response = client.get("/check", query_string={"input": evil})
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    html = BeautifulSoup(body, "html.parser")
    assert not html.find_all("script", src=False)
    assert not html.find_all("img")


def test_missing_input_goes_home(client):
    response = client.get("/check")
    assert response.status_code == 303 and response.headers["Location"].endswith("/")


@pytest.mark.parametrize("value, code", [
    ("", "empty_input"),
    ("   ", "empty_input"),
    ("%%%", "unrecognised_input"),
    ("%ED%A0%80", "unrecognised_input"),  # a lone surrogate in UTF-8: decoded as U+FFFD
])
def test_invalid_input_is_a_kind_422_page(client, value, code):
    response = client.get(f"/check?lang=en&input={quote(value, safe='%')}")
    assert response.status_code == 422 and response.mimetype == "text/html"
    html = soup(response)
    assert "We could not check this" in html.get_text()
    assert code in html.select_one("details").get_text()


def test_unknown_platform_is_422_not_a_scan(client):
    response = client.get("/check", query_string={"input": "tokenpocket", "platform": "myspace x"})
    assert response.status_code == 422


def test_platform_makes_a_bare_name_an_account(client):
    response = client.get("/check", query_string={"input": "tokenpocket_cn", "platform": "telegram"})
    assert verdict_of(response) == "official"


# --- messages ------------------------------------------------------------------------------


SCAM = "您好，我是TP钱包官方客服。您的钱包存在风险，请立即提供助记词进行验证，\n联系 https://t.me/tokenpocket_kefu"


def test_a_message_is_scanned(client):
    response = client.get("/check", query_string={"input": SCAM, "lang": "en"})
    assert response.status_code == 200
    html = soup(response)
    assert verdict_of(response) == "impersonation"
    codes = {li["data-code"] for li in html.select(".card .reasons > li")}
    assert "asks_for_secret" in codes
    assert "t.me/tokenpocket_kefu" in html.select_one(".items").get_text()
    assert html.select_one("#message-text").get_text() == SCAM


def test_a_long_message_can_come_by_post(client):
    long = SCAM + "\n" + "请尽快处理。" * 600
    response = client.post("/check", data={"input": long})
    assert response.status_code == 200 and verdict_of(response) == "impersonation"


def test_a_harmless_message_is_never_official(client):
    response = client.get("/check", query_string={"input": "Hello, the official site is https://tokenpocket.pro — thanks"})
    assert verdict_of(response) == "not_official"


def test_an_oversized_message_is_422(client):
    response = client.post("/check", data={"input": "x " * 40000})
    assert response.status_code == 422


# --- the bookmarklet's page summary ----------------------------------------------------------


def check_with_summary(client, url, summary, lang="en"):
    raw = summary if isinstance(summary, str) else json.dumps(summary, ensure_ascii=False)
    return client.get("/check", query_string={"input": url, "page": raw, "lang": lang})


def test_page_signs_raise_a_not_official_verdict(client):
    response = check_with_summary(client, "https://help-desk-24.top/kefu", FAKE_SUMMARY)
    html = soup(response)
    codes = [li["data-code"] for li in html.select("#page-signs li")]
    assert {"page_asks_secret", "page_seed_grid", "page_claims_brand", "page_links_fake_support",
            "page_password_field", "page_posts_elsewhere"} <= set(codes)
    assert verdict_of(response) == "impersonation"


def test_page_signs_never_make_an_official_url_worse(client):
    response = check_with_summary(client, "https://tokenpocket.pro/", FAKE_SUMMARY)
    assert verdict_of(response) == "official"
    codes = [li["data-code"] for li in soup(response).select("#page-signs li")]
    assert "page_claims_brand" not in codes


def test_one_weak_sign_changes_nothing(client):
    response = check_with_summary(client, "https://example.org/login", {"v": 1, "password_fields": 1})
    assert verdict_of(response) == "not_official"
    assert [li["data-code"] for li in soup(response).select("#page-signs li")] == ["page_password_field"]


def test_brand_title_alone_is_suspicious(client):
    response = check_with_summary(client, "https://example.org/", {"title": "TP钱包 在线客服"}, lang="zh")
    assert verdict_of(response) == "suspicious"


def test_an_empty_summary_says_nothing_was_found(client):
    response = check_with_summary(client, "https://example.org/", {"v": 1})
    assert soup(response).select_one("#page-signs") and verdict_of(response) == "not_official"


@pytest.mark.parametrize("raw", [
    "{not json", "[1, 2]", "null", "\"text\"", '{"a": NaN}', '{"a": 1, "a": 2}', "[" * 500 + "]" * 500,
    json.dumps({"title": "x" * 7000}),
    json.dumps({"title": 5, "secret_terms": "助记词", "grid_inputs": True, "password_fields": -1,
                "textareas": 10**9, "link_hosts": [1, 2], "form_hosts": ["a b"], "contact_links": {"a": 1}}),
    json.dumps({"link_hosts": ["x" * 300]}),
    json.dumps({"title": "\ud800"}),
    json.dumps({"secret_terms": ["not a listed word"] * 50}),
])
def test_malformed_summaries_never_crash(client, raw):
    response = check_with_summary(client, "https://example.org/", raw)
    assert response.status_code == 200
    assert verdict_of(response) == "not_official"


def test_malformed_fields_are_named_in_a_note(client):
    response = check_with_summary(client, "https://example.org/", {"title": 5, "grid_inputs": "24"})
    note = soup(response).select_one('#page-signs li[data-code="page_summary_ignored"]').get_text()
    assert "title" in note and "grid_inputs" in note


def test_summary_strings_are_escaped(client):
    summary = {"title": "<script>alert(1)</script> TokenPocket", "link_hosts": ["tokenpocket-kefu.com"]}
    body = check_with_summary(client, "https://example.org/", summary).get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body


# --- the page analysis itself ----------------------------------------------------------------


def test_analysis_caps_and_table(core):
    summary = {"link_hosts": [f"h{i}.example" for i in range(100)], "secret_terms": ["SEED PHRASE", "bogus"]}
    clean, bad = page.clean_summary(summary)
    assert len(clean["link_hosts"]) == page.MAX_LINK_HOSTS and not bad
    assert clean["secret_terms"] == ["SEED PHRASE"]
    assert page.analyse_summary("nope", "example.org", core) == [page.Reason.of("page_summary_ignored", fields="page")]


def test_posting_to_the_same_site_is_not_elsewhere(core):
    reasons = page.analyse_summary({"form_hosts": ["login.example.org", "example.org"]}, "www.example.org", core)
    assert not reasons


def test_every_page_code_has_both_languages_and_a_sign_row():
    for sign in page.SIGNS:
        message = messages.MESSAGES[sign.code]
        assert re.search(r"[\u4e00-\u9fff]", message.zh)
        assert set(re.findall(r"{(\w+)}", message.en)) == set(re.findall(r"{(\w+)}", message.zh))


# --- the bookmarklet -------------------------------------------------------------------------


def test_bookmarklet_page(client):
    response = client.get("/bookmarklet?lang=en")
    html = soup(response)
    link = html.select_one("a#bookmarklet")
    assert link["href"].startswith("javascript:")
    source = unquote(link["href"][len("javascript:"):])
    assert '"http://localhost"' in source and "window.open(" in source
    assert "\\u52a9\\u8bb0\\u8bcd" in source  # 助记词, from verifier.page.SECRET_TERMS
    text = html.get_text()
    assert "bookmarks bar" in text and "书签栏" in text  # instructions in both languages


def test_bookmarklet_source_is_minified_and_sane():
    source = bookmarklet.script("https://checker.example")
    assert "\n" not in source and "__ORIGIN__" not in source and "__SECRET_TERMS__" not in source
    assert source.count("(") == source.count(")") and source.count("{") == source.count("}")
    assert len(bookmarklet.href("https://checker.example")) < 6000


@pytest.mark.parametrize("root, origin", [
    ("http://localhost/", "http://localhost"), ("https://checker.example:8443/", "https://checker.example:8443"),
])
def test_origin_of(root, origin):
    assert bookmarklet.origin_of(root) == origin


def test_origin_of_refuses_odd_hosts():
    with pytest.raises(ValueError):
        bookmarklet.origin_of("http://a\"b/")
