"""`make bench`, issue 12: one hostile page must not take the checker offline.

Everything on loopback: the hostile peers are ``tests/drip.py``'s, the server is a real
``verifier serve`` with its defaults (1 worker × 8 threads, 4 deep checks at most, a 10 s
fetch deadline), started as ``tests/served.py`` does.

1. The fetch deadline under a drip: a page that sends one header byte every half second, one
   that sends one body byte every half second, and a redirect chain of 2.5 s hops, fetched at
   once by the safe fetcher with the default budget; seconds measured against the budget.
2. Deep-check concurrency: eight deep checks of header drips at once against the server, and
   then eight deep checks of 2 MiB pages at once (a typical and a hostile page, distinct URLs
   so nothing comes from the cache), round after round; meanwhile a probe asks ``/healthz``
   and a plain check of tokenpocket.pro every 0.2 s: their latency, median and worst.
3. Memory: the server worker's RSS before those rounds of 2 MiB pages, after one deep check
   of such a page (what a first one loads once: the parser, the charset tables), after each
   round and at the end (target: within 100 MB of before).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

ROUNDS = 5
AT_ONCE = 8
MEMORY_TARGET_MB = 100


def _post(base: str, body: dict, timeout: float = 60) -> tuple[int, dict, float]:
    request = urllib.request.Request(f"{base}/api/v1/check", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), time.monotonic() - started


def _latency(url: str) -> float:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.read()
    return time.monotonic() - started


class Probe:
    """Asks ``/healthz`` and a plain check every 0.2 s until stopped; their latencies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.health: list[float] = []
        self.plain: list[float] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.health.append(_latency(f"{self.base}/healthz"))
            self.plain.append(_latency(f"{self.base}/api/v1/check?input=tokenpocket.pro"))
            self._stop.wait(0.2)

    def stop(self) -> "Probe":
        self._stop.set()
        self.thread.join(70)
        return self

    def line(self, what: str) -> str:
        def ms(values: list[float]) -> str:
            return f"median {statistics.median(values) * 1000:6.0f} ms, worst {max(values) * 1000:6.0f} ms"
        return (f"  {what}\n    /healthz ({len(self.health)} probes)      {ms(self.health)}\n"
                f"    plain check ({len(self.plain)} probes)   {ms(self.plain)}")


def _at_once(base: str, inputs: list[str]) -> list[tuple[int, dict, float]]:
    answers: list[tuple[int, dict, float]] = []
    threads = [threading.Thread(target=lambda v=v: answers.append(_post(base, {"input": v, "deep": True})))
               for v in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def _worker_rss_mb(master: int) -> float:
    """VmRSS of the gunicorn worker (the master's one child)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    worker = int(children[0])
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def fetch_deadline(drip) -> None:
    from verifier.errors import FetchError
    from verifier.deep.fetch import FetchLimits, SafeFetcher

    limits = FetchLimits.with_allowed(["127.0.0.1/32"], ports=frozenset({80, 443, drip.port}))
    cases = {"header drip (1 byte / 0.5 s)": "/headers", "body drip (1 byte / 0.5 s)": "/body",
             # Five redirects (the most followed), each hop inside the 5 s read timeout.
             "redirect chain (5 hops of 2.5 s)": "/hop?n=5&delay=2.5"}
    took: dict[str, str] = {}

    def run(name: str, path: str) -> None:
        started = time.monotonic()
        try:
            SafeFetcher(limits).fetch(drip.url(path))
            outcome = "read (!)"
        except FetchError as err:
            outcome = err.code
        took[name] = f"{time.monotonic() - started:6.2f} s ({outcome})"

    threads = [threading.Thread(target=run, args=item) for item in cases.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    print(f"\nfetch deadline under a drip (budget {limits.total_seconds:g} s, the default; all three at once)")
    for name in cases:
        print(f"  {name:36s} {took[name]}")


def main() -> int:
    from drip import DripServer
    from page import typical_page
    from served import Served

    data = tempfile.mkdtemp(prefix="verifier-bench-abuse-")
    with DripServer(interval=0.5, big=typical_page(2 * 1024 * 1024)) as drip:
        fetch_deadline(drip)
        env = dict(os.environ, VERIFIER_DATA_DIR=str(Path(data) / "var"), VERIFIER_RATELIMIT_ANON="1000000/minute",
                   VERIFIER_FETCH_ALLOWED_NETWORKS="127.0.0.1/32", VERIFIER_FETCH_PORTS=f"80,443,{drip.port}",
                   VERIFIER_CHECK_LOG="off")
        for name in ("VERIFIER_THREADS", "VERIFIER_WORKERS", "VERIFIER_DEEP_CONCURRENCY", "VERIFIER_FETCH_DEADLINE_SECONDS"):
            env.pop(name, None)
        server = Served(env, logs=Path(data)).wait_ready()
        try:
            base = server.base
            for _ in range(3):  # warm: the first checks load lazy tables
                _latency(f"{base}/api/v1/check?input=tokenpocket.pro")
            print(f"\ndeep-check concurrency (verifier serve defaults: 8 threads, 4 deep checks at most), {AT_ONCE} at once")
            probe = Probe(base)
            answers = _at_once(base, [f"http://127.0.0.1:{drip.port}/headers?n={i}" for i in range(AT_ONCE)])
            print(probe.stop().line(f"while {AT_ONCE} deep checks of header drips run"))
            read = [a for a in answers if a[0] == 200]
            refused = [a for a in answers if a[0] == 503]
            print(f"    the drips: {len(read)} fetch_timeout after {min(a[2] for a in read):.1f}-{max(a[2] for a in read):.1f} s, "
                  f"{len(refused)} refused (503 deep_check_busy) in at most {max([a[2] for a in refused] or [0]) * 1000:.0f} ms")

            time.sleep(1.0)
            before = _worker_rss_mb(server.proc.pid)
            _post(base, {"input": f"http://127.0.0.1:{drip.port}/big?n=warm", "deep": True})
            warm = _worker_rss_mb(server.proc.pid)
            probe = Probe(base)
            outcomes: list[tuple[int, dict, float]] = []
            rounds: list[float] = []
            for round_ in range(ROUNDS):
                kind = "big" if round_ % 2 == 0 else "hostile"
                outcomes += _at_once(base, [f"http://127.0.0.1:{drip.port}/{kind}?n={round_}-{i}" for i in range(AT_ONCE)])
                rounds.append(_worker_rss_mb(server.proc.pid))
            print(probe.stop().line(f"while {AT_ONCE} deep checks of a 2 MiB page run ({ROUNDS} rounds, typical and hostile pages)"))
            read = [a for a in outcomes if a[0] == 200]
            refused = [a for a in outcomes if a[0] == 503]
            print(f"    the deep checks: {len(read)} read in median {statistics.median(a[2] for a in read) * 1000:.0f} ms "
                  f"(worst {max(a[2] for a in read) * 1000:.0f} ms), {len(refused)} refused (503 deep_check_busy)")
            time.sleep(1.0)
            after = _worker_rss_mb(server.proc.pid)
            grew = after - before
            print(f"\nmemory per deep check of a big page: worker RSS {before:.0f} MB before, {warm:.0f} MB after the "
                  f"first one, {after:.0f} MB after {len(read)} readings of 2 MiB pages: {grew:+.0f} MB "
                  f"(target: within {MEMORY_TARGET_MB} MB)")
            print("    after each round: " + ", ".join(f"{mb:.0f}" for mb in rounds) + " MB")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
