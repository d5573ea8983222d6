"""The origin the bookmarklet reports to (verifier/web/origin.py, issue 12): VERIFIER_PUBLIC_URL,
else a Host in VERIFIER_ALLOWED_HOSTS, else a 421 page in zh/en. A made-up Host header never
reaches a bookmarklet, and the page tells caches not to keep it."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from verifier.config import Settings, SettingsError
from verifier.web import create_app
from verifier.web.origin import host_allowed

EVIL = "evil.example"


def make_client(settings: Settings, **changes):
    return create_app({"SETTINGS": replace(settings, **changes), "TESTING": True}).test_client()


def bookmarklet_source(response) -> str:
    link = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("a#bookmarklet")
    assert link is not None, response.get_data(as_text=True)[:500]
    return unquote(link["href"][len("javascript:"):])


@pytest.mark.parametrize("host", [EVIL, f"{EVIL}:8000", "localhost.evil.example", "127.0.0.1.evil.example"])
def test_with_a_public_url_the_host_header_never_reaches_the_bookmarklet(settings_env, host):
    client = make_client(settings_env, public_url="https://checker.example")
    response = client.get("/bookmarklet?lang=en", headers={"Host": host})
    assert response.status_code == 200
    source = bookmarklet_source(response)
    assert '"https://checker.example"' in source
    assert EVIL not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang, words", [("en", "not the checker's own address"), ("zh", "不是本查询工具自己的地址")])
@pytest.mark.parametrize("host", [EVIL, f"{EVIL}:8000", "localhost@evil.example", "localhost.evil.example", "[::2]"])
def test_a_host_outside_the_allow_list_gets_no_bookmarklet(settings_env, host, lang, words):
    client = make_client(settings_env)  # no VERIFIER_PUBLIC_URL: the default allow-list (loopback)
    response = client.get(f"/bookmarklet?lang={lang}", headers={"Host": host})
    assert response.status_code == 421 and response.mimetype == "text/html"
    html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert html.select_one("a#bookmarklet") is None and "javascript:" not in str(html)
    assert words in html.select_one("h1").get_text()
    assert "VERIFIER_PUBLIC_URL" in html.get_text()
    assert response.headers["Cache-Control"] == "no-store" and "Host" in response.headers["Vary"]


@pytest.mark.parametrize("host, origin", [
    ("localhost", "http://localhost"), ("127.0.0.1:8000", "http://127.0.0.1:8000"), ("[::1]:8000", "http://[::1]:8000"),
])
def test_the_loopback_names_work_without_settings(settings_env, host, origin):
    response = make_client(settings_env).get("/bookmarklet", headers={"Host": host})
    assert response.status_code == 200 and f'"{origin}"' in bookmarklet_source(response)


def test_an_allowed_host_is_used_and_others_are_not(settings_env):
    client = make_client(settings_env, allowed_hosts=("checker.example", "tp.example:8443"))
    assert '"http://checker.example:8080"' in bookmarklet_source(client.get("/bookmarklet", headers={"Host": "Checker.Example:8080"}))
    assert client.get("/bookmarklet", headers={"Host": "tp.example:8443"}).status_code == 200
    assert client.get("/bookmarklet", headers={"Host": "tp.example:8444"}).status_code == 421
    assert client.get("/bookmarklet", headers={"Host": "localhost"}).status_code == 421  # not listed any more


def test_the_bookmarklet_page_is_not_kept_by_caches(settings_env):
    response = make_client(settings_env).get("/bookmarklet")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert {"Host", "Accept-Language", "Cookie"} <= vary


def test_host_allowed():
    allowed = ("localhost", "127.0.0.1", "::1", "[2001:db8::1]:8443", "checker.example.")
    assert host_allowed("LOCALHOST:8000", allowed) and host_allowed("127.0.0.1", allowed)
    assert host_allowed("[::1]", allowed) and host_allowed("[::1]:8000", allowed)
    assert host_allowed("[2001:db8::1]:8443", allowed) and not host_allowed("[2001:db8::1]:80", allowed)
    assert host_allowed("checker.example", allowed) and host_allowed("checker.example.:443", allowed)
    for host in ("", "evil.example", "localhost@evil.example", "evil.example#localhost", "localhost/x", "127.0.0.1 ",
                 "127.0.0.1:99999999", "localhost:80:80", "[::1", "::1"):
        assert not host_allowed(host, allowed), host


def test_public_url_is_checked_and_normalised():
    assert Settings.from_env({"VERIFIER_PUBLIC_URL": "HTTPS://Checker.Example/"}).public_url == "https://checker.example"
    assert Settings.from_env({"VERIFIER_PUBLIC_URL": "http://[::1]:8000"}).public_url == "http://[::1]:8000"
    for bad in ("checker.example", "ftp://checker.example", "https://checker.example/tp", "https://u@checker.example",
                "https://checker.example?x=1", "javascript:alert(1)//"):
        with pytest.raises(SettingsError) as raised:
            Settings.from_env({"VERIFIER_PUBLIC_URL": bad})
        assert "VERIFIER_PUBLIC_URL" in raised.value.message
    assert Settings.from_env({"VERIFIER_ALLOWED_HOSTS": "a.example, b.example:8443"}).allowed_hosts == ("a.example", "b.example:8443")


def test_the_report_form_trusts_only_this_sites_origin(settings_env):
    """Without Sec-Fetch-Site, Origin is compared with the public origin, not with the Host."""
    client = make_client(settings_env, public_url="https://checker.example", ratelimit_anon="1000/minute")
    data = {"channel": "tp-kefu-77.top", "what_happened": "asked for my seed phrase"}
    assert client.post("/report", data=data, headers={"Host": EVIL, "Origin": f"http://{EVIL}"}).status_code == 403
    assert client.post("/report", data=data, headers={"Origin": "https://checker.example"}).status_code == 200
