"""``verifier apikey create | list | revoke``, ``verifier stats`` and ``verifier db backup |
copy-to-shared``: the operators' commands.

Both work on the store of keys and the check log directly (the node's
``VERIFIER_DATA_DIR/verifier.sqlite3``, or the shared PostgreSQL of ``VERIFIER_DATABASE_URL``),
so they run beside a serving ``verifier serve``; a created or revoked key is seen by every
worker (of every node sharing the database) within ``apikeys.CACHE_SECONDS``.
"""

from __future__ import annotations

import argparse
import sys

from verifier.errors import VerifierError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _store():
    from verifier.config import Settings
    from verifier.state.store import open_shared

    return open_shared(Settings.from_env().shared_database)


def _fail(err: VerifierError) -> int:
    print(f"error: {err.code}: {err.message}", file=sys.stderr)
    return EXIT_USAGE if err.status == 422 else EXIT_REFUSED


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from verifier.state import apikeys

    try:
        with _store() as store:
            key, secret = apikeys.create(store, args.name, limit=args.limit, admin=args.admin)
    except VerifierError as err:
        return _fail(err)
    print(f"created API key {key.id} {key.name!r} (limit {key.rate_limit or 'VERIFIER_RATELIMIT_KEY'}, "
          f"admin: {'yes' if key.admin else 'no'})")
    print("the key, shown only this once (only its SHA-256 is stored):")
    print(secret)
    return EXIT_OK


def cmd_apikey_list(args: argparse.Namespace) -> int:
    from verifier import present
    from verifier.state import apikeys

    try:
        with _store() as store:
            keys = apikeys.list_keys(store)
    except VerifierError as err:
        return _fail(err)
    if args.json:
        for key in keys:
            print(present.to_json_line(key.to_dict()))
        return EXIT_OK
    if not keys:
        print("no API keys (verifier apikey create --name NAME)")
        return EXIT_OK
    print(f"{'id':>4}  {'prefix':15}  {'limit':12}  {'admin':5}  {'created':20}  {'status':28}  name")
    for key in keys:
        status = "active" if key.active else f"revoked {key.revoked_at}"
        print(f"{key.id:>4}  {key.prefix + '...':15}  {key.rate_limit or 'default':12}  {'yes' if key.admin else 'no':5}  "
              f"{key.created_at:20}  {status:28}  {key.name}")
    return EXIT_OK


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    from verifier.state import apikeys

    try:
        with _store() as store:
            key = apikeys.revoke(store, args.id)
    except VerifierError as err:
        return _fail(err)
    print(f"revoked API key {key.id} {key.name!r} ({key.prefix}...) at {key.revoked_at}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from verifier import present
    from verifier.state import checklog

    if args.prune is not None and args.prune < 1:
        print("error: usage: --prune DAYS keeps at least one day (DAYS >= 1)", file=sys.stderr)
        return 2
    try:
        with _store() as store:
            if args.prune is not None:
                removed = checklog.prune(store, days=args.prune)
                print(f"removed {removed} check-log rows older than {args.prune} days")
                return EXIT_OK
            data = checklog.stats(store, days=args.days, top=args.top)
    except VerifierError as err:
        return _fail(err)
    print(present.to_json_line(data) if args.json else checklog.render_stats(data))
    return EXIT_OK


def cmd_db_copy(args: argparse.Namespace) -> int:
    from pathlib import Path

    from verifier.config import Settings
    from verifier.state.pgstore import PostgresStore, is_database_url, masked
    from verifier.state.shared_copy import copy_to_shared
    from verifier.state.store import StateStore

    settings = Settings.from_env()
    target_url = args.to or settings.database_url
    if not is_database_url(target_url):
        print("error: usage: give the shared database as --to postgresql://... or VERIFIER_DATABASE_URL", file=sys.stderr)
        return EXIT_USAGE
    source_path = Path(args.source) if args.source else settings.database_path
    if not source_path.is_file():
        print(f"error: usage: no SQLite state at {source_path} (give --from PATH)", file=sys.stderr)
        return EXIT_USAGE
    try:
        with StateStore(source_path) as source, PostgresStore(target_url) as target:
            copied = copy_to_shared(source, target, check_log=args.check_log)
    except VerifierError as err:
        return _fail(err)
    print(f"{source_path} -> {masked(target_url)}: {copied.summary()}")
    return EXIT_OK


def cmd_db_backup(args: argparse.Namespace) -> int:
    from verifier.config import Settings
    from verifier.state.store import StateStore

    settings = Settings.from_env()
    if not settings.database_path.is_file():
        print(f"error: usage: no SQLite state at {settings.database_path} (check VERIFIER_DATA_DIR)", file=sys.stderr)
        return EXIT_USAGE
    try:
        with StateStore(settings.database_path) as store:
            size = store.backup(args.destination)
    except VerifierError as err:
        return _fail(err)
    note = (" (reports, API keys and the check log are in VERIFIER_DATABASE_URL: back that up with pg_dump)"
            if settings.database_url else "")
    print(f"backed up {settings.database_path} to {args.destination} ({size} bytes, integrity ok){note}")
    return EXIT_OK


def add_db_parser(sub) -> None:
    """``verifier db backup | copy-to-shared`` (called once from cli.build_parser)."""
    db = sub.add_parser("db", help="the state databases: back up the node's SQLite, copy it into the shared PostgreSQL")
    commands = db.add_subparsers(dest="db_command", metavar="COMMAND")
    commands.required = True
    backup = commands.add_parser("backup", help="a consistent copy of the node's SQLite state, while the service runs")
    backup.add_argument("destination", metavar="FILE", help="the new file (refused if it exists)")
    backup.set_defaults(func=cmd_db_backup)
    copy = commands.add_parser(
        "copy-to-shared", help="copy this node's reports and API keys (and, once, its check log) into PostgreSQL")
    copy.add_argument("--from", dest="source", default=None, metavar="PATH",
                      help="the node's SQLite state (default VERIFIER_DATA_DIR/verifier.sqlite3)")
    copy.add_argument("--to", default=None, metavar="URL", help="postgresql:// URL (default VERIFIER_DATABASE_URL)")
    copy.add_argument("--check-log", action="store_true",
                      help="copy the check log too (once per node: its rows would count twice)")
    copy.set_defaults(func=cmd_db_copy)


def add_apikey_parser(sub) -> None:
    """``verifier apikey ...`` (called once from cli.build_parser)."""
    apikey = sub.add_parser("apikey", help="API keys: a higher rate limit for a tool, admin access to statistics")
    commands = apikey.add_subparsers(dest="apikey_command", metavar="COMMAND")
    commands.required = True
    create = commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="who the key is for (shown by list)")
    create.add_argument("--limit", default=None, help="this key's limit, e.g. 600/minute (default VERIFIER_RATELIMIT_KEY)")
    create.add_argument("--admin", action="store_true", help="may read GET /api/v1/admin/stats")
    create.set_defaults(func=cmd_apikey_create)
    listing = commands.add_parser("list", help="every key: id, prefix, limit, admin, created, revoked")
    listing.add_argument("--json", action="store_true", help="one JSON object per key")
    listing.set_defaults(func=cmd_apikey_list)
    revoke = commands.add_parser("revoke", help="revoke a key by id (kept in the list as revoked)")
    revoke.add_argument("id", type=int, metavar="ID")
    revoke.set_defaults(func=cmd_apikey_revoke)


def add_stats_parser(sub) -> None:
    """``verifier stats`` (called once from cli.build_parser)."""
    stats = sub.add_parser("stats", help="the check log: counts by verdict, the most checked impersonations")
    stats.add_argument("--days", type=int, choices=(1, 7), default=1, help="the last day (1) or week (7)")
    stats.add_argument("--top", type=int, default=20, help="how many values to rank (default 20)")
    stats.add_argument("--json", action="store_true", help="one JSON object (the admin endpoint's body)")
    stats.add_argument("--prune", type=int, metavar="DAYS", default=None,
                       help="instead: delete check-log rows older than DAYS days (retention; e.g. daily from cron)")
    stats.set_defaults(func=cmd_stats)
