"""``verifier screen [FILE|-]``: a feed of names screened for fakes of the brand.

Wallet teams watch feeds (newly registered domains, certificate-transparency names, a partner's
block list, yesterday's check log) for new fakes before victims meet them. One name, URL or
e-mail per line (``--format ct``: one JSON entry per line with a list of names); only
``impersonation`` and ``suspicious`` answers are printed (``--all``: every answer), as JSON
lines in the order of the input; a summary goes to standard error at the end, and a progress
bar too when standard error is a terminal.

Most names in a feed are nowhere near the brand: :mod:`verifier.fastpath` proves those plainly
``not_official`` in a few µs, and only the rest take the full pipeline. ``--workers N`` spreads
chunks of the feed over N processes (forked: the verified registry and its indexes are shared,
not rebuilt) and writes their answers in input order.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterable, Iterator

import orjson

from verifier.errors import InvalidInputError, VerifierError

FLAGGED = frozenset({"impersonation", "suspicious"})
MAX_LINE = 64 * 1024  # as check --jsonl
CHUNK = 2000  # lines per task with --workers: large enough that the pipe costs little
SHOWN = 200  # characters of a bad line echoed back


@dataclass
class Stats:
    lines: int = 0
    names: int = 0
    fast: int = 0  # answered by the fast path
    bad: int = 0
    verdicts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # reason codes of the hits

    def add(self, other: "Stats") -> None:
        self.lines += other.lines
        self.names += other.names
        self.fast += other.fast
        self.bad += other.bad
        self.verdicts.update(other.verdicts)
        self.reasons.update(other.reasons)

    @property
    def hits(self) -> int:
        return sum(n for v, n in self.verdicts.items() if v in FLAGGED)


class Screener:
    """Answers for one line of a feed, as the JSON objects ``screen`` prints."""

    def __init__(self, verifier, *, lang: str = "en", fast: bool = True, show_all: bool = False, ct: bool = False) -> None:  # type: ignore[no-untyped-def]
        from verifier.fastpath import CLEAR_REASONS, CLEAR_RISK, CLEAR_VERDICT, FastPath
        from verifier.messages import render_reason

        self.verifier = verifier
        self.lang = lang
        self.fastpath = FastPath(verifier) if fast else None
        self.show_all = show_all
        self.ct = ct
        self._clear = (CLEAR_VERDICT, CLEAR_RISK, [render_reason(r, lang) for r in CLEAR_REASONS])

    def answer(self, number: int, name: str) -> dict[str, Any]:
        """The screen object for one name (the fast path's or the full pipeline's)."""
        fastpath = self.fastpath
        if fastpath is not None and fastpath.clear(name):
            verdict, risk, reasons = self._clear
            return {"line": number, "input": name, "kind": "domain", "normalized": name.lower(), "verdict": verdict,
                    "risk": risk, "reasons": reasons, "lookalike_of": None, "fast": True}
        data = self.verifier.check(name).to_dict(self.lang)
        return {"line": number, "input": name, "kind": data["kind"], "normalized": data["normalized"],
                "verdict": data["verdict"], "risk": data["risk"], "reasons": data["reasons"],
                "lookalike_of": data["lookalike_of"], "fast": False}

    def screen(self, lines: Iterable[tuple[int, bytes]]) -> tuple[bytes, Stats]:
        """Every line of a chunk: the JSON lines to print, and what was counted."""
        out: list[bytes] = []
        stats = Stats()
        for number, raw in lines:
            stats.lines += 1
            try:
                names = self._names(raw)
            except InvalidInputError as err:
                stats.bad += 1
                out.append(self._error(number, raw, err))
                continue
            for name in names:
                stats.names += 1
                try:
                    obj = self.answer(number, name)
                except InvalidInputError as err:
                    stats.bad += 1
                    out.append(self._error(number, name.encode(), err))
                    continue
                verdict = obj["verdict"]
                stats.verdicts[verdict] += 1
                stats.fast += obj.pop("fast")
                if verdict in FLAGGED:
                    stats.reasons.update(r["code"] for r in obj["reasons"])
                if verdict in FLAGGED or self.show_all:
                    out.append(orjson.dumps(obj) + b"\n")
        return b"".join(out), stats

    def _names(self, raw: bytes) -> list[str]:
        if len(raw) > MAX_LINE:
            raise InvalidInputError(f"line of {len(raw)} bytes is over the {MAX_LINE} limit", code="input_too_long")
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as err:
            raise InvalidInputError(f"the line is not valid UTF-8 (byte {err.start})", code="invalid_text") from None
        if not self.ct:
            return [text]
        return ct_names(text)

    def _error(self, number: int, raw: bytes, err: InvalidInputError) -> bytes:
        from verifier import present

        shown = raw.decode("utf-8", "replace").strip()[:SHOWN]
        return orjson.dumps({"line": number, **present.error_object(shown, err, self.lang, "cli")}) + b"\n"


def ct_names(text: str) -> list[str]:
    """The names of one certificate-transparency entry (a JSON line): certstream's
    ``data.leaf_cert.all_domains``, or a list at ``all_domains``, ``dns_names``, ``names`` or
    ``domains``, or the line a JSON list itself. ``*.`` is dropped (a wildcard certificate for
    ``*.x`` is x's), repeats within one entry are answered once."""
    try:
        entry = orjson.loads(text)
    except orjson.JSONDecodeError as err:
        raise InvalidInputError(f"not a JSON line ({err})", code="invalid_ct_entry") from None
    names: Any = None
    if isinstance(entry, list):
        names = entry
    elif isinstance(entry, dict):
        data = entry.get("data") if isinstance(entry.get("data"), dict) else entry
        leaf = data.get("leaf_cert") if isinstance(data.get("leaf_cert"), dict) else data
        for key in ("all_domains", "dns_names", "names", "domains"):
            if key in leaf:
                names = leaf[key]
                break
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidInputError("no list of names in this entry (expected all_domains, dns_names, names or domains)",
                                code="invalid_ct_entry")
    seen: dict[str, None] = {}
    for name in names:
        name = name.strip()
        if name.startswith("*."):
            name = name[2:]
        if name:
            seen.setdefault(name, None)
    return list(seen)


def read_lines(source: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every line that holds something: blank lines and ``#``
    comments (block lists have them) are not names."""
    for number, raw in enumerate(source, 1):
        line = raw.rstrip(b"\r\n")
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        yield number, line


def chunks(lines: Iterator[tuple[int, bytes]], size: int = CHUNK) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# The screener of a worker process: set in the parent before the pool forks, so every worker
# shares the verified registry and its indexes instead of loading them again.
_WORKER: Screener | None = None


def _work(chunk: list[tuple[int, bytes]]) -> tuple[bytes, Stats]:
    assert _WORKER is not None
    return _WORKER.screen(chunk)


def run(screener: Screener, source: BinaryIO, out: BinaryIO, *, workers: int = 1, progress=None) -> Stats:  # type: ignore[no-untyped-def]
    """Screen ``source`` into ``out`` (order kept); ``progress(stats)`` after every chunk."""
    global _WORKER
    total = Stats()
    if workers <= 1:
        results: Iterable[tuple[bytes, Stats]] = (screener.screen(c) for c in chunks(read_lines(source)))
        pool = None
    else:
        import multiprocessing

        _WORKER = screener
        pool = multiprocessing.get_context("fork").Pool(workers)
        # imap keeps the order of the chunks; a few chunks in flight per worker keep both busy.
        results = pool.imap(_work, chunks(read_lines(source)), chunksize=1)
    try:
        for data, stats in results:
            if data:
                out.write(data)
            total.add(stats)
            if progress is not None:
                progress(total)
    finally:
        if pool is not None:
            pool.terminate()
            _WORKER = None
    out.flush()
    return total


def summary(stats: Stats, seconds: float, lang: str = "en") -> str:
    rate = stats.names / seconds if seconds > 0 else 0.0
    flagged = ", ".join(f"{v} {stats.verdicts[v]}" for v in ("impersonation", "suspicious") if stats.verdicts[v])
    lines = [
        f"screened {stats.names} names from {stats.lines} lines in {seconds:.2f} s ({rate:,.0f}/s): "
        f"{stats.hits} hits{f' ({flagged})' if flagged else ''}, {stats.bad} bad lines, "
        f"{stats.fast} answered by the fast path"
    ]
    if stats.reasons:
        lines.append("hits by reason: " + ", ".join(f"{code} {n}" for code, n in stats.reasons.most_common()))
    return "\n".join(lines)


class _Progress:
    """A progress bar on a terminal (rich): names per second and hits so far."""

    def __init__(self, total_bytes: int | None) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.started = time.perf_counter()
        self.bar = Progress(TextColumn("screening"), BarColumn(), TextColumn("{task.fields[names]} names"),
                            TextColumn("{task.fields[rate]}/s"), TextColumn("[bold red]{task.fields[hits]} hits"),
                            TimeElapsedColumn(), transient=True)
        self.task = self.bar.add_task("screen", total=None, names=0, rate=0, hits=0)
        self.bar.start()

    def __call__(self, stats: Stats) -> None:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.bar.update(self.task, names=f"{stats.names:,}", rate=f"{stats.names / elapsed:,.0f}", hits=stats.hits)

    def stop(self) -> None:
        self.bar.stop()


def cmd_screen(args: argparse.Namespace) -> int:
    from verifier.cli.main import EXIT_OK, EXIT_USAGE, _fail, _settings
    from verifier.serving.runtime import open_verifier

    if args.workers < 1:
        print("error: usage: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    try:
        source: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as err:
        print(f"error: cannot read {args.file}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        try:
            settings = _settings(args)
            verifier = open_verifier(settings).verifier
            from verifier.state.reports import attach

            attach(verifier, settings.shared_database)  # confirmed reports answer as in check
        except VerifierError as err:
            return _fail(err)
        screener = Screener(verifier, lang=args.lang, fast=not args.no_fast_path, show_all=args.all,
                            ct=args.format == "ct")
        progress = None
        if not args.quiet and sys.stderr.isatty():
            try:
                progress = _Progress(None)
            except ImportError:  # rich is a dependency; without it the run simply shows no bar
                progress = None
        try:
            stats = run(screener, source, sys.stdout.buffer, workers=args.workers, progress=progress)
        finally:
            if progress is not None:
                progress.stop()
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    if not args.quiet:
        print(summary(stats, time.perf_counter() - started, args.lang), file=sys.stderr)
    return EXIT_OK


def add_screen_parser(sub) -> None:  # type: ignore[no-untyped-def]
    screen = sub.add_parser("screen", help="screen a feed of names (one per line) for fakes; print the hits as JSON lines")
    screen.add_argument("file", nargs="?", default="-", metavar="FILE", help="the feed (default -: standard input)")
    screen.add_argument("--format", choices=("lines", "ct"), default="lines",
                        help="lines: one name, URL or e-mail per line; ct: certificate-transparency JSON lines")
    screen.add_argument("--all", action="store_true", help="print every answer, not only impersonation and suspicious")
    screen.add_argument("--workers", type=int, default=1, metavar="N", help="processes to use (order is kept)")
    screen.add_argument("--lang", choices=("en", "zh"), default=None, help="language of messages (default VERIFIER_LANG or en)")
    screen.add_argument("--registry", default=None, help="registry JSON (signature: same path + .minisig)")
    screen.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    screen.add_argument("--no-fast-path", action="store_true", help="run the full pipeline on every name (for comparison)")
    screen.set_defaults(func=cmd_screen)
