"""One wall-clock deadline per fetch, whatever the peer does (issue 12).

Each peer here is hostile in a way per-read timeouts never end: a header byte every half second,
a body byte every half second, a chain of redirects each slow but never idle, a TLS handshake
that never gets an answer, a name lookup that never returns. The per-operation timeouts are set
far above the deadline, so only the deadline itself can end these fetches; each must end as a
``fetch_timeout`` within the budget (plus a margin for a loaded machine), and the SSRF rules stay
as they were (tests/test_fetch.py). The header drip and the lookup ran on for as long as the
peer liked before the deadline had a watchdog; the others guard the watchdog's other paths (a
stream it shut down must not pass for a whole page).
"""

from __future__ import annotations

import threading
import time

import pytest

from drip import DripServer, SilentServer
from verifier.config import Settings, SettingsError
from verifier.deep.fetch import FetchLimits, FetchTimeout, SafeFetcher

BUDGET = 2.0
MARGIN = 1.5  # a loaded 2-core machine; a drip left alone runs for a minute


@pytest.fixture(scope="module")
def drip():
    with DripServer(interval=0.5) as server:
        yield server


def deadline_fetcher(*ports: int, resolver=None) -> SafeFetcher:
    # Per-operation timeouts far above the budget: only the deadline can end a drip.
    limits = FetchLimits.with_allowed(["127.0.0.1/32"], ports=frozenset(ports) | {80, 443},
                                      total_seconds=BUDGET, connect_seconds=30, read_seconds=30)
    return SafeFetcher(limits, resolver=resolver)


def timed_out(fetcher: SafeFetcher, url: str) -> tuple[FetchTimeout, float]:
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as info:
        fetcher.fetch(url)
    return info.value, time.monotonic() - started


def test_a_header_drip_ends_at_the_deadline(drip):
    err, took = timed_out(deadline_fetcher(drip.port), drip.url("/headers"))
    assert err.code == "fetch_timeout" and "2 s" in err.message
    assert BUDGET - 0.2 <= took <= BUDGET + MARGIN, took


def test_a_body_drip_ends_at_the_deadline_and_is_no_page(drip):
    """The watchdog's shut-down stream looks like an end of file: it must not pass for a short page."""
    err, took = timed_out(deadline_fetcher(drip.port), drip.url("/body"))
    assert err.code == "fetch_timeout"
    assert BUDGET - 0.2 <= took <= BUDGET + MARGIN, took


def test_a_slow_redirect_chain_ends_at_the_deadline(drip):
    """Five hops of 0.6 s: each within every per-hop limit, together past the budget."""
    fetcher = deadline_fetcher(drip.port)
    fast = fetcher.fetch(drip.url("/hop?n=2&delay=0.1"))  # the same chain, short: read whole
    assert fast.status == 200 and len(fast.redirects) == 2
    err, took = timed_out(fetcher, drip.url("/hop?n=5&delay=0.6"))
    assert err.code == "fetch_timeout"
    assert BUDGET - 0.2 <= took <= BUDGET + MARGIN, took


def test_a_tls_handshake_that_never_ends_ends_at_the_deadline():
    silent = SilentServer()
    try:
        err, took = timed_out(deadline_fetcher(silent.port), f"https://127.0.0.1:{silent.port}/")
    finally:
        silent.close()
    assert err.code == "fetch_timeout"
    assert BUDGET - 0.2 <= took <= BUDGET + MARGIN, took


def test_a_name_lookup_that_never_returns_ends_at_the_deadline(drip):
    release = threading.Event()

    def stuck(host: str, port: int) -> list[str]:
        release.wait(30)
        return ["127.0.0.1"]

    try:
        err, took = timed_out(deadline_fetcher(drip.port, resolver=stuck), f"http://stuck.example:{drip.port}/hop?n=0")
    finally:
        release.set()
    assert err.code == "fetch_timeout" and "stuck.example" in err.message
    assert BUDGET - 0.2 <= took <= BUDGET + MARGIN, took


def test_stuck_lookups_hold_a_bounded_number_of_threads(drip):
    """Six fetches whose names never resolve: at most DNS_THREADS lookup threads exist, the
    others wait for one, and every fetch still ends at its deadline."""
    from verifier.deep.fetch import DNS_THREADS

    release = threading.Event()

    def stuck(host: str, port: int) -> list[str]:
        release.wait(30)
        return ["127.0.0.1"]

    took: list[float] = []

    def one(i: int) -> None:
        took.append(timed_out(deadline_fetcher(drip.port, resolver=stuck), f"http://stuck{i}.example:{drip.port}/")[1])

    fetches = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    try:
        for thread in fetches:
            thread.start()
        time.sleep(BUDGET / 2)
        lookups = sum(t.name == "verifier-dns" for t in threading.enumerate())
        for thread in fetches:
            thread.join(BUDGET + MARGIN + 1)
    finally:
        release.set()
    assert 1 <= lookups <= DNS_THREADS
    assert len(took) == 6 and max(took) <= BUDGET + MARGIN, took


def test_a_fetch_within_the_deadline_is_not_cut(drip):
    page = deadline_fetcher(drip.port).fetch(drip.url("/big?n=1"))
    assert page.status == 200 and len(page.body) > 1024 * 1024 and not page.truncated


def test_the_deadline_is_a_setting():
    assert Settings().fetch_deadline_seconds == 10.0
    assert Settings.from_env({"VERIFIER_FETCH_DEADLINE_SECONDS": "2.5"}).fetch_deadline_seconds == 2.5
    for bad in ("0", "-1", "ten", "nan", "600"):
        with pytest.raises(SettingsError) as info:
            Settings.from_env({"VERIFIER_FETCH_DEADLINE_SECONDS": bad})
        assert "VERIFIER_FETCH_DEADLINE_SECONDS" in info.value.message
