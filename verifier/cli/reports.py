"""``verifier reports list | show | confirm | reject | export``: maintainers' review of reports.

* ``list [--status open|confirmed|rejected] [--json]``  one line per report (or JSON lines)
* ``show ID``                 every field of one report, as JSON
* ``confirm ID [--note]``     a confirmed fake: answered at once as ``reported_confirmed``;
  refused for a registry channel (a report never overrides the signed registry)
* ``reject ID [--note]``
* ``export --evidence URL [--note] [--status confirmed]``  the registry's ``impersonations[]``
  entries, as a JSON array, for the next signing
* ``prune --days N``          retention: rejected reports decided over N days ago are deleted,
  confirmed ones lose what the victim wrote (what happened, contact); open ones wait

Exit codes as the rest of the CLI: 0 done, 1 refused (no such report, an official channel,
state unavailable), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from verifier.errors import InvalidInputError, VerifierError


def _book_and_verifier(args: argparse.Namespace):
    from verifier.config import Settings
    from verifier.state.reports import attach
    from verifier.serving.runtime import open_verifier

    settings = Settings.from_env(registry_path=getattr(args, "registry", None))
    verifier = open_verifier(settings).verifier
    return attach(verifier, settings.shared_database), verifier


def _fail(err: VerifierError) -> int:
    print(f"error: {err.code}: {err.message}", file=sys.stderr)
    return 2 if isinstance(err, InvalidInputError) else 1


def _line(report) -> str:
    folded = f" (+{report.duplicate_count})" if report.duplicate_count else ""
    where = f"{report.kind}:{report.platform}" if report.platform else report.kind
    return f"{report.id}  {report.status:9s}  {report.created_at}  {where}  {report.normalized}{folded}  [{report.verdict}]"


def cmd_reports(args: argparse.Namespace) -> int:
    try:
        book, verifier = _book_and_verifier(args)
        action = args.reports_command
        if action == "list":
            found = book.list(args.status)
            for report in found:
                print(json.dumps(report.to_dict(), ensure_ascii=False) if args.json else _line(report))
            if not args.json:
                print(f"{len(found)} report(s)", file=sys.stderr)
        elif action == "show":
            print(json.dumps(book.get(args.id).to_dict(), ensure_ascii=False, indent=2))
        elif action in ("confirm", "reject"):
            status = "confirmed" if action == "confirm" else "rejected"
            decided = book.decide(args.id, status, verifier=verifier, note=args.note, now=verifier.clock())
            print(_line(decided))
        elif action == "prune":
            deleted, redacted = book.prune(days=args.days, now=verifier.clock())
            print(f"decided more than {args.days} days ago: deleted {deleted} rejected report(s); removed what "
                  f"victims wrote from {redacted} confirmed report(s)")
        else:  # export
            entries = book.export(evidence=args.evidence, note=args.note, status=args.status)
            print(json.dumps(entries, ensure_ascii=False, indent=2))
    except VerifierError as err:
        return _fail(err)
    return 0


def add_reports_parser(sub: argparse._SubParsersAction) -> None:
    """The ``reports`` command group (one line in ``verifier.cli.main.build_parser``)."""
    # reports.STATUSES, written out: importing the report store (~0.25 s) for the parser made
    # every command, `--help` included, pay for it (tests/test_screen.py keeps them equal).
    STATUSES = ("open", "confirmed", "rejected")

    reports = sub.add_parser("reports", help="review victims' reports: list, show, confirm, reject, export, prune")
    reports.add_argument("--registry", default=None, help="registry JSON (signature: same path + .minisig)")
    actions = reports.add_subparsers(dest="reports_command", metavar="ACTION")
    actions.required = True

    listing = actions.add_parser("list", help="list reports, oldest first")
    listing.add_argument("--status", choices=STATUSES, default=None)
    listing.add_argument("--json", action="store_true", help="one JSON object per report")

    show = actions.add_parser("show", help="every field of one report (JSON)")
    show.add_argument("id")

    for name, text in (("confirm", "confirm a report: the channel is answered as a known fake at once"),
                       ("reject", "reject a report")):
        decide = actions.add_parser(name, help=text)
        decide.add_argument("id")
        decide.add_argument("--note", default=None, help="the reviewer's note (kept, and exported)")

    prune = actions.add_parser(
        "prune", help="retention: delete rejected reports and remove victims' words from confirmed ones decided over DAYS days ago")
    prune.add_argument("--days", type=int, required=True, metavar="DAYS", help="keep decided reports this many days (e.g. 90)")

    export = actions.add_parser("export", help="impersonations[] entries for the next registry signing (JSON)")
    export.add_argument("--evidence", required=True, help="https:// URL of the evidence (required by the registry schema)")
    export.add_argument("--note", default=None, help="note for every entry (default: each report's review note)")
    export.add_argument("--status", choices=("confirmed",), default="confirmed")
    reports.set_defaults(func=cmd_reports)
