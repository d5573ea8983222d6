"""Shared fixtures: the shipped registry (for the pure core), and an ephemeral-key copy of it
re-dated to today (for the CLI and the app), so tests never depend on the real signing date
and never touch the maintainers' keys."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from registry_fixtures import make_key, sign_doc
from verifier.check import Verifier
from verifier.config import SHIPPED_REGISTRY, Settings
from verifier.registry.schema import format_timestamp, parse_registry


@pytest.fixture(scope="session")
def shipped_doc() -> dict:
    return json.loads(SHIPPED_REGISTRY.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shipped_registry(shipped_doc):
    return parse_registry(shipped_doc, path=str(SHIPPED_REGISTRY))


@pytest.fixture(scope="session")
def inside_validity(shipped_registry) -> datetime:
    """A moment inside the shipped registry's validity: the core answers as on a good day."""
    return shipped_registry.issued_at + timedelta(days=1)


@pytest.fixture(scope="session")
def core(shipped_registry, inside_validity) -> Verifier:
    return Verifier(shipped_registry, clock=lambda: inside_validity)


@pytest.fixture(scope="session")
def test_key():
    return make_key()


def write_signed(doc: dict, key, directory: Path, name: str = "official_channels.json") -> Path:
    raw, sig = sign_doc(doc, key)
    path = directory / name
    path.write_bytes(raw)
    Path(f"{path}.minisig").write_bytes(sig)
    return path


@pytest.fixture
def today_doc(shipped_doc) -> dict:
    """The shipped document, re-dated so that it is valid right now."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc = json.loads(json.dumps(shipped_doc))
    doc["issued_at"] = format_timestamp(now - timedelta(hours=1))
    doc["expires_at"] = format_timestamp(now + timedelta(days=59))
    return doc


@pytest.fixture
def trusted_test_key(monkeypatch, test_key):
    """Pin the ephemeral test key instead of the package's keys, for code paths that load."""
    import verifier.state.registry_files as loader

    monkeypatch.setattr(loader, "pinned_keys", lambda: (test_key.trusted,))
    return test_key


@pytest.fixture
def settings_env(tmp_path, today_doc, trusted_test_key, monkeypatch) -> Settings:
    """A signed, valid registry in tmp_path and VERIFIER_* pointing at it (CLI and app use them)."""
    path = write_signed(today_doc, trusted_test_key, tmp_path)
    monkeypatch.setenv("VERIFIER_REGISTRY", str(path))
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("VERIFIER_LANG", raising=False)
    return Settings.from_env()


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Tests never touch the internet: a name lookup for anything but loopback fails loudly."""
    import ipaddress
    import socket

    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in (None, "localhost") or _is_loopback_literal(name):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {name!r} (no internet in tests)")

    def _is_loopback_literal(name):
        try:
            return ipaddress.ip_address(str(name).split("%", 1)[0]).is_loopback
        except ValueError:
            return False

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL cluster for the session (tests/pg_server.py); skipped without one."""
    from pg_server import Server, require

    require()
    server = Server()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def shared_db(request, tmp_path, monkeypatch):
    """Where reports, API keys and the check log live, run both ways: the node's SQLite file
    (``tmp_path/var``, as ``settings_env``), and a fresh database on a shared PostgreSQL
    (``VERIFIER_DATABASE_URL`` set for the CLI and the app)."""
    if request.param == "sqlite":
        monkeypatch.delenv("VERIFIER_DATABASE_URL", raising=False)
        return tmp_path / "var" / "verifier.sqlite3"
    url = request.getfixturevalue("postgres_server").new_database()
    monkeypatch.setenv("VERIFIER_DATABASE_URL", url)
    return url
