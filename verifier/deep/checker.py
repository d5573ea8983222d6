"""The deep check: read the page behind a link safely and let what it shows raise the verdict.

I/O around the pure core: ``verifier.deep.fetch`` reads the page (SSRF-safe), ``verifier.deep.page_html``
turns the HTML into a page summary, ``verifier.page`` turns the summary into reasons (the same
analysis as the bookmarklet's), and ``page.raise_verdict`` applies them — never making an
official address look worse, never making any address look better. Readings (the summary and
facts, never the page body) are cached in SQLite by URL for ``VERIFIER_PAGE_CACHE_SECONDS``.

The answer says when the page was read and from which address (``details.page``), or why it
could not be read (``details.page.error``: a fetch error's code and message; the verdict of the
address itself still stands). ``details.page.cut`` names the parse cap a page went past
(``bytes`` or ``elements``, see ``verifier/deep/page_html.py``): the page was judged on its first part.

A deep check holds a server thread for up to the fetch deadline, so a process lets only a few
run at once (:class:`DeepGate`, ``VERIFIER_DEEP_CONCURRENCY``): one more is refused at once
with :class:`DeepCheckBusy` (503 ``deep_check_busy``) instead of waiting, and a reading from
the cache needs no slot. Plain checks never take a slot.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from verifier import page
from verifier.check import Verifier, utc_now
from verifier.errors import FetchError, VerifierError
from verifier.deep.fetch import Fetcher
from verifier.model import Result
from verifier.deep.page_html import read_html
from verifier.registry.schema import format_timestamp
from verifier.state.store import StateStore

PAGE_KINDS = ("url", "domain")
ERROR_CACHE_SECONDS = 300  # a failed read is retried sooner than a good one is re-read


class DeepCheckBusy(VerifierError):
    """Every slot for reading pages is taken: try again in ``retry_after`` seconds."""

    code = "deep_check_busy"
    status = 503

    def __init__(self, slots: int, retry_after: int) -> None:
        super().__init__(
            f"this server is already reading {slots} page(s) for other checks, its most at once; try the deep "
            f"check again in {retry_after} s, or check the address without reading the page (that never waits)"
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}  # problems.py sends an error's headers


class DeepGate:
    """At most ``slots`` page reads in flight in this process; one more is refused, not queued
    (a queued request would hold its server thread while it waits, which is what the gate is
    for). ``retry_after``: when a slot is sure to be free again, the fetch deadline."""

    def __init__(self, slots: int, *, retry_after: float = 10.0) -> None:
        self.slots = max(slots, 0)
        self.retry_after = max(1, math.ceil(retry_after))
        self._free = threading.BoundedSemaphore(self.slots) if self.slots else None

    @contextmanager
    def slot(self) -> Iterator[None]:
        if self._free is None or not self._free.acquire(blocking=False):
            raise DeepCheckBusy(self.slots, self.retry_after)
        try:
            yield
        finally:
            self._free.release()


class DeepChecker:
    """``Verifier.check`` plus a safe read of the page; one per process (it holds no connection)."""

    def __init__(
        self,
        verifier: Verifier,
        fetcher: Fetcher,
        *,
        store_factory: Callable[[], StateStore] | None = None,
        cache_seconds: int = 3600,
        clock: Callable[[], datetime] = utc_now,
        gate: DeepGate | None = None,
    ) -> None:
        self.verifier = verifier
        self.registry = verifier.registry
        self.fetcher = fetcher
        self.store_factory = store_factory
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.gate = gate  # None: no limit (the CLI reads one page at a time)

    def check(self, text: str, *, platform: str | None = None) -> Result:
        """Check ``text`` and, for a link or domain, read its page too."""
        return self.deepen(self.verifier.check(text, platform=platform))

    def deepen(self, result: Result) -> Result:
        """``result`` with the page read and analysed (or the reason it was not).

        Raises :class:`DeepCheckBusy` when the page must be read and every slot is taken."""
        url = page_url(result)
        if url is None:
            facts = {"error": {"code": "not_a_page", "message": "only links and domains have a page to read"}}
            return replace(result, details={**result.details, "page": facts})
        reading = self._reading(url)
        facts = {k: v for k, v in reading.items() if k != "summary"}
        if "summary" not in reading:
            return replace(result, details={**result.details, "page": facts})
        host = str(result.details.get("host") or result.normalized)
        reasons = page.analyse_summary(reading["summary"], host, self.verifier)
        verdict, risk = page.raise_verdict(result.verdict, result.risk, reasons)
        facts["signs"] = [r.code for r in reasons]
        return replace(
            result,
            verdict=verdict,
            risk=risk,
            reasons=result.reasons + tuple(reasons),
            details={**result.details, "page": facts},
        )

    def _reading(self, url: str) -> dict[str, Any]:
        now = self.clock()
        store = self.store_factory() if self.store_factory else None
        try:
            if store is not None:
                cached = store.cached_page(url, now)
                if cached is not None:
                    return {**cached, "cached": True}
            if self.gate is not None:
                with self.gate.slot():
                    reading = self._read(url, now)
            else:
                reading = self._read(url, now)
            if store is not None:
                ttl = self.cache_seconds if "error" not in reading else min(self.cache_seconds, ERROR_CACHE_SECONDS)
                store.cache_page(url, reading, now=now, ttl_seconds=ttl)
            return {**reading, "cached": False}
        finally:
            if store is not None:
                store.close()

    def _read(self, url: str, now: datetime) -> dict[str, Any]:
        try:
            fetched = self.fetcher.fetch(url)
        except FetchError as err:
            return {"url": url, "read_at": format_timestamp(now), "error": err.to_dict()}
        parsed = read_html(fetched.body, fetched.final_url)
        return {
            "url": url,
            "final_url": fetched.final_url,
            "read_at": format_timestamp(fetched.fetched_at.astimezone(timezone.utc)),
            "address": fetched.address,
            "status": fetched.status,
            "truncated": fetched.truncated,
            "cut": parsed.cut,
            "redirects": list(fetched.redirects),
            "summary": parsed.summary,
        }


def page_url(result: Result) -> str | None:
    """The page a result's input points to: its link, or ``https://<domain>/``."""
    if result.kind not in PAGE_KINDS or not result.details.get("host"):
        return None
    if result.kind == "url":
        url = result.details.get("url")
        return str(url) if isinstance(url, str) and url.startswith(("http://", "https://")) else None
    return f"https://{result.details['host']}/"
