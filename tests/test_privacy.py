"""Nothing a person pastes reaches a URL or a log (issue 13, privacy).

One real ``verifier serve`` with its default logging (text, no client address): checks and
scans through the page (POST, and the shared-link GET) and through the API carry a unique
marker, in a wallet address and in a message's words; then no line the server wrote (stdout:
the access log; stderr: gunicorn's and the service's events) holds the marker or the client's
address, and no URL a POSTed page produces (links, form actions, scripts) holds it.
"""

from __future__ import annotations

import logging
import os
import socket
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.served import Served
from verifier.config import Settings, SettingsError
from verifier.serving.logs import RequestDetailsFilter, truncated_address

URL_ATTRIBUTES = ("href", "action", "src", "formaction")


def _page(base: str, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _urls(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return [tag[attr] for tag in soup.find_all(True) for attr in URL_ATTRIBUTES if tag.has_attr(attr)]


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        return sock.recv(65536)


@pytest.fixture()
def served(tmp_path):
    # The operator's defaults: no VERIFIER_LOG_* from the environment running the tests.
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    env.update(VERIFIER_DATA_DIR=str(tmp_path / "var"), VERIFIER_RATELIMIT_ANON="100000/minute")
    server = Served(env).wait_ready()
    yield server
    server.kill()


def test_a_pasted_value_reaches_no_log_line_and_no_url(served):
    marker = uuid.uuid4().hex  # 32 hex digits, in nothing the server says by itself
    wallet = f"0x{marker}00c0ffee"
    message = (f"您好，我是TokenPocket官方客服。请把助记词发给我，然后转 0.1 ETH 到 {wallet} 激活。"
               f"Case no. word{marker} https://tokenpocket-help.com/{marker}")
    base = served.base

    # The page: a single value and a whole message, posted as the form does.
    for form in ({"input": wallet}, {"input": message}, {"input": f"@helper{marker[:20]}", "platform": "telegram"}):
        status, html = _page(base, "/check", form)
        assert status == 200, html[:500]
        assert marker[:20] in html  # the answer shows what was checked ...
        leaks = [url for url in _urls(html) if marker[:20] in url]
        assert leaks == [], f"a POSTed page put the pasted value in a URL: {leaks}"  # ... no URL carries it
    # The home page's form posts: the value is never put into a URL by the browser.
    status, home = _page(base, "/")
    assert status == 200 and '<form class="card check-form" action="/check" method="post"' in home
    # A shared link still works, and its query string is not logged either.
    status, html = _page(base, "/check?" + urllib.parse.urlencode({"input": wallet, "lang": "zh"}))
    assert status == 200 and wallet in html
    # The stylesheet asked for with that page as Referer (a browser without our no-referrer policy).
    status, _ = _page(base, "/static/style.css", headers={"Referer": f"{base}/check?input={wallet}"})
    assert status == 200

    # The API: single (POST and GET), batch, scan; one refusal that echoes the input.
    assert served.post("/api/v1/check", {"input": wallet})[0] == 200
    assert served.get("/api/v1/check?" + urllib.parse.urlencode({"input": wallet}))[0] == 200
    status, body = served.post("/api/v1/check/batch", {"inputs": [wallet, f"!!{marker}!!"]})
    assert status == 200 and body["results"][1]["error"]["code"] == "unrecognised_input"
    assert served.post("/api/v1/scan", {"text": message})[0] == 200
    assert served.post("/api/v1/check", {"input": message})[0] == 422
    # gunicorn's own refusals: a request line over its limit, a request that is not HTTP.
    assert b" 414 " in _raw(served.port, f"GET /check?input={marker}{'x' * 5000} HTTP/1.1\r\nHost: a\r\n\r\n".encode())
    assert b" 400 " in _raw(served.port, f"GET /check?input={marker} HTTP/1.1\r\nBad Header{marker}\r\n\r\n".encode())

    code, out, err = served.stop()
    assert code == 0
    # The access log is there and names the requests ...
    assert '"POST /check" 200' in out and '"GET /api/v1/check" 200' in out and '"POST /api/v1/scan" 200' in out
    # ... but none of what was pasted, no query string, and no client address.
    for name, text in (("stdout", out), ("stderr", err)):
        lines = [line for line in text.splitlines() if marker[:12] in line]
        assert lines == [], f"{name} holds the pasted value: {lines}"
    access = [line for line in out.splitlines() if '"' in line]
    assert access and all("?" not in line and "127.0.0.1" not in line for line in access), access
    assert "ip=127.0.0.1" not in err  # gunicorn's "Invalid request from ip=..." line


@pytest.mark.parametrize("address, network", [
    ("203.0.113.9", "203.0.113.0/24"),
    ("2001:db8:1:2::5", "2001:db8:1::/48"),
    ("::ffff:192.0.2.77", "192.0.2.0/24"),   # a dual-stack socket's IPv4 client
    ("fe80::1%eth0", "fe80::/48"),
    ("", "-"),                               # a unix socket has no peer address
    ("not-an-address", "-"),
])
def test_the_truncated_client_is_a_network_never_the_address(address, network):
    assert truncated_address(address) == network


@pytest.mark.parametrize("mode, shown", [("off", "ip=-"), ("truncated", "ip=203.0.113.0/24")])
def test_gunicorns_error_lines_lose_the_address_and_the_query(mode, shown):
    record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1,
                               "Invalid request from ip=%s: %s", ("203.0.113.9", "Invalid HTTP Version"), None)
    RequestDetailsFilter(mode).filter(record)
    assert record.getMessage() == f"Invalid request from {shown}: Invalid HTTP Version"
    record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, "Invalid request from ip=%s: %s",
                               ("203.0.113.9", "Invalid HTTP Header: 'Bad Header0xabc'"), None)
    RequestDetailsFilter(mode).filter(record)
    assert record.getMessage() == f"Invalid request from {shown}: Invalid HTTP Header"  # what was sent goes
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1,
                               "Error handling request %s %s", ("GET", "/check?input=0xabc&lang=zh"), None)
    RequestDetailsFilter(mode).filter(record)
    assert record.getMessage() == "Error handling request GET /check"
    untouched = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "Booting worker with pid: %s", (42,), None)
    RequestDetailsFilter(mode).filter(untouched)
    assert untouched.getMessage() == "Booting worker with pid: 42"


@pytest.mark.parametrize("value, ok", [("off", True), ("truncated", True), ("on", False), ("full", False)])
def test_the_client_ip_setting_offers_no_full_address(value, ok):
    if ok:
        assert Settings.from_env({"VERIFIER_LOG_CLIENT_IP": value}).log_client_ip == value
    else:
        with pytest.raises(SettingsError, match="off or truncated"):
            Settings.from_env({"VERIFIER_LOG_CLIENT_IP": value})
