"""API keys (verifier/state/apikeys.py, `verifier apikey ...`): stored hashed, shown once, revocable."""

from __future__ import annotations

import hashlib

import pytest

from verifier.state import apikeys
from verifier.cli.main import main
from verifier.state.store import open_shared


@pytest.fixture
def store(shared_db):
    """Each test runs on the node's SQLite file and on a shared PostgreSQL."""
    with open_shared(shared_db) as opened:
        yield opened


def test_create_stores_only_hash_and_prefix(store):
    key, secret = apikeys.create(store, "support bot", limit="100/minute")
    assert secret.startswith("tpv_") and len(secret) > 40
    assert key.prefix == secret[:12] and key.rate_limit == "100/minute" and not key.admin and key.active
    row = store.execute("SELECT * FROM api_keys").fetchone()
    assert secret not in [str(v) for v in row]
    assert hashlib.sha256(secret.encode()).hexdigest() in row
    assert apikeys.lookup(store, secret) == key
    assert apikeys.lookup(store, secret + "x") is None


def test_revoke_keeps_the_row_and_stops_the_key(store):
    key, secret = apikeys.create(store, "tool")
    revoked = apikeys.revoke(store, key.id)
    assert not revoked.active and revoked.revoked_at
    assert apikeys.lookup(store, secret) is None
    assert apikeys.revoke(store, key.id).revoked_at == revoked.revoked_at  # revoking twice keeps the first time
    assert [k.id for k in apikeys.list_keys(store)] == [key.id]


@pytest.mark.parametrize(
    "name, limit, code",
    [("", None, "bad_api_key_name"), ("x" * 101, None, "bad_api_key_name"), ("ok", "lots", "bad_rate_limit"),
     ("ok", "10/fortnight", "bad_rate_limit")],
)
def test_bad_requests_are_refused(store, name, limit, code):
    with pytest.raises(apikeys.ApiKeyError) as raised:
        apikeys.create(store, name, limit=limit)
    assert raised.value.code == code


def test_unknown_id(store):
    with pytest.raises(apikeys.ApiKeyError) as raised:
        apikeys.revoke(store, 42)
    assert raised.value.code == "unknown_api_key"


def test_keyring_caches_briefly(shared_db):
    path = shared_db
    with open_shared(path) as store:
        key, secret = apikeys.create(store, "tool")
    now = [0.0]
    ring = apikeys.KeyRing(path, clock=lambda: now[0])
    assert ring.find(secret) == key
    with open_shared(path) as store:
        apikeys.revoke(store, key.id)
    assert ring.find(secret) == key  # still cached
    now[0] += apikeys.CACHE_SECONDS + 0.1
    assert ring.find(secret) is None


def test_cli_create_list_revoke(settings_env, shared_db, capsys):
    assert main(["apikey", "create", "--name", "ops", "--admin", "--limit", "1200/minute"]) == 0
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("tpv_") and "admin: yes" in out
    assert main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    assert secret[:12] in listing and secret not in listing and "1200/minute" in listing and "active" in listing
    assert main(["apikey", "revoke", "1"]) == 0
    assert "revoked API key 1" in capsys.readouterr().out
    assert main(["apikey", "list", "--json"]) == 0
    assert '"revoked_at":"' in capsys.readouterr().out.replace(" ", "")
    assert main(["apikey", "revoke", "7"]) == 2
    assert "unknown_api_key" in capsys.readouterr().err
    assert main(["apikey", "create", "--name", "x", "--limit", "fast"]) == 2
    with open_shared(shared_db) as store:
        assert store.execute("SELECT COUNT(*) FROM api_keys").fetchone()[0] == 1


def test_keyring_keeps_a_known_key_while_the_store_is_down(shared_db, monkeypatch):
    """A shared PostgreSQL restarting must not turn a tool's keyed requests into 503s."""
    from verifier.errors import StateError

    with open_shared(shared_db) as store:
        key, secret = apikeys.create(store, "help desk")
    now = [0.0]
    ring = apikeys.KeyRing(shared_db, clock=lambda: now[0])
    assert ring.find(secret) == key

    def down(store, text):
        raise StateError("cannot read the shared database: connection refused", code="state_unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(apikeys, "lookup", down)
        now[0] += apikeys.CACHE_SECONDS + 1
        assert ring.find(secret) == key  # seen before: its last answer, not a 503
        with pytest.raises(StateError):  # never seen: nothing to vouch for it
            ring.find("tpv_" + "x" * 43)
    now[0] += apikeys.CACHE_SECONDS + 1
    assert ring.find(secret) == key  # the store is back: looked up again
