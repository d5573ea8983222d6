"""`make bench`, the API part: throughput and p50/p99 latency of ``POST /api/v1/check`` under
concurrent clients on loopback, next to a trivial Flask JSON endpoint served the same way.

Both servers are gunicorn subprocesses on 127.0.0.1 (a free port each) with ``verifier
serve``'s defaults — 1 worker, 8 threads, ``gthread``, access log on (to /dev/null here):
the checker is ``verifier serve`` itself, the baseline ``bench/trivial_app.py``. The load
generator is Python: ``CLIENTS`` threads, each with its own keep-alive ``http.client``
connection, POSTing the same JSON bodies (a realistic mix of inputs, from ``bench/run.py``)
to both, after a warm-up, in ``ROUNDS`` alternating rounds (the median round of each is
shown); each round bounded by ``SECONDS`` and ``MAX_REQUESTS``. Only loopback
is ever contacted. The figure that matters is the ratio (aim: the check endpoint at >= 70 %
of the trivial one's requests/s), since both share the machine with the load generator.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CLIENTS = 16
SECONDS = 3.0
ROUNDS = 3
WARMUP_SECONDS = 1.0
MAX_REQUESTS = 200_000
AIM = 0.70
# The same worker model as `verifier serve` (verifier/web/server.py).
GUNICORN = ["--workers", "1", "--threads", "8", "--worker-class", "gthread", "--preload",
            "--timeout", "30", "--graceful-timeout", "20", "--access-logfile", "-", "--error-logfile", "-"]


@dataclass(frozen=True)
class Stats:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, path: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                conn.close()
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server on port {port} did not start (exit {proc.poll()})")
        time.sleep(0.1)


def pinning() -> tuple[list[str], set[int] | None]:
    """Servers on CPU 0, the load generator on the others (as bench/run.py pins to one core),
    so the two do not take turns on the same core; nothing pinned on a one-CPU machine."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) < 2 or shutil.which("taskset") is None:
        return [], None
    return ["taskset", "-c", str(cpus[0])], set(cpus[1:])


def start_servers(data_dir: str, prefix: list[str] = ()) -> tuple[subprocess.Popen, int, subprocess.Popen, int]:
    # The limiter still runs (its cost is part of the figure); its limit is out of reach.
    env = dict(os.environ, VERIFIER_DATA_DIR=data_dir, VERIFIER_RATELIMIT_ANON="100000000/minute")
    check_port, trivial_port = free_port(), free_port()
    checker = subprocess.Popen([*prefix, str(BIN / "verifier"), "serve", "--host", HOST, "--port", str(check_port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trivial = subprocess.Popen([*prefix, sys.executable, "-m", "gunicorn", *GUNICORN, "--chdir", str(HERE),
                                "--bind", f"{HOST}:{trivial_port}", "trivial_app:app"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(check_port, "/healthz", checker)
        wait_until_up(trivial_port, "/ok", trivial)
    except Exception:
        stop(checker)
        stop(trivial)
        raise
    return checker, check_port, trivial, trivial_port


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(port: int, path: str, bodies: list[bytes] | Callable[[int, int], bytes], *, seconds: float,
         clients: int = CLIENTS, max_requests: int = MAX_REQUESTS, expect: int = 200, timeout: float = 10) -> Stats:
    """POST for ``seconds`` from ``clients`` keep-alive connections; an answer other than
    ``expect`` counts as an error. ``bodies`` is a list (round robin, each client from its own
    offset) or a function ``(client, n) -> body``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    budget = max_requests // clients
    start_gate = threading.Barrier(clients + 1)
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    make = bodies if callable(bodies) else (lambda index, n: bodies[(index * 7919 + n) % len(bodies)])

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        mine = latencies[index]
        n = 0
        start_gate.wait()
        deadline = time.perf_counter() + seconds
        while len(mine) < budget:
            body = make(index, n)
            n += 1
            began = time.perf_counter()
            if began > deadline:
                break
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                continue
            if response.status == expect:
                mine.append(time.perf_counter() - began)
            else:
                errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for part in latencies for x in part)
    if len(every) < 2:
        raise RuntimeError(f"no answer {expect} from port {port} ({sum(errors)} errors)")
    cuts = statistics.quantiles(every, n=100)
    return Stats(len(every), sum(errors), elapsed, statistics.median(every) * 1000, cuts[98] * 1000)


def check_bodies(n: int = 2000, kind: str = "mix") -> list[bytes]:
    """JSON bodies from bench/run.py's inputs: ``mix`` (official, tricks, unrelated hosts,
    e-mails, handles) or ``exact`` (official channels only: the API's cost with the least core work)."""
    sys.path.insert(0, str(HERE))
    from run import exact_inputs, mixed_inputs

    texts = mixed_inputs(n, seed=11) if kind == "mix" else exact_inputs(n, seed=13)
    return [json.dumps({"input": text}).encode() for text in texts]


def main(seconds: float = SECONDS, clients: int = CLIENTS) -> int:
    bodies, official = check_bodies(), check_bodies(kind="exact")
    data_dir = tempfile.mkdtemp(prefix="verifier-bench-api-")
    prefix, client_cpus = pinning()
    checker, check_port, trivial, trivial_port = start_servers(data_dir, prefix)
    if client_cpus:
        os.sched_setaffinity(0, client_cpus)
    try:
        # one sanity request: the checker really answers the mix with verdicts
        conn = http.client.HTTPConnection(HOST, check_port, timeout=10)
        conn.request("POST", "/api/v1/check", body=bodies[0], headers={"Content-Type": "application/json"})
        assert "verdict" in json.loads(conn.getresponse().read()), "the check endpoint did not answer a verdict"
        conn.close()
        for port, path in ((trivial_port, "/ok"), (check_port, "/api/v1/check")):
            load(port, path, bodies, seconds=WARMUP_SECONDS, clients=clients)
        # Alternating rounds, the median round of each: other load on the machine hits both alike.
        rounds: dict[str, list[Stats]] = {"trivial": [], "check": [], "exact": []}
        for _ in range(ROUNDS):
            rounds["trivial"].append(load(trivial_port, "/ok", bodies, seconds=seconds, clients=clients))
            rounds["check"].append(load(check_port, "/api/v1/check", bodies, seconds=seconds, clients=clients))
            rounds["exact"].append(load(check_port, "/api/v1/check", official, seconds=seconds, clients=clients))
        trivial_stats, check_stats, exact_stats = (
            sorted(rounds[k], key=lambda s: s.rate)[len(rounds[k]) // 2] for k in ("trivial", "check", "exact")
        )
    finally:
        stop(checker)
        stop(trivial)
        shutil.rmtree(data_dir, ignore_errors=True)
    ratio = check_stats.rate / trivial_stats.rate
    print(f"API under load (gunicorn 1 worker x 8 threads, gthread; {clients} keep-alive clients on loopback, "
          f"median of {ROUNDS} alternating {seconds:g} s rounds; "
          f"{'servers on CPU ' + prefix[-1] + ', load generator on the others' if prefix else 'not pinned'})")
    runs = (("trivial Flask JSON {\"ok\": true}", trivial_stats), ("POST /api/v1/check, realistic mix", check_stats),
            ("POST /api/v1/check, official only", exact_stats))
    for name, stats in runs:
        print(f"  {name:36s} {stats.rate:8.0f} req/s   p50 {stats.p50_ms:6.2f} ms   p99 {stats.p99_ms:6.2f} ms"
              f"   ({stats.requests} requests, {stats.errors} errors)")
    print(f"  check / trivial throughput, mix      {ratio*100:8.1f} %     (aim >= {AIM*100:.0f} %)")
    print(f"  check / trivial, official only       {exact_stats.rate / trivial_stats.rate * 100:8.1f} %")
    return 0 if all(stats.errors == 0 for _, stats in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
