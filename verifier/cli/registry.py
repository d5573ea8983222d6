"""``verifier registry ...``: keygen, sign, verify, show, comment, forget-floor.

``verifier/cli/main.py`` mounts these with :func:`add_registry_parser`; each sub-command sets
``func`` to a callable ``(args) -> exit code`` that already prints ``error: <code>: <message>``
on a refusal. Standalone: ``python -m verifier.cli.registry keygen ...``.

Exit codes: 0 success, 1 refusal or failure, 2 usage error (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from verifier.config import Settings
from verifier.errors import RegistryError, VerifierError
from verifier.state.registry_files import read_capped
from verifier.registry.schema import Registry, format_timestamp, parse_registry
from verifier.registry.trust import (
    MAX_REGISTRY_BYTES,
    MAX_SIGNATURE_BYTES,
    MIN_REGISTRY_SERIAL,
    WARN_BEFORE_EXPIRY,
    VerifiedRegistry,
    check_rollback,
    compute_floor,
    verify_registry,
)
from verifier.signing import (
    SigningKeyError,
    TrustedKey,
    generate_keypair,
    pinned_keys,
    public_key_from_text,
    secret_key_is_encrypted,
    sign_detached,
    signature_key_id,
)
from verifier.state.store import StateStore
from verifier.strictjson import StrictJSONError, loads_strict

SIGN_VALIDITY = timedelta(days=60)
PASSWORD_ENV = "VERIFIER_KEY_PASSWORD"

Handler = Callable[[argparse.Namespace], int]


class CommandError(VerifierError):
    """A sub-command could not do its job (file exists, no password, bad --now ...)."""

    code = "command_failed"
    status = 400


# --- small helpers ----------------------------------------------------------------------


def _now(args: argparse.Namespace) -> datetime:
    text = getattr(args, "now", None)
    if not text:
        return datetime.now(timezone.utc).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--now {text!r} is not an ISO 8601 time such as 2026-11-25T12:00:00Z", code="bad_usage") from None
    if moment.tzinfo is None:
        raise CommandError(f"--now {text!r} needs a time zone, e.g. a trailing Z for UTC", code="bad_usage")
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def _registry_path(args: argparse.Namespace) -> Path:
    return Path(args.registry) if getattr(args, "registry", None) else Settings.from_env().registry_path


def _keys(args: argparse.Namespace) -> tuple[TrustedKey, ...]:
    files = getattr(args, "key", None) or []
    if not files:
        return pinned_keys()
    keys = []
    for name in files:
        try:
            keys.append(public_key_from_text(Path(name).read_text(encoding="ascii")))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read public key {name}: {exc}", code="bad_public_key") from None
    return tuple(keys)


def _parse_document(raw: bytes, path: Path, now: datetime | None) -> tuple[dict[str, Any], Registry]:
    """Strict JSON + schema 1, for files that are not (yet) signed."""
    try:
        obj = loads_strict(raw)
    except StrictJSONError as exc:
        raise RegistryError(f"{path}: not strict JSON: {exc.message}", code="bad_json", path=str(path)) from None
    if not isinstance(obj, dict):
        raise RegistryError(f"{path}: the top level must be a JSON object", code="bad_json", path=str(path))
    return obj, parse_registry(obj, path=str(path), now=now)


def _write_atomic(path: Path, data: bytes) -> None:
    # write-then-rename, so a reader never sees half a registry or half a signature
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _expiry_text(registry: Registry, now: datetime) -> tuple[str, bool]:
    """A human line about expiry, and whether it deserves a warning."""
    left = registry.expires_at - now
    days = left.days
    if left.total_seconds() <= 0:
        return f"EXPIRED {-days} days ago ({registry.expires_at_text})", True
    return f"expires in {days} days", left <= WARN_BEFORE_EXPIRY


def _password(encrypted: bool) -> str | None:
    if not encrypted:
        return None
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass("Password for the secret key: ")
    raise SigningKeyError(
        f"the secret key is encrypted: set {PASSWORD_ENV}, or run from a terminal to be asked", code="password_required"
    )


# --- handlers ---------------------------------------------------------------------------


def cmd_keygen(args: argparse.Namespace) -> int:
    """Make a minisign key pair (stock formats); never overwrites."""
    secret_path, public_path = Path(args.secret_key), Path(args.public_key)
    for path in (secret_path, public_path):
        if path.exists():
            raise CommandError(f"{path} already exists; keygen never overwrites a key, choose another path", code="exists")
    if args.no_password:
        password = None
    elif args.password_file:
        try:
            password = Path(args.password_file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read a password from {args.password_file}: {exc}", code="bad_password") from None
    elif sys.stdin.isatty():
        password = getpass.getpass("Password for the new secret key: ")
        if getpass.getpass("Password (again): ") != password:
            raise CommandError("the two passwords differ", code="bad_password")
    else:
        raise CommandError("no terminal to ask a password: give --password-file FILE or --no-password", code="bad_password")
    secret, public, key_id = generate_keypair(password)
    # O_EXCL: a file created meanwhile is not overwritten; 0o600 from the first byte
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    os.chmod(secret_path, 0o600)
    fd = os.open(public_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(public)
    print(f"key id: {key_id}")
    print(f"secret key: {secret_path} ({'encrypted' if password is not None else 'NOT encrypted'}; keep it out of the repo)")
    print(f"public key: {public_path}")
    print(f"verify with: minisign -Vm <file> -H -P {public.decode('ascii').splitlines()[1]}")
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    """Validate (optionally bump) the registry and write ``<registry>.minisig``."""
    path = _registry_path(args)
    now = _now(args)
    key_bytes = read_capped(Path(args.key), 4096, what="secret key", hint="give the path of a minisign secret key file")
    raw = read_capped(path, MAX_REGISTRY_BYTES, what="registry file")
    if len(raw) > MAX_REGISTRY_BYTES:
        raise RegistryError(f"{path}: over the {MAX_REGISTRY_BYTES}-byte cap", code="too_large", path=str(path))
    if args.bump:
        obj, old = _parse_document(raw, path, None)
        obj["serial"] = old.serial + 1
        obj["issued_at"] = format_timestamp(now)
        obj["expires_at"] = format_timestamp(now + SIGN_VALIDITY)
        raw = (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    registry = _parse_document(raw, path, now)[1]
    comment = registry.trusted_comment()
    signature = sign_detached(raw, key_bytes, comment, password=_password(secret_key_is_encrypted(key_bytes)))
    key_id = signature_key_id(signature)
    if args.bump:
        _write_atomic(path, raw)
    _write_atomic(Path(f"{path}.minisig"), signature)
    print(f"signed {path} with key {key_id}")
    print(f"trusted comment: {comment}")
    if key_id not in {k.key_id for k in pinned_keys()}:
        print(f"note: key {key_id} is not pinned in verifier/keys/; the service will refuse this signature", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """The whole chain, plus the floor from the local state unless --no-state."""
    path = _registry_path(args)
    now = _now(args)
    keys = _keys(args)
    raw = read_capped(path, MAX_REGISTRY_BYTES, what="registry file")
    signature = read_capped(Path(f"{path}.minisig"), MAX_SIGNATURE_BYTES, what="signature file")
    verified = verify_registry(raw, signature, keys=keys, now=now, path=str(path))
    pinned = [k.key_id for k in keys]
    if args.no_state:
        floor_note = "not checked (--no-state)"
    else:
        db_path = Settings.from_env().database_path
        if db_path.exists():
            with StateStore(db_path) as store:
                store.check(verified, pinned_key_ids=pinned)
                stored = store.stored()
            floor_note = f"ok (stored serial {stored.serial})" if stored else "ok (no stored floor)"
        else:
            # read-only: a verify must not create the state database
            check_rollback(verified, compute_floor(MIN_REGISTRY_SERIAL, None, pinned), None)
            floor_note = f"ok (no state at {db_path}; floor {MIN_REGISTRY_SERIAL})"
    registry = verified.registry
    expiry, warn = _expiry_text(registry, now)
    print(f"OK: {path}")
    print(f"key id: {verified.key_id}")
    print(f"serial: {registry.serial}")
    print(f"issued: {registry.issued_at_text}")
    print(f"expires: {registry.expires_at_text} ({expiry})")
    print(f"rollback floor: {floor_note}")
    print(f"sha256: {verified.sha256}")
    if registry.is_expired(now):
        print(f"warning: {path} expired on {registry.expires_at_text}; re-sign it with `verifier registry sign --bump`", file=sys.stderr)
        return 1
    if warn:
        print(f"warning: {path} {expiry}; re-sign it with `verifier registry sign --bump`", file=sys.stderr)
    return 0


def _summary(path: Path, registry: Registry, now: datetime, verified: VerifiedRegistry | None, problem: str | None) -> dict[str, Any]:
    left = registry.expires_at - now
    return {
        "path": str(path),
        "serial": registry.serial,
        "issued_at": registry.issued_at_text,
        "expires_at": registry.expires_at_text,
        "expires_in_days": left.days,
        "expired": registry.is_expired(now),
        "channels": len(registry.channels),
        "active_channels": sum(1 for c in registry.channels if c.active),
        "impersonations": len(registry.impersonations),
        "policies": len(registry.policies),
        "signature": {"verified": verified is not None, "key_id": verified.key_id if verified else None, "problem": problem},
    }


def cmd_show(args: argparse.Namespace) -> int:
    """Summarise the registry; the signature status is shown, not required."""
    path = _registry_path(args)
    now = _now(args)
    raw = read_capped(path, MAX_REGISTRY_BYTES, what="registry file")
    registry = _parse_document(raw, path, None)[1]
    verified: VerifiedRegistry | None = None
    problem: str | None = None
    try:
        signature = read_capped(Path(f"{path}.minisig"), MAX_SIGNATURE_BYTES, what="signature file")
        verified = verify_registry(raw, signature, keys=_keys(args), now=now, path=str(path))
    except RegistryError as exc:
        problem = f"{exc.code}: {exc.message}"
    summary = _summary(path, registry, now, verified, problem)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    expiry, warn = _expiry_text(registry, now)
    print(f"registry: {path}")
    print(f"serial: {registry.serial}")
    print(f"issued: {registry.issued_at_text}")
    print(f"expires: {registry.expires_at_text} ({expiry})")
    print(f"channels: {summary['channels']} ({summary['active_channels']} active)")
    print(f"impersonations: {summary['impersonations']}")
    print(f"policies: {summary['policies']}")
    print(f"signature: {'verified, key ' + verified.key_id if verified else 'NOT verified (' + str(problem) + ')'}")
    if warn:
        print(f"warning: {path} {expiry}; re-sign it with `verifier registry sign --bump`", file=sys.stderr)
    return 0


def cmd_comment(args: argparse.Namespace) -> int:
    """Print the trusted comment for ``minisign -S -t``."""
    path = Path(args.path) if args.path else Settings.from_env().registry_path
    raw = read_capped(path, MAX_REGISTRY_BYTES, what="registry file")
    print(_parse_document(raw, path, None)[1].trusted_comment())
    return 0


def cmd_forget_floor(args: argparse.Namespace) -> int:
    """Delete the stored floor: the next load accepts any serial >= MIN_REGISTRY_SERIAL."""
    db_path = Settings.from_env().database_path
    if not db_path.exists():
        print(f"no state database at {db_path}: nothing to forget")
        return 0
    with StateStore(db_path) as store:
        removed = store.forget_floor()
    if removed is None:
        print(f"no floor stored in {db_path}: nothing to forget")
    else:
        print(
            f"removed floor from {db_path}: serial {removed.serial}, sha256 {removed.sha256}, key {removed.key_id}, "
            f"issued {removed.issued_at}, accepted {removed.accepted_at}"
        )
    return 0


# --- wiring -----------------------------------------------------------------------------


def run_handler(handler: Handler, args: argparse.Namespace) -> int:
    """Run one handler, turning every expected failure into ``error: <code>: <message>``."""
    try:
        return handler(args)
    except VerifierError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
    except OSError as exc:
        print(f"error: io_error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 1


def _bind(handler: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        return run_handler(handler, args)

    run.__doc__ = handler.__doc__
    return run


def add_subcommands(sub: Any) -> None:
    """Add the registry sub-commands to an argparse ``add_subparsers()`` object."""
    p = sub.add_parser("keygen", help="make a minisign key pair (stock formats)")
    p.add_argument("--secret-key", required=True, metavar="PATH")
    p.add_argument("--public-key", required=True, metavar="PATH")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--password-file", metavar="FILE", help="first line is the password")
    group.add_argument("--no-password", action="store_true", help="leave the secret key unencrypted")
    p.set_defaults(func=_bind(cmd_keygen))

    p = sub.add_parser("sign", help="validate and sign the registry (writes <registry>.minisig)")
    p.add_argument("--key", required=True, metavar="PATH", help="minisign secret key; password from $" + PASSWORD_ENV)
    p.add_argument("--bump", action="store_true", help="serial+1, issued_at=now, expires_at=now+60 days")
    p.add_argument("--registry", metavar="PATH")
    p.add_argument("--now", metavar="ISO", help="the clock, e.g. 2026-11-25T12:00:00Z")
    p.set_defaults(func=_bind(cmd_sign))

    p = sub.add_parser("verify", help="check signature, schema, dates and rollback floor")
    p.add_argument("--registry", metavar="PATH")
    p.add_argument("--key", action="append", metavar="PUBFILE", help="trust this .pub instead of the pinned keys")
    p.add_argument("--now", metavar="ISO")
    p.add_argument("--no-state", action="store_true", help="skip the rollback floor of the local state")
    p.set_defaults(func=_bind(cmd_verify))

    p = sub.add_parser("show", help="summarise the registry")
    p.add_argument("--registry", metavar="PATH")
    p.add_argument("--key", action="append", metavar="PUBFILE")
    p.add_argument("--now", metavar="ISO")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_bind(cmd_show))

    p = sub.add_parser("comment", help="print the trusted comment for `minisign -S -t`")
    p.add_argument("path", nargs="?", metavar="PATH")
    p.set_defaults(func=_bind(cmd_comment))

    p = sub.add_parser("forget-floor", help="delete the stored rollback floor (deliberate downgrade)")
    p.set_defaults(func=_bind(cmd_forget_floor))

    p = sub.add_parser("reload", help="verify the registry file, then make the running server reload it (SIGHUP)")
    p.add_argument("--pidfile", metavar="PATH", help="the server's pid file (default VERIFIER_DATA_DIR/verifier.pid)")
    p.set_defaults(func=_bind(_reload))


def _reload(args: argparse.Namespace) -> int:
    """Check the configured registry file as the server will, then send SIGHUP to the server.

    A file the server would refuse is reported here (exit 1) and no signal is sent. The pid
    comes from ``--pidfile`` (default ``VERIFIER_DATA_DIR/verifier.pid``, written by
    ``verifier serve``).
    """
    import os
    import signal

    from verifier.check import utc_now
    from verifier.serving.reload import _trusted
    from verifier.state import registry_files as loader
    from verifier.web.server import default_pidfile

    settings = Settings.from_env()
    now = utc_now()
    trusted = _trusted(None)
    path = settings.registry_path
    raw = loader.read_capped(path, MAX_REGISTRY_BYTES, what="registry file")
    signature = loader.read_capped(Path(f"{path}.minisig"), MAX_SIGNATURE_BYTES, what="signature file")
    verified = verify_registry(raw, signature, keys=trusted, now=now, path=str(path))
    if verified.is_expired(now):
        raise RegistryError(
            f"{path}: serial {verified.registry.serial} expired at {verified.registry.expires_at_text}; "
            "re-sign it with `verifier registry sign --bump`",
            code="registry_expired",
        )
    if settings.database_path.exists():
        with StateStore(settings.database_path) as store:
            store.check(verified, pinned_key_ids=[k.key_id for k in trusted])
    pid_path = Path(args.pidfile) if getattr(args, "pidfile", None) else default_pidfile(settings)
    try:
        pid = int(pid_path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise VerifierError(
            f"cannot read the server's pid from {pid_path} ({exc}); is `verifier serve` running? "
            "give --pidfile PATH (the server writes VERIFIER_DATA_DIR/verifier.pid)",
            code="no_server",
        ) from None
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        raise VerifierError(f"no process {pid} (from {pid_path}); is `verifier serve` running?", code="no_server") from None
    print(f"OK: {path} serial {verified.registry.serial} (key {verified.key_id}) verifies")
    print(f"sent SIGHUP to verifier serve (pid {pid}): fresh workers load it; old ones finish their requests")
    print("check: curl -s http://127.0.0.1:8000/readyz  (registry.serial, last_reload_error)")
    return 0


def add_registry_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Mount ``registry`` and its sub-commands on the top-level CLI's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser("registry", help="sign, verify and inspect the registry")
    sub = parser.add_subparsers(dest="registry_command", metavar="COMMAND", required=True)
    add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: ``python -m verifier.cli.registry <command> ...``."""
    parser = argparse.ArgumentParser(prog="verifier registry", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="registry_command", metavar="COMMAND", required=True)
    add_subcommands(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
