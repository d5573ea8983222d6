"""The real-world section of ``make bench``: real fakes from public block lists, and the web's
popular domains as the false-positive corpus (sources: ``bench/data/SOURCES.md``).

* recall on ``real_fakes_dev.tsv`` (target >= 0.99): a fake counts as caught when it is answered
  ``impersonation`` or ``suspicious``;
* flagged share of the Tranco top 100,000 (target <= 0.1 %, and none of the top 10,000);
* recall per trick: each fake is put in one class by *this file* (never by the product), from
  the plain shape of its name against the brand, so a class that stops being caught shows;
* every miss and every flagged popular domain, listed (not just counted).

These sets measure, they do not teach: no detector, table row or test names one of their hosts.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from rapidfuzz.distance import OSA  # noqa: E402

from verifier.check import Verifier  # noqa: E402
from verifier.errors import InvalidInputError  # noqa: E402
from verifier.hostnames import normalize_host  # noqa: E402

FAKES_PATH = HERE / "data" / "real_fakes_dev.tsv"
POPULAR_PATH = HERE / "data" / "tranco_top100k.txt"
FLAGGED = frozenset({"impersonation", "suspicious"})
RECALL_TARGET = 0.99
FLAGGED_SHARE_TARGET = 0.001  # of the 100,000
TOP_CLEAN = 10_000  # none of these may be flagged
# The brand as the bench reads it (the registry's names, spelt out): only to sort fakes into
# classes for the report; the product reads its names from the signed registry.
BRAND_NAMES = ("tokenpocket", "tpwallet")


def read_fakes(path: Path = FAKES_PATH) -> list[str]:
    return [line.split("\t", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def read_popular(path: Path = POPULAR_PATH) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def trick_class(host: str) -> str:
    """The trick a fake's name plays, read from its shape (for the per-trick recall only)."""
    try:
        parsed, _ = normalize_host(host)
    except InvalidInputError:
        return "unparsable"
    if not parsed.ascii.isascii() or parsed.is_idn:
        return "non-ASCII (IDN)"
    registrable = parsed.registrable or parsed.ascii
    suffix = parsed.suffix or ""
    label = registrable[: -len(suffix) - 1] if suffix and registrable.endswith("." + suffix) else registrable
    subdomains = parsed.ascii[: -len(registrable)].strip(".").split(".") if parsed.ascii != registrable else []
    squeezed = label.replace("-", "")
    prefix = "free hosting: " if parsed.is_private_suffix else ""
    for name in BRAND_NAMES:
        if squeezed == name:
            return prefix + ("brand with hyphens" if "-" in label else "brand on another TLD")
    if any(name in squeezed for name in BRAND_NAMES):
        return prefix + "brand spelt right + other words"
    best = min(OSA.distance(squeezed, name) for name in BRAND_NAMES)
    if best <= 2:
        return prefix + f"typo, {best} edit{'s' if best > 1 else ''}"
    # the brand misspelt inside a longer name: the best window of the brand's length +-1
    inside = min(
        OSA.distance(squeezed[i : i + n], name)
        for name in BRAND_NAMES
        for n in (len(name) - 1, len(name), len(name) + 1)
        for i in range(max(1, len(squeezed) - n + 1))
    )
    if inside <= 2:
        return prefix + "typo + other words"
    if any(name in "".join(subdomains) for name in BRAND_NAMES):
        return prefix + "brand in a subdomain"
    if "pocket" in squeezed or squeezed.startswith("tp"):
        return prefix + "short form (tp / pocket)"
    return prefix + "other"


def check_all(verifier: Verifier, values: list[str], now) -> list[tuple[str, str, tuple[str, ...]]]:
    out = []
    for value in values:
        try:
            result = verifier.check(value, now=now)
        except InvalidInputError as exc:
            out.append((value, f"error:{exc.code}", ()))
            continue
        out.append((value, result.verdict, tuple(r.code for r in result.reasons)))
    return out


def main(registry=None) -> int:
    if registry is None:
        from heuristics import shipped_registry  # bench/heuristics.py

        registry = shipped_registry()
    now = registry.issued_at + timedelta(days=1)
    verifier = Verifier(registry, clock=lambda: now, memo_size=0)
    print("\n== Real world: fakes from public block lists, and the Tranco top 100,000 (bench/data/SOURCES.md)")

    fakes = read_fakes()
    answers = check_all(verifier, fakes, now)
    by_class: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for host, verdict, reasons in answers:
        caught = verdict in FLAGGED
        by_class[trick_class(host)].append(caught)
        if not caught:
            misses.append((host, verdict, reasons))
    caught_n = sum(1 for _, v, _ in answers if v in FLAGGED)
    recall = caught_n / len(answers) if answers else 0.0
    verdicts = Counter(v for _, v, _ in answers)
    print(f"real fakes (dev set): {len(answers)}  recall {recall:.3f} (target >= {RECALL_TARGET})  "
          f"verdicts: " + ", ".join(f"{k} {n}" for k, n in verdicts.most_common()))
    print(f"  {'trick':46} {'n':>4} {'caught':>7} {'recall':>7}")
    for name in sorted(by_class, key=lambda k: (-len(by_class[k]), k)):
        hits = by_class[name]
        print(f"  {name:46} {len(hits):>4} {sum(hits):>7} {sum(hits) / len(hits):>7.3f}")
    print(f"  misses ({len(misses)}):" + ("" if misses else " none"))
    for host, verdict, reasons in misses:
        print(f"    {host}  -> {verdict} [{', '.join(reasons)}]  ({trick_class(host)})")
    reasons_count = Counter(r for _, v, rs in answers if v in FLAGGED for r in rs)
    print("  reasons given to the caught: " + ", ".join(f"{k} {n}" for k, n in reasons_count.most_common()))

    popular = read_popular()
    started = time.perf_counter()
    answers = check_all(verifier, popular, now)
    elapsed = time.perf_counter() - started
    flagged = [(rank, host, verdict, reasons) for rank, (host, verdict, reasons) in enumerate(answers, 1) if verdict in FLAGGED]
    official = [(rank, host) for rank, (host, verdict, _) in enumerate(answers, 1) if verdict == "official"]
    share = len(flagged) / len(answers) if answers else 0.0
    top = [f for f in flagged if f[0] <= TOP_CLEAN]
    print(f"popular domains (Tranco top {len(answers):,}): flagged {len(flagged)} = {share:.4%} "
          f"(target <= {FLAGGED_SHARE_TARGET:.1%}); in the top {TOP_CLEAN:,}: {len(top)} (target 0); "
          f"answered official: {len(official)}; {len(answers) / elapsed:,.0f} checks/s in-process")
    for rank, host, verdict, reasons in flagged:
        print(f"    #{rank:<6} {host}  -> {verdict} [{', '.join(reasons)}]")
    for rank, host in official:
        print(f"    #{rank:<6} {host}  -> official")

    failures = 0
    if recall < RECALL_TARGET:
        print(f"BELOW TARGET: real-fake recall {recall:.3f} < {RECALL_TARGET}")
        failures += 1
    if share > FLAGGED_SHARE_TARGET or top:
        print(f"BELOW TARGET: {len(flagged)} popular domains flagged ({len(top)} in the top {TOP_CLEAN:,})")
        failures += 1
    return failures


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
