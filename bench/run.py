"""`make bench`: throughput and start-up of the checker, printed as a small table.

Measures, on this machine, pinned to one core where `taskset` exists:
  * start-up of `verifier check VALUE` (registry signature, schema and floor included);
  * `verifier check --jsonl` throughput as a *marginal* rate: (N2 - N1) inputs divided by
    the difference of the two runs' times, so start-up and one-off warm-up (lazy tables of
    tldextract and phonenumbers) are not counted as per-check cost;
    for exact-lookup inputs (official channels, in every form, with unique paths) and for a
    realistic mix (official, tricks, unrelated domains, e-mails, handles, phones);
  * the core alone (`Verifier.check` + `to_dict` in-process) per group.

Targets (issue 2): 20,000+ exact-lookup checks/s on one core; start-up under 0.5 s.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = str(Path(sys.executable).parent / "verifier")

OFFICIAL = [
    "tokenpocket.pro", "https://www.tokenpocket.pro/", "https://help.tokenpocket.pro/cn/", "tpwallet.io",
    "https://verify.tpwallet.io/", "service@tokenpocket.pro", "https://t.me/tokenpocket_cn", "https://x.com/TokenPocket_TP",
    "https://discord.com/invite/NKPM8TXFQk", "https://github.com/TP-Lab", "telegram:tokenPocket_en",
]
TRICKS = [
    "https://tokenpocket.pro@evil.example/x", "https://evil.example\\@tokenpocket.pro", "http://0x7f.1/",
    "javascript:alert(1)", "https://tokenpocket.pro\u200b.evil.example/", "\"service@tokenpocket.pro\" <scam@gmail.com>",
    "telegram:TokenPocket_TP", "+86 138 0013 8000", "0xdAC17F958D2ee523a2206206994597C13D831ec7",
]


def exact_inputs(n: int, seed: int = 3) -> list[str]:
    """Official channels in the forms people paste, each URL with a unique path."""
    rng = random.Random(seed)
    hosts = ["tokenpocket.pro", "www.tokenpocket.pro", "help.tokenpocket.pro", "tpwallet.io", "verify.tpwallet.io"]
    out = []
    for i in range(n):
        r = rng.random()
        if r < 0.5:
            out.append(f"https://{rng.choice(hosts)}/page/{i}?lang=zh")
        elif r < 0.6:
            out.append(rng.choice(hosts))
        else:
            out.append(rng.choice(OFFICIAL))
    return out


def mixed_inputs(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = ["wallet", "help", "pocket", "token", "swap", "chain", "defi", "coin", "support", "news", "shop", "bank"]
    tlds = ["com", "net", "org", "io", "app", "xyz", "top", "cn", "co.uk", "com.br"]
    out: list[str] = []
    for i in range(n):
        r = rng.random()
        if r < 0.3:
            out.append(rng.choice(OFFICIAL))
        elif r < 0.4:
            out.append(rng.choice(TRICKS))
        elif r < 0.75:
            host = f"{rng.choice(words)}{rng.choice(words)}{i}.{rng.choice(tlds)}"
            out.append(rng.choice([host, f"https://{host}/login?x={i}", f"www.{host}"]))
        elif r < 0.9:
            out.append(f"{rng.choice(words)}{i}@{rng.choice(['gmail.com', 'qq.com', 'outlook.com', 'example.org'])}")
        else:
            out.append(f"@{rng.choice(words)}_{rng.choice(words)}{i % 13}")
    return out


def timed(cmd: list[str], stdin: str, env: dict[str, str]) -> float:
    """Wall time of one run, reading stdin from a file and writing stdout to a file (as a
    batch job would), so pipe handling in this process is not part of the figure."""
    with tempfile.TemporaryFile("w+") as source, tempfile.TemporaryFile("w+") as sink:
        source.write(stdin)
        source.seek(0)
        start = time.perf_counter()
        subprocess.run(cmd, stdin=source, stdout=sink, stderr=subprocess.PIPE, check=True, env=env)
        return time.perf_counter() - start


def marginal_rate(cmd: list[str], make, env: dict[str, str], small: int = 2000, large: int = 12000) -> float:
    """Checks/s from the difference between a small and a large run (best of 3 each)."""
    t_small = min(timed(cmd, "\n".join(make(small)) + "\n", env) for _ in range(3))
    t_large = min(timed(cmd, "\n".join(make(large)) + "\n", env) for _ in range(3))
    return (large - small) / max(t_large - t_small, 1e-9)


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="verifier-bench-")
    env = dict(os.environ, VERIFIER_DATA_DIR=data_dir)
    have_taskset = subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0
    pin = ["taskset", "-c", "0"] if have_taskset else []

    startups = [timed(pin + [VERIFIER, "check", "tokenpocket.pro"], "", env) for _ in range(5)]
    jsonl = pin + [VERIFIER, "check", "--jsonl"]
    exact_rate = marginal_rate(jsonl, exact_inputs, env)
    mixed_rate = marginal_rate(jsonl, mixed_inputs, env)

    print(f"verifier benchmark ({'pinned to one core' if pin else 'not pinned: taskset missing'})")
    print(f"  start-up, `verifier check tokenpocket.pro`, best of 5   {min(startups)*1000:8.1f} ms   (target < 500 ms)")
    print(f"  start-up, median of 5                                   {statistics.median(startups)*1000:8.1f} ms")
    print(f"  `check --jsonl`, exact-lookup inputs                    {exact_rate:8.0f} checks/s (target >= 20,000)")
    print(f"  `check --jsonl`, realistic mix                          {mixed_rate:8.0f} checks/s")

    sys.path.insert(0, str(ROOT))
    from verifier.config import Settings
    from verifier.serving.runtime import open_verifier

    verifier = open_verifier(Settings.from_env(data_dir=Path(data_dir))).verifier
    for name, values in (("exact-lookup", exact_inputs(20000, 5)), ("tricks", TRICKS * 500), ("realistic mix", mixed_inputs(20000, 9))):
        start = time.perf_counter()
        for value in values:
            verifier.check(value).to_dict()
        elapsed = time.perf_counter() - start
        print(f"  core Verifier.check + to_dict, {name:22s}  {len(values)/elapsed:8.0f} checks/s")
    return 0


if __name__ == "__main__":
    status = main()
    from heuristics import main as heuristics_main  # bench/heuristics.py: the labelled set, its speed figures
    from realworld import main as realworld_main  # bench/realworld.py: real fakes and the Tranco top 100k
    from page import main as page_main  # bench/page.py: the deep check's page reading, the parsers compared
    from abuse import main as abuse_main  # bench/abuse.py: fetch deadline, deep-check slots, memory (issue 12)
    from api import main as api_main  # bench/api.py: the JSON API under concurrent clients, next to a trivial endpoint
    from reports import main as reports_main  # bench/reports.py: report-submission throughput (synced commits)
    from checklog import main as checklog_main  # bench/checklog.py: the check log's cost per check

    status = status or heuristics_main()
    status = realworld_main() or status
    sys.exit(status or page_main() or abuse_main() or api_main() or reports_main() or checklog_main())
