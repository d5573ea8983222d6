"""Reports survive a killed server, and concurrency loses nothing (issue 6, "Done when").

* ``verifier serve`` (the real command: gunicorn, the shipped registry and pinned keys) gets a
  stream of report submissions from several threads; the whole process group (master and
  worker) is SIGKILLed mid-stream, the server restarted on the same data directory, and every
  report that was acknowledged with a 201 must be there, byte for byte. Several cycles.
* Many threads submitting reports (unique channels and one channel shared by all, to fold)
  and checking at once, spread over two servers (two processes on one SQLite file, or two
  nodes sharing one PostgreSQL): every answer 201/200 (never a 500), nothing lost, every
  duplicate counted once.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from pathlib import Path

import pytest
import requests

from served import Served
from verifier.state.reports import ReportBook

CYCLES = 5
STREAM_THREADS = 4
START_TIMEOUT = 20.0


def _server(data_dir: Path, *args: str) -> Served:
    """``verifier serve`` on the shipped registry, in its own process group (SIGKILL takes
    master and worker at once)."""
    # One client reports thousands of different channels here: no limit may turn them into 429s.
    env = dict(os.environ, VERIFIER_DATA_DIR=str(data_dir), VERIFIER_RATELIMIT_ANON="1000000/minute",
               VERIFIER_RATELIMIT_REPORT_CHANNELS="1000000/hour")
    env.pop("VERIFIER_REGISTRY", None)
    return Served(env, *args, logs=data_dir.parent).wait_ready(START_TIMEOUT)


def _submit(session: requests.Session, url: str, channel: str, what: str) -> requests.Response:
    return session.post(f"{url}/api/v1/reports", json={"channel": channel, "what_happened": what}, timeout=10)


def test_acknowledged_reports_survive_sigkill(tmp_path):
    data_dir = tmp_path / "var"
    acknowledged: dict[str, tuple[str, str]] = {}  # id -> (channel, what_happened)
    errors: list[str] = []
    lock = threading.Lock()
    rng = random.Random(6)

    for cycle in range(CYCLES):
        server = _server(data_dir)
        stop = threading.Event()

        def stream(worker: int, cycle: int = cycle, server: Served = server, stop: threading.Event = stop) -> None:
            session = requests.Session()
            n = 0
            while not stop.is_set():
                n += 1
                channel = f"https://tp-refund-{cycle}-{worker}-{n}.top/claim"
                what = f"cycle {cycle} worker {worker} report {n}: 他们要我的助记词 ✓"
                try:
                    response = _submit(session, server.base, channel, what)
                except requests.RequestException:
                    return  # the server died under us: this one was never acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged[response.json()["id"]] = (channel, what)
                elif response.status_code >= 500:
                    with lock:
                        errors.append(f"{response.status_code}: {response.text[:200]}")

        threads = [threading.Thread(target=stream, args=(w,)) for w in range(STREAM_THREADS)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.4, 1.0))  # mid-stream
        before = len(acknowledged)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        assert before > 0, "no report was acknowledged before the kill"

        # restart on the same data directory: every acknowledged report is there, intact
        server = _server(data_dir)
        try:
            book = ReportBook(data_dir / "verifier.sqlite3")
            stored = {r.id: r for r in book.list()}
            missing = sorted(set(acknowledged) - set(stored))
            assert not missing, f"cycle {cycle}: {len(missing)} acknowledged reports lost, e.g. {missing[:3]}"
            for report_id, (channel, what) in acknowledged.items():
                row = stored[report_id]
                assert (row.channel, row.what_happened, row.status, row.duplicate_count) == (channel, what, "open", 0)
            # the restarted server answers for them too (a fold of an existing channel)
            again = _submit(requests.Session(), server.base, *next(iter(acknowledged.values())))
            assert again.status_code == 201 and again.json()["duplicate"] is True
            acknowledged_first = next(iter(acknowledged))
            assert again.json()["id"] == acknowledged_first
            # the fold is durable too: the first report now counts one duplicate
            assert book.get(acknowledged_first).duplicate_count == 1
        finally:
            server.kill()
        # the fold above added one to the first report: the next cycles check the others
        acknowledged.pop(acknowledged_first)

    assert not errors, errors[:5]
    assert len(acknowledged) >= CYCLES


@pytest.fixture
def nodes(tmp_path, shared_db):
    """Two servers: on one SQLite file (two processes, like two workers), or two nodes with
    their own data directories sharing one PostgreSQL database."""
    shared = not isinstance(shared_db, Path)
    running = [_server(tmp_path / (f"node-{n}" if shared else "var"), "--pidfile", str(tmp_path / f"node-{n}.pid"))
               for n in range(2)]
    yield running
    for server in running:
        server.kill()


def test_concurrent_reports_and_checks_lose_nothing_and_never_500(nodes, shared_db):
    threads_n, per_thread = 16, 15
    shared = "https://tokenpocket-claim-shared.top/"
    results: list[tuple[str, int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_n)

    def work(index: int) -> None:
        session = requests.Session()
        url = nodes[index % 4 // 2].base  # reports and checks on both servers
        barrier.wait()
        for n in range(per_thread):
            if index % 2 == 0:  # reports: unique channels and the one shared channel
                channel = shared if n % 3 == 0 else f"tp-kefu-{index}-{n}.top"
                response = _submit(session, url, channel, f"thread {index} n {n}")
                kind = "shared" if channel == shared else channel
            else:
                response = session.post(f"{url}/api/v1/check", json={"input": f"tp-kefu-{index - 1}-{n}.top"}, timeout=10)
                kind = "check"
            with lock:
                results.append((kind, response.status_code, response.json()))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = {status for _, status, _ in results}
    assert statuses <= {200, 201}, [r for r in results if r[1] not in (200, 201)][:3]
    assert len(results) == threads_n * per_thread
    book = ReportBook(shared_db if not isinstance(shared_db, Path) else Path(nodes[0].env["VERIFIER_DATA_DIR"]) / "verifier.sqlite3")
    stored = {r.id: r for r in book.list()}
    unique = [(kind, body) for kind, status, body in results if status == 201 and kind not in ("shared", "check")]
    assert all(body["id"] in stored and stored[body["id"]].channel == kind for kind, body in unique)
    shared_answers = [body for kind, _, body in results if kind == "shared"]
    assert len({body["id"] for body in shared_answers}) == 1  # folded into one report
    assert sum(not body["duplicate"] for body in shared_answers) == 1
    assert stored[shared_answers[0]["id"]].duplicate_count == len(shared_answers) - 1
    assert len(stored) == len(unique) + 1
    checks = [body for kind, _, body in results if kind == "check"]
    assert all(body["verdict"] != "official" for body in checks)
    json.dumps(checks)  # every answer was JSON
