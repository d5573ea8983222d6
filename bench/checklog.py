"""The check log's cost per check (issue 6), in-process, many checks:

* the core check alone (``Verifier.check`` + ``to_dict``), as the API does it;
* the same plus :meth:`CheckLog.record` (the shipped design: a deque append; a writer thread
  writes batches every 0.5 s in one transaction);
* the same with one ``INSERT`` + commit per check on the request thread (the alternative
  design, SQLite in WAL mode), for comparison;
* the writer's own throughput (rows/s written by ``flush``), i.e. what the background thread
  costs per row.

Run alone (``python bench/checklog.py``) or as part of ``make bench``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

N = 20000


def _per_check_us(fn, values) -> float:
    start = time.perf_counter()
    for value in values:
        fn(value)
    return (time.perf_counter() - start) / len(values) * 1e6


def main() -> int:
    from run import mixed_inputs  # bench/run.py: the realistic mix

    from verifier.state import checklog
    from verifier.config import Settings
    from verifier.serving.runtime import open_verifier
    from verifier.state.store import StateStore

    data_dir = Path(tempfile.mkdtemp(prefix="verifier-bench-checklog-"))
    settings = Settings.from_env(data_dir=data_dir)
    verifier = open_verifier(settings).verifier
    # Unique values: the verifier's memo of recent answers does not hide the check's cost.
    values = [v for v in mixed_inputs(N, seed=11)]
    warm = mixed_inputs(2000, seed=12)
    for value in warm:
        verifier.check(value).to_dict()

    def plain(value: str) -> None:
        verifier.check(value).to_dict()

    queued = checklog.CheckLog(settings.database_path)

    def with_queue(value: str) -> None:
        result = verifier.check(value)
        queued.record(result, "api")
        result.to_dict()

    store = StateStore(settings.database_path)

    def with_insert(value: str) -> None:
        result = verifier.check(value)
        row = checklog._row(result, "api", time.time())
        store.conn.execute("BEGIN IMMEDIATE")
        store.conn.execute(checklog._INSERT, (checklog._timestamp(row[0]), *row[1:]))
        store.conn.execute("COMMIT")
        result.to_dict()

    # Alternate rounds so drift (CPU frequency, cache) hits every variant alike; best of 3.
    rounds: dict[str, list[float]] = {"plain": [], "queue": [], "insert": []}
    for i in range(3):
        batch = [f"{v}#{i}" if v.startswith("http") else v for v in values]
        verifier_memo_breaker = [f"{v} " if j % 2 else v for j, v in enumerate(batch)]
        rounds["plain"].append(_per_check_us(plain, verifier_memo_breaker))
        rounds["queue"].append(_per_check_us(with_queue, verifier_memo_breaker))
        queued.flush()
        rounds["insert"].append(_per_check_us(with_insert, verifier_memo_breaker[: N // 4]))

    # record() alone, as the request thread pays it (the writer thread stopped from running by
    # a long interval on a fresh log).
    alone = checklog.CheckLog(settings.database_path, flush_seconds=3600)
    results = [verifier.check(v) for v in values[:5000]]
    start = time.perf_counter()
    for result in results:
        alone.record(result, "api")
    record_us = (time.perf_counter() - start) / len(results) * 1e6

    # The writer thread's cost per row: flush of a full batch.
    for value in values:
        queued.record(verifier.check(value), "api")
    pending = len(queued._pending)
    start = time.perf_counter()
    written = queued.flush()
    flush_us = (time.perf_counter() - start) / max(written, 1) * 1e6
    store.close()

    plain_us, queue_us, insert_us = (min(rounds[k]) for k in ("plain", "queue", "insert"))
    print(f"check log cost per check (in-process, realistic mix, {N} checks, best of 3)")
    print(f"  check + to_dict, no log                               {plain_us:8.1f} µs/check")
    print(f"  + CheckLog.record (queue; shipped)                     {queue_us:8.1f} µs/check  "
          f"(+{queue_us - plain_us:.1f} µs on the request path)")
    print(f"  + one INSERT + COMMIT per check (WAL; not shipped)     {insert_us:8.1f} µs/check  "
          f"(+{insert_us - plain_us:.1f} µs)")
    print(f"  CheckLog.record alone (the request thread's share)     {record_us:8.2f} µs/check")
    print(f"  writer thread: flush of {pending} rows in one transaction {flush_us:8.2f} µs/row")
    return 0


if __name__ == "__main__":
    sys.exit(main())
