"""`make bench`, the reports part: report-submission throughput of ``POST /api/v1/reports``
against a running ``verifier serve`` on loopback (1 worker, 8 threads: its defaults).

Two loads, each bounded by ``SECONDS`` and ``MAX_REQUESTS``, from ``CLIENTS`` threads with
keep-alive ``http.client`` connections:

* **new reports**: every body names a channel not reported before, so every request is a check,
  an INSERT and a COMMIT with ``synchronous=FULL`` (an fsync of the WAL): the worst case;
* **folded duplicates**: every body names one of a few channels already reported, so every
  request is a check and an UPDATE of ``duplicate_count`` (still one synced COMMIT each).

A request counts only if it was answered 201. Only loopback is contacted; the data directory is
a fresh temporary one. Rate limits (``verifier/web/limits.py``) are raised out of the way. With
``VERIFIER_DATABASE_URL`` set (``VERIFIER_DATABASE_URL=postgresql://... make bench``) the
reports go to that PostgreSQL database instead of the SQLite file: use an empty one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from api import BIN, HOST, free_port, pinning, stop, wait_until_up  # bench/api.py
from api import load as api_load

CLIENTS = 8
SECONDS = 3.0
MAX_REQUESTS = 20_000
WHAT = "A 'support agent' messaged me first and sent this link; the page asked for my 12 words. 助记词"


def load(port: int, bodies, *, seconds: float, clients: int = CLIENTS) -> tuple[int, int, float, float, float]:
    """(answered 201, errors, seconds, p50 ms, p99 ms); ``bodies(client, n)`` makes each body."""
    stats = api_load(port, "/api/v1/reports", bodies, seconds=seconds, clients=clients,
                     max_requests=MAX_REQUESTS, expect=201, timeout=30)
    return stats.requests, stats.errors, stats.seconds, stats.p50_ms, stats.p99_ms


def _body(channel: str) -> bytes:
    return json.dumps({"channel": channel, "what_happened": WHAT}).encode()


def main(seconds: float = SECONDS) -> int:
    data_dir = tempfile.mkdtemp(prefix="verifier-bench-reports-")
    # The bench is one client reporting thousands of different channels: lift both limits.
    env = dict(os.environ, VERIFIER_DATA_DIR=data_dir, VERIFIER_RATELIMIT_ANON="100000000/minute",
               VERIFIER_RATELIMIT_REPORT_CHANNELS="100000000/hour")
    prefix, client_cpus = pinning()
    port = free_port()
    server = subprocess.Popen([*prefix, str(BIN / "verifier"), "serve", "--host", HOST, "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port, "/healthz", server)
        if client_cpus:
            os.sched_setaffinity(0, client_cpus)
        load(port, lambda c, n: _body(f"https://warm-{c}-{n}.top/"), seconds=0.5)
        new = load(port, lambda c, n: _body(f"https://tp-refund-{c}-{n}.top/claim"), seconds=seconds)
        folded = load(port, lambda c, n: _body(f"https://tp-refund-{c}-{n % 5 + 1}.top/claim"), seconds=seconds)
    finally:
        stop(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    url = os.environ.get("VERIFIER_DATABASE_URL", "")
    if url:
        from verifier.state.pgstore import masked

        store = f"PostgreSQL {masked(url)}"
    else:
        store = "SQLite, synchronous=FULL"
    print(f"report submission, POST /api/v1/reports on loopback ({CLIENTS} clients, `verifier serve` defaults, {store})")
    for name, (count, errors, elapsed, p50, p99) in (("new reports (INSERT)", new), ("folded duplicates (UPDATE)", folded)):
        print(f"  {name:28s} {count / elapsed:8.0f} reports/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
              f"({count} in {elapsed:.1f} s, {errors} errors)")
    return 0 if new[1] == 0 and folded[1] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
