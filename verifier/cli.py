"""The ``verifier`` command: ``check``, ``serve`` and ``registry ...`` (DESIGN.md, "Command line").

Exit codes: 0 answered; 1 the registry or local state was refused/unavailable; 2 usage;
3 at least one input was invalid (``check`` without ``--jsonl``; with ``--jsonl`` a bad line
is an ``error`` object in the output and the run goes on).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence, TextIO

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
    from verifier.runtime import open_verifier

    if not args.values and not args.jsonl:
        print("error: usage: give values to check, or --jsonl to read them from standard input", file=sys.stderr)
        return EXIT_USAGE
    try:
        verifier = open_verifier(_settings(args)).verifier
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
                print(present.to_json_line(present.error_object(value, err)), file=out)
            else:
                print(f"error: {err.code}: {err.message}: {value!r}", file=sys.stderr)
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
    from verifier import present

    write = out.write
    for raw_line in source:
        text = raw_line.rstrip("\n").rstrip("\r")
        try:
            if len(text) > MAX_JSONL_LINE:
                raise InvalidInputError(f"line of {len(text)} characters is over the {MAX_JSONL_LINE} limit", code="input_too_long")
            obj = verifier.check(text, platform=platform).to_dict(lang)
        except InvalidInputError as err:
            obj = present.error_object(text[:200], err)
        write(present.to_json_line(obj) + "\n")
    out.flush()
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from verifier.server import serve

    try:
        return serve(_settings(args), host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    except VerifierError as err:
        return _fail(err)


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
    check.set_defaults(func=cmd_check)

    serve = sub.add_parser("serve", help="run the HTTP service (production WSGI server)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1: limits and state are per process)")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker")
    serve.add_argument("--registry", default=None)
    serve.set_defaults(func=cmd_serve)

    from verifier.registry.commands import add_registry_parser

    add_registry_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
