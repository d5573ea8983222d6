"""One hostile page must not take the checker offline (issue 12): deep checks in flight are
capped per process and one more is refused at once (503, zh/en), plain checks and the health
routes never wait behind a fetch, and what is parsed of a page is capped (and said so).

Only loopback servers: tests/drip.py for hostile peers, tests/served.py for a real
``verifier serve``.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler

import pytest

from drip import DripServer
from served import Served, loopback_http
from verifier.config import Settings
from verifier.deep.checker import DeepChecker, DeepCheckBusy, DeepGate
from verifier.deep.fetch import FetchLimits, SafeFetcher
from verifier.deep.page_html import ParseLimits, read_html
from verifier.serving.runtime import deep_slots
from verifier.state.store import StateStore

SEED_FORM = ("<form action='/collect'>" + "".join(f"<input type=text name=w{i}>" for i in range(12)) + "</form>")
FAKE = ("<!doctype html><html><head><meta charset='utf-8'><title>TokenPocket 官方客服</title></head><body>"
        "<p>请输入您的助记词完成验证</p>" + SEED_FORM + "</body></html>").encode()
# The same fake after 20,000 filler elements: over the element cap.
PADDED = FAKE.replace(b"</body>", b"<span>.</span>" * 20_000 + b"</body>")


class Pages(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = PADDED if self.path.startswith("/padded") else FAKE
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def port():
    with loopback_http(Pages) as served_port:
        yield served_port


@pytest.fixture
def app(settings_env, port, monkeypatch):
    import verifier.deep.fetch as fetch
    from verifier.web import create_app

    monkeypatch.setenv("VERIFIER_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("VERIFIER_FETCH_PORTS", f"80,443,{port}")
    monkeypatch.setattr(fetch, "system_resolver", lambda host, p: ["127.0.0.1"])  # no DNS in tests
    return create_app({"SETTINGS": Settings.from_env()})


def all_slots_taken(app) -> ExitStack:
    """Hold every slot of the app's gate, as that many slow page reads would."""
    gate = app.extensions["verifier_deep_gate"]
    stack = ExitStack()
    for _ in range(gate.slots):
        stack.enter_context(gate.slot())
    return stack


# --- the gate ---------------------------------------------------------------------------------


def test_the_cap_is_always_below_the_thread_count():
    assert deep_slots(Settings()) == 4  # the default: 4 of verifier serve's 8 threads
    assert deep_slots(Settings(threads=4)) == 3
    assert deep_slots(Settings(deep_concurrency=10)) == 7
    assert deep_slots(Settings(threads=1)) == 0


def test_a_gate_refuses_one_more_at_once_and_frees_its_slots():
    gate = DeepGate(2, retry_after=2.5)
    with gate.slot(), gate.slot():
        started = time.monotonic()
        with pytest.raises(DeepCheckBusy) as info:
            with gate.slot():
                pass
        assert time.monotonic() - started < 0.1  # refused, not queued
    assert info.value.status == 503 and info.value.headers == {"Retry-After": "3"}
    with gate.slot():  # both slots came back
        pass
    with pytest.raises(DeepCheckBusy):
        with DeepGate(0).slot():
            pass


def test_api_refuses_a_deep_check_with_503_when_the_cap_is_full(app, port):
    client = app.test_client()
    url = f"http://help-desk-24.top:{port}/fake"
    with all_slots_taken(app):
        refused = client.post("/api/v1/check", json={"input": url, "deep": True})
        plain = client.post("/api/v1/check", json={"input": url})
        health = client.get("/healthz")
    assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["code"] == "deep_check_busy" and body["type"] == "urn:tp-verifier:problem:deep_check_busy"
    assert "4 page(s)" in body["detail"] and "without reading the page" in body["detail"]
    assert refused.headers["Retry-After"] == "10"
    assert plain.status_code == 200 and plain.get_json()["verdict"] != "official"
    assert health.status_code == 200
    # Slots free again: the same deep check is read.
    again = client.post("/api/v1/check", json={"input": url, "deep": True}).get_json()
    assert "page_asks_secret" in again["details"]["page"]["signs"]


def test_a_cached_reading_needs_no_slot(app, port):
    client = app.test_client()
    url = f"http://cached-fake.top:{port}/fake"
    first = client.post("/api/v1/check", json={"input": url, "deep": True}).get_json()
    with all_slots_taken(app):
        second = client.post("/api/v1/check", json={"input": url, "deep": True})
    assert second.status_code == 200 and second.get_json()["details"]["page"]["cached"] is True
    assert second.get_json()["verdict"] == first["verdict"]


@pytest.mark.parametrize(("lang", "title", "words"), [
    ("en", "Many pages are being read right now", "try reading the page again in 10 seconds"),
    ("zh", "当前正在读取的网页较多", "请在 10 秒后再试读取网页"),
])
def test_the_web_checker_shows_a_calm_page_when_the_cap_is_full(app, port, lang, title, words):
    from bs4 import BeautifulSoup

    client = app.test_client()
    url = f"http://help-desk-24.top:{port}/fake"
    with all_slots_taken(app):
        busy = client.get("/check", query_string={"input": url, "deep": "1", "lang": lang})
    assert busy.status_code == 503 and busy.mimetype == "text/html"
    assert busy.headers["Retry-After"] == "10"
    html = BeautifulSoup(busy.get_data(as_text=True), "html.parser")
    assert html.select_one("#deep-busy h1").get_text() == title
    assert words in html.select_one("#deep-busy").get_text()
    plain = html.select_one("a#plain-check")["href"]
    assert "deep" not in plain
    shown = client.get(plain)  # the button: the address checked at once, no page read
    assert shown.status_code == 200 and 'id="deep-page"' not in shown.get_data(as_text=True)


# --- the parse caps ---------------------------------------------------------------------------


def test_a_page_over_the_element_cap_still_gives_a_summary_and_says_it_was_cut():
    whole = read_html(FAKE, "http://fake.example/")
    padded = read_html(PADDED, "http://fake.example/")
    assert whole.cut is None and padded.cut == "elements"
    assert padded.summary == whole.summary  # everything it shows comes before the cut
    assert padded.summary["grid_inputs"] == 12 and "助记词" in padded.summary["secret_terms"]
    # What comes after the cap is not read: the cut is what the answer says.
    hidden = read_html(b"<p>x</p>" * 11_000 + FAKE, "http://fake.example/")
    assert hidden.cut == "elements" and hidden.summary["grid_inputs"] == 0


def test_a_page_over_the_byte_cap_is_cut_there():
    reading = read_html(FAKE + b"<p>" + b"y" * 5000, "http://fake.example/", limits=ParseLimits(max_bytes=len(FAKE)))
    assert reading.cut == "bytes" and reading.summary["grid_inputs"] == 12


def test_deeply_nested_inputs_are_counted_once(tmp_path):
    """Inputs in ever deeper divs: the old reading walked up from each (quadratic); the
    form count must still be right, also with forms nested by misnested tags."""
    nested = b"<html><body><form>" + b"<div><input type=text>" * 3000 + b"</form></body></html>"
    assert read_html(nested, "http://x.example/").summary["grid_inputs"] == 3000
    misnested = b"<html><body>" + b"<form><div></form>" * 3 + b"<input>" * 12 + b"</body></html>"
    assert read_html(misnested, "http://x.example/").summary["grid_inputs"] == 12


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_answer_says_a_page_was_cut(app, port, lang):
    client = app.test_client()
    url = f"http://padded-fake.top:{port}/padded"
    body = client.post("/api/v1/check", json={"input": url, "deep": True}).get_json()
    assert body["details"]["page"]["cut"] == "elements"
    assert {"page_asks_secret", "page_seed_grid"} <= set(body["details"]["page"]["signs"])
    html = client.get("/check", query_string={"input": url, "deep": "1", "lang": lang}).get_data(as_text=True)
    assert ('over 10,000 elements' if lang == "en" else "超过 10,000 个元素") in html


def test_the_cli_says_a_page_was_cut(settings_env, port, capsys, monkeypatch):
    import verifier.deep.fetch as fetch
    from verifier.cli.main import main

    monkeypatch.setenv("VERIFIER_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("VERIFIER_FETCH_PORTS", f"80,443,{port}")
    monkeypatch.setattr(fetch, "system_resolver", lambda host, p: ["127.0.0.1"])  # no DNS in tests
    main(["check", "--deep", f"http://padded-cli.top:{port}/padded"])
    out = capsys.readouterr().out
    assert "page_seed_grid" in out and "only the first part of the page was read (over the elements cap)" in out


def test_a_deep_checker_passes_the_cut_on(core, port, tmp_path):
    fetcher = SafeFetcher(FetchLimits.with_allowed(["127.0.0.1/32"], ports=frozenset({port})),
                          resolver=lambda host, p: ["127.0.0.1"])
    checker = DeepChecker(core, fetcher, store_factory=lambda: StateStore(tmp_path / "s.sqlite3"))
    assert checker.check(f"http://padded.top:{port}/padded").details["page"]["cut"] == "elements"
    assert checker.check(f"http://whole.top:{port}/fake").details["page"]["cut"] is None


# --- a real server under eight drips ------------------------------------------------------------


def _get(url: str, timeout: float) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), time.monotonic() - started


def test_eight_drips_at_once_leave_healthz_and_plain_checks_answering(tmp_path):
    """The issue's measurement: eight deep checks of pages that drip their headers, at once,
    against ``verifier serve`` with its defaults (8 threads, 4 deep checks at most). /healthz,
    /readyz and a plain check must answer within a second while they run; each drip ends as a
    fetch timeout within the deadline, or is refused at once."""
    deadline = 3.0
    with DripServer(interval=0.5) as drip:
        env = dict(os.environ, VERIFIER_DATA_DIR=str(tmp_path / "var"), VERIFIER_RATELIMIT_ANON="100000/minute",
                   VERIFIER_FETCH_ALLOWED_NETWORKS="127.0.0.1/32", VERIFIER_FETCH_PORTS=f"80,443,{drip.port}",
                   VERIFIER_FETCH_DEADLINE_SECONDS=str(deadline))
        env.pop("VERIFIER_DEEP_CONCURRENCY", None)
        env.pop("VERIFIER_THREADS", None)
        server = Served(env).wait_ready()
        try:
            answers: list[tuple[int, dict, float]] = []

            def deep(i: int) -> None:
                request = urllib.request.Request(
                    f"{server.base}/api/v1/check", method="POST", headers={"Content-Type": "application/json"},
                    data=json.dumps({"input": f"http://127.0.0.1:{drip.port}/headers?n={i}", "deep": True}).encode())
                started = time.monotonic()
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        answers.append((response.status, json.loads(response.read()), time.monotonic() - started))
                except urllib.error.HTTPError as exc:
                    answers.append((exc.code, json.loads(exc.read()), time.monotonic() - started))

            threads = [threading.Thread(target=deep, args=(i,)) for i in range(8)]
            for thread in threads:
                thread.start()
            time.sleep(1.0)  # the drips are in flight (the deadline is 3 s)
            probes = [
                _get(f"{server.base}/healthz", 5),
                _get(f"{server.base}/readyz", 5),
                _get(f"{server.base}/api/v1/check?input=tokenpocket.pro", 5),
                _get(f"{server.base}/api/v1/check?input=tokenpocket-support.top", 5),
            ]
            still_reading = sum(thread.is_alive() for thread in threads)
            for thread in threads:
                thread.join(30)
        finally:
            server.stop()
    assert still_reading >= 1, "the drips had all ended before the probes: the test proves nothing"
    for status, body, took in probes:
        assert took < 1.0, (status, took)
        assert status in (200, 503) and ("status" in body or "verdict" in body), body  # /readyz: 503 if expired
    assert probes[2][0] == 200 and probes[3][0] == 200
    assert len(answers) == 8
    timeouts = [a for a in answers if a[0] == 200]
    refused = [a for a in answers if a[0] == 503]
    assert len(timeouts) + len(refused) == 8 and 1 <= len(timeouts) <= 4, [a[0] for a in answers]
    for _, body, took in timeouts:
        assert body["details"]["page"]["error"]["code"] == "fetch_timeout"
        assert took < deadline + 2.0, took
    for _, body, took in refused:
        assert body["code"] == "deep_check_busy" and took < 1.0
