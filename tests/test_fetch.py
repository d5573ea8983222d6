"""The safe fetcher against real loopback servers: what it reads, and what it never connects to.

"Never connects" is proved by listeners that record every accepted connection (on 127.0.0.2,
which the tests do not allow) and by a spy on urllib3's connect, not only by return values.
Only 127.0.0.1/32 is allowed, the way VERIFIER_FETCH_ALLOWED_NETWORKS would allow it.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3.util.connection

from verifier.deep.fetch import (
    FetchBlocked,
    FetchFailed,
    FetchLimits,
    FetchNotHTML,
    FetchTimeout,
    FetchTooManyRedirects,
    SafeFetcher,
    embedded_ipv4,
    refusal,
)

PAGE = "<html><head><title>TokenPocket 客服</title></head><body><p>请输入助记词</p></body></html>".encode()
BOMB = gzip.compress(b"<html>" + b"0" * (40 * 1024 * 1024), compresslevel=9)


class Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        Handler.seen.append({"path": self.path, "headers": dict(self.headers)})
        route = parts.path
        if route == "/page":
            self._send(200, PAGE, set_cookie=True)
        elif route == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.send_header("Set-Cookie", "session=secret")
            self.end_headers()
        elif route == "/chain":
            n = int(query["n"][0])
            self.send_response(301)
            self.send_header("Location", f"/chain?n={n + 1}" if n < 20 else "/page")
            self.end_headers()
        elif route == "/json":
            self._send(200, b"{}", content_type="application/json")
        elif route == "/bomb":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
        elif route == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"<p>" + b"x" * 8192 + b"</p>")
            except OSError:
                pass
        elif route == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"<p>.</p>" * 64)
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        else:
            self._send(404, b"not here")

    def _send(self, status: int, body: bytes, *, content_type: str = "text/html; charset=utf-8", set_cookie: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if set_cookie:
            self.send_header("Set-Cookie", "tracking=1")
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


class Listener:
    """Accepts and records connections on an address the fetcher must never reach."""

    def __init__(self, host: str, family: int = socket.AF_INET) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[tuple] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, socket.timeout, OSError):
                continue
            self.accepted.append(peer)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def trap():
    listener = Listener("127.0.0.2")
    yield listener
    listener.close()


@pytest.fixture
def connects(monkeypatch):
    """Every address urllib3 connects to, recorded (the calls still go through)."""
    calls: list[tuple] = []
    real = urllib3.util.connection.create_connection

    def spy(address, *args, **kwargs):
        calls.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    monkeypatch.setattr("urllib3.connection.connection.create_connection", spy, raising=False)
    return calls


def fetcher(*ports: int, resolver=None, **changes) -> SafeFetcher:
    limits = FetchLimits.with_allowed(["127.0.0.1/32"], ports=frozenset(ports) | {80, 443}, **changes)
    return SafeFetcher(limits, resolver=resolver) if resolver else SafeFetcher(limits)


# --- what it reads --------------------------------------------------------------------------


def test_reads_an_allowed_page(server, connects):
    page = fetcher(server).fetch(f"http://127.0.0.1:{server}/page")
    assert page.status == 200 and page.body == PAGE
    assert page.address == "127.0.0.1" and page.content_type == "text/html"
    request = Handler.seen[-1]
    assert request["headers"]["User-Agent"].startswith("tp-channel-verifier/")
    assert "Cookie" not in request["headers"] and "Authorization" not in request["headers"]
    assert connects == [("127.0.0.1", server)]


def test_name_is_resolved_once_and_sent_as_host(server, connects):
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    page = fetcher(server, resolver=resolver).fetch(f"http://support.example:{server}/page")
    assert page.final_url == f"http://support.example:{server}/page"
    assert Handler.seen[-1]["headers"]["Host"] == f"support.example:{server}"
    assert asked == ["support.example"]
    assert connects == [("127.0.0.1", server)]


def test_follows_redirects_and_sends_no_cookies(server):
    start = f"http://127.0.0.1:{server}/redirect?to=/page"
    page = fetcher(server).fetch(start)
    assert page.body == PAGE and page.redirects == (f"http://127.0.0.1:{server}/page",)
    assert "Cookie" not in Handler.seen[-1]["headers"]


def test_too_many_redirects(server):
    with pytest.raises(FetchTooManyRedirects) as info:
        fetcher(server).fetch(f"http://127.0.0.1:{server}/chain?n=0")
    assert "more than 5" in info.value.message


def test_only_web_pages(server):
    with pytest.raises(FetchNotHTML) as info:
        fetcher(server).fetch(f"http://127.0.0.1:{server}/json")
    assert "application/json" in info.value.message


def test_compression_bomb_stops_at_the_byte_limit(server):
    page = fetcher(server, max_bytes=256 * 1024).fetch(f"http://127.0.0.1:{server}/bomb")
    assert page.truncated and len(page.body) == 256 * 1024


def test_endless_page_stops_at_the_byte_limit(server):
    page = fetcher(server, max_bytes=100_000).fetch(f"http://127.0.0.1:{server}/endless")
    assert page.truncated and len(page.body) == 100_000


def test_slow_page_hits_the_total_time_limit(server):
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetcher(server, total_seconds=0.8, read_seconds=0.5).fetch(f"http://127.0.0.1:{server}/slow")
    assert time.monotonic() - started < 3


def test_connection_refused_is_a_fetch_error(connects):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: refused
        with pytest.raises(FetchFailed) as info:
            fetcher(port).fetch(f"http://127.0.0.1:{port}/")
    assert info.value.code == "fetch_failed"


# --- what it never reaches ----------------------------------------------------------------------

TRAP_NOTATIONS = [
    "http://127.0.0.2:{port}/",
    "http://2130706434:{port}/",  # decimal
    "http://0x7f.0.0.2:{port}/",  # hex
    "http://0177.0.0.2:{port}/",  # octal
    "http://0x7f000002:{port}/",  # one hex number
    "http://017700000002:{port}/",  # one octal number
    "http://127.2:{port}/",  # short form
    "http://127.0.2:{port}/",
    "http://[::ffff:127.0.0.2]:{port}/",  # IPv4-mapped
    "http://[::ffff:7f00:2]:{port}/",
    "http://[::127.0.0.2]:{port}/",  # IPv4-compatible
    "http://[64:ff9b::7f00:2]:{port}/",  # NAT64
    "http://[2002:7f00:2::1]:{port}/",  # 6to4
    "http://user:pass@127.0.0.2:{port}/",
    "http://127.0.0.2:{port}\\@tokenpocket.pro/",  # urllib would validate tokenpocket.pro
]


@pytest.mark.parametrize("template", TRAP_NOTATIONS)
def test_blocked_notations_never_connect(trap, connects, template):
    with pytest.raises(FetchBlocked):
        fetcher(trap.port).fetch(template.format(port=trap.port))
    time.sleep(0.05)
    assert trap.accepted == [] and connects == []


BLOCKED_ADDRESSES = [
    "0.0.0.0", "10.0.0.1", "100.64.0.1", "127.0.0.1", "169.254.169.254", "172.16.0.1", "192.0.0.8", "192.0.2.1",
    "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250",
    "240.0.0.1", "255.255.255.255", "::", "::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",
    "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1", "3fff::1", "5f00::1", "fc00::1",
    "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "100::1", "2001:20::1",
]


@pytest.mark.parametrize("address", BLOCKED_ADDRESSES)
def test_every_blocked_range_is_refused(address, connects):
    assert refusal(ipaddress.ip_address(address)) is not None
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchBlocked):
        SafeFetcher().fetch(f"http://{literal}/")
    with pytest.raises(FetchBlocked):
        SafeFetcher(resolver=lambda host, port: [address]).fetch("http://innocent.example/")
    assert connects == []


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888"])
def test_public_addresses_pass_the_policy(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_embedded_ipv4_forms():
    assert str(embedded_ipv4(ipaddress.IPv6Address("64:ff9b::7f00:1"))) == "127.0.0.1"
    assert str(embedded_ipv4(ipaddress.IPv6Address("2002:7f00:1::1"))) == "127.0.0.1"
    assert str(embedded_ipv4(ipaddress.IPv6Address("::127.0.0.1"))) == "127.0.0.1"
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1")) is None


def test_a_name_that_resolves_to_a_blocked_address_is_refused(trap, connects):
    resolver = lambda host, port: ["127.0.0.2"]  # noqa: E731
    with pytest.raises(FetchBlocked) as info:
        fetcher(trap.port, resolver=resolver).fetch(f"http://rebind.example:{trap.port}/")
    assert "127.0.0.2" in info.value.message
    assert trap.accepted == [] and connects == []


def test_a_name_with_one_blocked_address_among_others_is_refused(trap, connects):
    resolver = lambda host, port: ["127.0.0.1", "127.0.0.2"]  # noqa: E731
    with pytest.raises(FetchBlocked):
        fetcher(trap.port, resolver=resolver).fetch(f"http://mixed.example:{trap.port}/")
    assert trap.accepted == [] and connects == []


def test_dns_rebinding_cannot_redirect_the_connection(server, trap, connects):
    """First answer allowed, every later answer private: the one checked is the one used."""
    answers = iter([["127.0.0.1"]] + [["127.0.0.2"]] * 10)
    page = fetcher(server, trap.port, resolver=lambda host, port: next(answers)).fetch(f"http://rebind.example:{server}/page")
    assert page.body == PAGE and page.address == "127.0.0.1"
    assert trap.accepted == [] and connects == [("127.0.0.1", server)]


def test_redirect_into_a_blocked_range_is_refused(server, trap, connects):
    target = f"http://127.0.0.2:{trap.port}/admin"
    with pytest.raises(FetchBlocked):
        fetcher(server, trap.port).fetch(f"http://127.0.0.1:{server}/redirect?to={target}")
    assert trap.accepted == [] and connects == [("127.0.0.1", server)]


def test_redirect_to_a_name_that_resolves_privately_is_refused(server, trap, connects):
    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.2"] if host == "internal.example" else ["127.0.0.1"]

    target = f"http://internal.example:{trap.port}/"
    with pytest.raises(FetchBlocked):
        fetcher(server, trap.port, resolver=resolver).fetch(f"http://127.0.0.1:{server}/redirect?to={target}")
    assert trap.accepted == [] and connects == [("127.0.0.1", server)]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "javascript:alert(1)", "gopher://127.0.0.1:70/", "data:text/html,x", "not a url"])
def test_other_schemes_are_refused(url, connects):
    with pytest.raises(FetchBlocked):
        SafeFetcher().fetch(url)
    assert connects == []


def test_ports_other_than_the_configured_ones_are_refused(server, connects):
    with pytest.raises(FetchBlocked) as info:
        SafeFetcher(FetchLimits.with_allowed(["127.0.0.1/32"])).fetch(f"http://127.0.0.1:{server}/page")
    assert f"port {server}" in info.value.message and connects == []


def test_bad_allowed_network_setting_is_a_clear_error():
    with pytest.raises(FetchBlocked) as info:
        FetchLimits.with_allowed(["localhost"])
    assert "VERIFIER_FETCH_ALLOWED_NETWORKS" in info.value.message
