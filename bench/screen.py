"""Screening side by side with the peer: `verifier screen` / `check --jsonl` vs MetaMask's
eth-phishing-detect on the same 100,000 names (Tranco), whole processes, one run.

The peer (node, a pinned eth-phishing-detect, TokenPocket's official domains as its fuzzy list,
tolerance 2) is installed with npm into a cache folder outside git when node is present;
without node this says so and prints our side. Also: start-up of `verifier check
tokenpocket.pro` and `verifier --help` against the peer's, and the fast path's agreement with
the full pipeline on every name of the list (verdict, risk and reasons).

    python bench/screen.py [--runs 3] [--skip-agreement]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "bench" / "data" / "tranco_top100k.txt"
PEER_PACKAGE = "eth-phishing-detect@1.2.0"  # pinned: the figures compare one version
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tp-verifier-bench" / "peer"
VERIFIER = [str(Path(sys.executable).with_name("verifier"))]

PEER_SCRIPT = r"""
const fs = require('fs');
const PhishingDetector = require('eth-phishing-detect/src/detector');
const official = JSON.parse(process.argv[3]);
const detector = new PhishingDetector({whitelist: official, blacklist: [], fuzzylist: official, tolerance: 2});
let hits = 0, count = 0;
if (process.argv[2] !== '-') {
  for (const name of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
    if (!name) continue;
    count++;
    if (detector.check(name).result) hits++;
  }
}
console.log(JSON.stringify({count, hits}));
"""


def official_domains() -> list[str]:
    doc = json.loads((ROOT / "data" / "official_channels.json").read_text(encoding="utf-8"))
    return [c["value"] for c in doc["channels"] if c["kind"] == "domain" and c["status"] == "active"]


def install_peer() -> Path | None:
    """The pinned peer in the cache folder (npm, once); None without node and npm."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None
    if not (CACHE / "node_modules" / "eth-phishing-detect" / "src" / "detector.js").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(CACHE), PEER_PACKAGE],
                       check=True, timeout=300)
    script = CACHE / "screen.js"
    script.write_text(PEER_SCRIPT, encoding="utf-8")
    return script


def clock(cmd: list[str], *, stdin: Path | None = None, cwd: Path | None = None, runs: int = 3) -> list[float]:
    """Wall seconds of whole processes (output discarded), ``runs`` times."""
    out = []
    for _ in range(runs):
        handle = open(stdin, "rb") if stdin else subprocess.DEVNULL
        started = time.perf_counter()
        done = subprocess.run(cmd, stdin=handle, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, check=False)
        out.append(time.perf_counter() - started)
        if stdin:
            handle.close()
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return out


def span(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f} s (median {statistics.median(values):.2f})"


def agreement() -> tuple[int, int, list[str]]:
    """(cleared by the fast path, names, disagreements) over the whole list, in process."""
    sys.path.insert(0, str(ROOT))
    from verifier.check import Verifier
    from verifier.config import SHIPPED_REGISTRY
    from verifier.fastpath import CLEAR_RISK, CLEAR_VERDICT, FastPath
    from verifier.registry.schema import parse_registry

    registry = parse_registry(json.loads(SHIPPED_REGISTRY.read_text(encoding="utf-8")), path=str(SHIPPED_REGISTRY))
    verifier = Verifier(registry, clock=lambda: registry.issued_at, memo_size=0)
    fast = FastPath(verifier)
    names = NAMES.read_text(encoding="utf-8").split()
    cleared, wrong = 0, []
    for name in names:
        if fast.clear(name):
            cleared += 1
            result = verifier.check(name)
            if (result.verdict, result.risk, [r.code for r in result.reasons]) != (CLEAR_VERDICT, CLEAR_RISK, ["not_in_registry"]):
                wrong.append(name)
    return cleared, len(names), wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-agreement", action="store_true")
    args = parser.parse_args()
    runs = args.runs
    print(f"== screening {NAMES.name} ({sum(1 for _ in NAMES.open())} names), whole processes, {runs} runs each")
    peer_script = install_peer()
    ours = {
        "verifier screen": clock(VERIFIER + ["screen", "--quiet", str(NAMES)], runs=runs),
        "verifier screen --workers 2": clock(VERIFIER + ["screen", "--quiet", "--workers", "2", str(NAMES)], runs=runs),
        "verifier check --jsonl": clock(VERIFIER + ["check", "--jsonl"], stdin=NAMES, runs=runs),
    }
    startup = {
        "verifier check tokenpocket.pro": clock(VERIFIER + ["check", "tokenpocket.pro"], runs=max(runs, 5)),
        "verifier --help": clock(VERIFIER + ["--help"], runs=max(runs, 5)),
        "bare python": clock([sys.executable, "-c", "pass"], runs=max(runs, 5)),
    }
    official = json.dumps(official_domains())
    if peer_script is None:
        print("node/npm not found: the peer (eth-phishing-detect) is not measured; our side only")
        peer = peer_start = None
    else:
        peer = clock(["node", str(peer_script), str(NAMES), official], cwd=CACHE, runs=runs)
        peer_start = clock(["node", str(peer_script), "-", official], cwd=CACHE, runs=max(runs, 5))
        print(f"peer {PEER_PACKAGE} (node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}): "
              f"{span(peer)}; start-up {span(peer_start)}")
    targets = {"verifier screen": 1.0, "verifier screen --workers 2": 1.8, "verifier check --jsonl": 0.5}
    for what, times in ours.items():
        line = f"{what}: {span(times)}"
        if peer is not None:
            # Speed relative to the peer, best runs and worst runs paired: > 1 is faster.
            best, worst = min(peer) / min(times), max(peer) / max(times)
            line += f"; {min(best, worst):.2f}–{max(best, worst):.2f}× the peer's speed (target ≥ {targets[what]}×)"
        print(line)
    for what, times in startup.items():
        line = f"start-up, {what}: {span(times)}"
        if peer_start is not None and what != "bare python":
            line += f"; {statistics.median(times) / statistics.median(peer_start):.1f}× the peer's start-up (median)"
        print(line)
    if not args.skip_agreement:
        started = time.perf_counter()
        cleared, total, wrong = agreement()
        print(f"fast path vs full pipeline on all {total} names: {cleared} cleared by the fast path "
              f"({cleared / total:.1%}), {len(wrong)} disagreements{': ' + ', '.join(wrong[:10]) if wrong else ''} "
              f"({time.perf_counter() - started:.0f} s)")
        if wrong:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
