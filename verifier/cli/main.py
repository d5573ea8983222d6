"""The ``verifier`` command: ``check``, ``scan``, ``serve`` and ``registry ...`` (DESIGN.md, "Command line").

Exit codes: 0 answered; 1 the registry or local state was refused/unavailable; 2 usage;
3 at least one input was invalid (``check`` without ``--jsonl``; with ``--jsonl`` a bad line
is an ``error`` object in the output and the run goes on).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Sequence, TextIO

from verifier.errors import InvalidInputError, VerifierError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_BAD_INPUT = 0, 1, 2, 3
MAX_JSONL_LINE = 64 * 1024


def _fail(err: VerifierError) -> int:
    print(f"error: {err.code}: {err.message}", file=sys.stderr)
    return EXIT_REFUSED


def _settings(args: argparse.Namespace):
    from verifier.config import Settings

    return Settings.from_env(registry_path=getattr(args, "registry", None))


def cmd_check(args: argparse.Namespace) -> int:
    from verifier import present
    from verifier.serving.runtime import open_verifier

    if not args.values and not args.jsonl:
        print("error: usage: give values to check, or --jsonl to read them from standard input", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = _settings(args)
        verifier = open_verifier(settings).verifier
        from verifier.state.reports import attach

        attach(verifier, settings.shared_database)  # confirmed reports answer as reported_confirmed
        if args.deep:
            from verifier.serving.runtime import open_deep_checker

            verifier = open_deep_checker(settings, verifier)  # same .check(text, platform=...)
    except VerifierError as err:
        return _fail(err)
    lang = args.lang
    out: TextIO = sys.stdout
    if args.jsonl:
        return _check_jsonl(verifier, sys.stdin, out, lang, args.platform)
    status = EXIT_OK
    answered = False
    for value in args.values:
        try:
            result = verifier.check(value, platform=args.platform)
        except InvalidInputError as err:
            status = EXIT_BAD_INPUT
            if args.json:
                print(present.to_json_line(present.error_object(value, err, lang, "cli")), file=out)
            else:
                print(f"error: {err.code}: {present.error_message(err, lang, 'cli')}: {value!r}", file=sys.stderr)
            continue
        if args.json:
            print(present.to_json_line(result.to_dict(lang)), file=out)
        else:
            print(present.render_text(result, lang), file=out)
            answered = True
    if answered:
        print(present.render_policies(verifier.registry.policies, lang), file=out)
    return status


def _check_jsonl(verifier, source: TextIO, out: TextIO, lang: str, platform: str | None) -> int:
    """One input per line in, one JSON object per line out, same order; bad lines don't stop it."""
    import orjson

    from verifier import present

    # A real stdout takes the encoder's UTF-8 bytes as they are (decoding them to text for the
    # text layer to encode again costs ~2 us per 2 KB line); StringIO and the like take text.
    binary = getattr(out, "buffer", None)
    if binary is not None:
        out.flush()  # anything already written as text goes first
        write_line: Callable[[Any], object] = lambda obj: binary.write(orjson.dumps(obj) + b"\n")
    else:
        write_line = lambda obj: out.write(present.to_json_line(obj) + "\n")
    for raw_line in source:
        text = raw_line.rstrip("\n").rstrip("\r")
        try:
            if len(text) > MAX_JSONL_LINE:
                raise InvalidInputError(f"line of {len(text)} characters is over the {MAX_JSONL_LINE} limit", code="input_too_long")
            obj = verifier.check(text, platform=platform).to_dict(lang)
        except InvalidInputError as err:
            obj = present.error_object(text[:200], err, lang, "cli")
        write_line(obj)
    (binary or out).flush()
    return EXIT_OK


def read_input(path: str, limit: int) -> bytes | str:
    """At most ``limit`` + 1 bytes of a file or of ``-`` (stdin), so that more than ``limit``
    shows without reading on; a text stream (tests, embedding) comes already decoded."""
    if path == "-":
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:
            return sys.stdin.read(limit + 1)
        return binary.read(limit + 1)
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def _read_message(path: str) -> str:
    """The message to scan, from a file or ``-`` (stdin), as strict UTF-8 (a BOM is dropped).

    At most ``scan.MAX_BYTES`` + 1 bytes are read: more is ``input_too_long`` without reading on.
    """
    from verifier.scan import MAX_BYTES

    data = read_input(path, MAX_BYTES)
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise InvalidInputError(f"the message is over {MAX_BYTES} bytes; scan at most 64 KiB at a time", code="input_too_long")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInputError(
            f"the message is not valid UTF-8 (byte {err.start}: {data[err.start:err.start + 1]!r}); save it as UTF-8",
            code="invalid_text",
        ) from None


def cmd_scan(args: argparse.Namespace) -> int:
    """``verifier scan [--json] [FILE|-]``: every item of a message checked, scam phrases found."""
    from verifier import present
    from verifier.serving.runtime import open_verifier
    from verifier.scan import scan

    try:
        settings = _settings(args)
        verifier = open_verifier(settings).verifier
        from verifier.state.reports import attach

        attach(verifier, settings.shared_database)  # a confirmed fake inside a message is named
    except VerifierError as err:
        return _fail(err)
    try:
        result = scan(_read_message(args.file), verifier)
    except OSError as err:
        print(f"error: cannot read {args.file}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidInputError as err:
        print(f"error: {err.code}: {err.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(present.to_json_line(result.to_dict(args.lang)))
    else:
        print(_scan_text(result, args.lang))
    return EXIT_OK


def _scan_text(result, lang: str) -> str:
    """Verdict first, then the signals with the phrase as found, then one line per item."""
    from verifier import messages
    from verifier.present import MARK

    zh = lang == "zh"
    lines = [f"✘ {messages.verdict_text(result.verdict, lang)}   {'风险' if zh else 'risk'} {result.risk}/100"]
    data = result.to_dict(lang)
    if data["signals"]:
        lines.append("诈骗话术：" if zh else "Scam signals:")
        lines.extend(f"  - [{s['code']}] {s['message']} ({'原文' if zh else 'found'}: \"{s['match']}\")" for s in data["signals"])
    else:
        lines.append("未发现诈骗话术。" if zh else "No scam phrases found.")
    if result.items:
        lines.append(f"{'消息中的项目' if zh else 'Items in the message'} ({len(result.items)}):")
        for item in data["items"]:
            codes = ", ".join(r["code"] for r in item["reasons"])
            kind = item["kind"] if not item["platform"] else f"{item['kind']}:{item['platform']}"
            lines.append(f"  {MARK.get(item['verdict'], '✘')} {item['verdict']}  {kind}  {item['normalized']}  [{codes}]")
    else:
        lines.append("消息中没有可检查的链接、账号或地址。" if zh else "No links, accounts or addresses in the message.")
    if result.truncated:
        lines.append("（项目过多，只列出前面的部分。）" if zh else "(Too many items: only the first ones are listed.)")
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from verifier.web.server import serve

    try:
        return serve(
            _settings(args), host=args.host, port=args.port, workers=args.workers, threads=args.threads, pidfile=args.pidfile
        )
    except VerifierError as err:
        return _fail(err)


REGISTRY_HELP = "sign, verify and inspect the registry"


def _requested_command() -> str | None:
    """The command word of this process's arguments (``None``: none given, or ``--help``)."""
    for arg in _ARGV or []:
        if not arg.startswith("-"):
            return arg
    return None


_ARGV: list[str] | None = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verifier",
        description="Is this link, email address or handle a real TokenPocket channel? Checks a signed registry.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="check values against the signed registry")
    check.add_argument("values", nargs="*", metavar="VALUE", help="URL, domain, email, @handle, platform:handle, phone, wallet")
    mode = check.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="one JSON object per value")
    mode.add_argument("--jsonl", action="store_true", help="read one input per line from stdin, write one JSON line each")
    check.add_argument("--lang", choices=("en", "zh"), default=None, help="language of messages (default VERIFIER_LANG or en)")
    check.add_argument("--platform", default=None, help="platform for bare handles (telegram, twitter, ...)")
    check.add_argument("--registry", default=None, help="registry JSON (signature: same path + .minisig)")
    check.add_argument("--deep", action="store_true", help="also read the page behind a link (safely) and judge what it shows")
    check.set_defaults(func=cmd_check)

    scan = sub.add_parser("scan", help="scan a whole message: every link, account and address in it, and scam phrases")
    scan.add_argument("file", nargs="?", default="-", metavar="FILE", help="the message as UTF-8 text (default -: standard input)")
    scan.add_argument("--json", action="store_true", help="one JSON object: verdict, risk, items, signals, truncated")
    scan.add_argument("--lang", choices=("en", "zh"), default=None, help="language of messages (default VERIFIER_LANG or en)")
    scan.add_argument("--registry", default=None, help="registry JSON (signature: same path + .minisig)")
    scan.set_defaults(func=cmd_scan)

    serve = sub.add_parser("serve", help="run the HTTP service (production WSGI server)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default VERIFIER_WORKERS or 1)")
    serve.add_argument("--threads", type=int, default=None, help="threads per worker (default VERIFIER_THREADS or 8)")
    serve.add_argument("--pidfile", default=None, help="pid file for `verifier registry reload` (default VERIFIER_DATA_DIR/verifier.pid)")
    serve.add_argument("--registry", default=None)
    serve.set_defaults(func=cmd_serve)

    if _requested_command() == "registry":
        from verifier.cli.registry import add_registry_parser

        add_registry_parser(sub)
    else:
        # Its module loads signing, trust and state code (~0.1 s): only `registry ...` needs
        # them, other commands list it by name (kept in step by tests/test_screen.py).
        sub.add_parser("registry", help=REGISTRY_HELP)
    from verifier.cli.ops import add_apikey_parser, add_db_parser, add_stats_parser

    add_apikey_parser(sub)  # verifier apikey create | list | revoke
    add_stats_parser(sub)  # verifier stats
    add_db_parser(sub)  # verifier db backup | copy-to-shared
    from verifier.cli.reports import add_reports_parser

    add_reports_parser(sub)
    from verifier.cli.mail import add_email_parser

    add_email_parser(sub)  # verifier email: who really sent a message (DKIM, DMARC alignment)
    from verifier.cli.screen import add_screen_parser

    add_screen_parser(sub)  # verifier screen: a feed of names, the hits as JSON lines
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    global _ARGV
    _ARGV = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "lang", "unset") is None:
        from verifier.config import Settings

        try:
            args.lang = Settings.from_env().lang
        except VerifierError as err:
            return _fail(err)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
