"""verifier.state.store and verifier.state.registry_files: the rollback floor in SQLite, loading from disk."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from registry_fixtures import NOW, TestKey, make_key, make_registry_doc, sign_doc
from verifier.errors import RegistryError, RegistryRollbackError, RegistrySignatureError, StateError
from verifier.state.registry_files import load_last_accepted, load_registry
from verifier.registry.trust import VerifiedRegistry, verify_registry
from verifier.state.store import MIGRATIONS, StateStore

ROOT = Path(__file__).resolve().parent.parent


def _verified(key: TestKey, serial: int, **overrides) -> VerifiedRegistry:
    raw, sig = sign_doc(make_registry_doc(serial=serial, **overrides), key)
    return verify_registry(raw, sig, keys=[key.trusted], now=NOW, path="reg.json")


@pytest.fixture
def store(tmp_path):
    with StateStore(tmp_path / "var" / "verifier.sqlite3") as s:
        yield s


def test_fresh_store_is_empty_migrated_and_wal(store):
    assert store.stored() is None
    assert store.migrations() == [(version, name) for version, name, _ in MIGRATIONS]
    assert store.db.journal_mode == "wal"
    assert store.path.parent.is_dir()


def test_accept_round_trip_and_reopen(tmp_path):
    key = make_key()
    verified = _verified(key, 4)
    path = tmp_path / "state.sqlite3"
    with StateStore(path) as store:
        store.accept(verified, pinned_key_ids=[key.key_id], now=NOW)
    with StateStore(path) as again:  # reopening does not re-run migrations
        stored = again.stored()
        assert again.migrations() == [(version, name) for version, name, _ in MIGRATIONS]
    assert stored is not None
    assert (stored.serial, stored.sha256, stored.key_id) == (4, verified.sha256, key.key_id)
    assert stored.issued_at == verified.registry.issued_at_text
    assert stored.accepted_at == "2026-11-25T12:00:00Z"
    assert (stored.raw, stored.signature) == (verified.raw, verified.signature)


SEQUENCES = [
    # serials accepted in order; None = accepted, else the refusal code
    ([3, 4, 5], [None, None, None]),
    ([5, 4], [None, "rollback"]),
    ([5, 5], [None, None]),  # same bytes again
    ([2, 7, 3, 7], [None, None, "rollback", None]),
]


@pytest.mark.parametrize(("serials", "outcomes"), SEQUENCES)
def test_accept_sequences(store, serials, outcomes):
    key = make_key()
    docs = {s: _verified(key, s) for s in set(serials)}
    for serial, outcome in zip(serials, outcomes):
        if outcome is None:
            store.accept(docs[serial], pinned_key_ids=[key.key_id], now=NOW)
        else:
            with pytest.raises(RegistryRollbackError) as info:
                store.accept(docs[serial], pinned_key_ids=[key.key_id], now=NOW)
            assert info.value.code == outcome
    assert store.stored().serial == max(s for s, o in zip(serials, outcomes) if o is None)


def test_equivocation_leaves_state_unchanged(store):
    key = make_key()
    first = _verified(key, 5)
    store.accept(first, pinned_key_ids=[key.key_id], now=NOW)
    doc = make_registry_doc(serial=5)
    doc["channels"][0]["label"]["en"] = "Something else"
    raw, sig = sign_doc(doc, key)
    second = verify_registry(raw, sig, keys=[key.trusted], now=NOW, path="reg.json")
    with pytest.raises(RegistryRollbackError) as info:
        store.accept(second, pinned_key_ids=[key.key_id], now=NOW)
    assert info.value.code == "equivocation"
    assert store.stored().sha256 == first.sha256


def test_min_serial_applies_without_state(store):
    key = make_key()
    with pytest.raises(RegistryRollbackError):
        store.accept(_verified(key, 3), pinned_key_ids=[key.key_id], min_serial=4, now=NOW)
    assert store.stored() is None


def test_floor_of_unpinned_key_is_ignored(store):
    leaked, backup = make_key(), make_key()
    store.accept(_verified(leaked, 1_000_000), pinned_key_ids=[leaked.key_id], now=NOW)
    store.accept(_verified(backup, 2), pinned_key_ids=[backup.key_id], now=NOW)
    assert store.stored().serial == 2 and store.stored().key_id == backup.key_id


def test_check_is_read_only(store):
    key = make_key()
    store.check(_verified(key, 3), pinned_key_ids=[key.key_id])
    assert store.stored() is None
    store.accept(_verified(key, 5), pinned_key_ids=[key.key_id], now=NOW)
    with pytest.raises(RegistryRollbackError):
        store.check(_verified(key, 4), pinned_key_ids=[key.key_id])


def test_forget_floor_returns_what_it_removed(store):
    key = make_key()
    assert store.forget_floor() is None
    store.accept(_verified(key, 9), pinned_key_ids=[key.key_id], now=NOW)
    removed = store.forget_floor()
    assert removed is not None and removed.serial == 9
    assert store.stored() is None
    store.accept(_verified(key, 2), pinned_key_ids=[key.key_id], now=NOW)  # deliberate downgrade


def test_concurrent_accept_from_threads(tmp_path):
    key = make_key()
    path = tmp_path / "state.sqlite3"
    StateStore(path).close()
    docs = [_verified(key, serial) for serial in range(1, 13)]
    barrier = threading.Barrier(len(docs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(verified):
        with StateStore(path) as store:
            barrier.wait()
            try:
                store.accept(verified, pinned_key_ids=[key.key_id], now=NOW)
                result = "ok"
            except RegistryRollbackError as exc:
                result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(outcomes)) <= ["ok", "rollback"] and "ok" in outcomes
    assert len(outcomes) == len(docs)
    with StateStore(path) as store:
        assert store.stored().serial == 12
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_WORKER = """
import sys
from datetime import datetime, timezone
from verifier.errors import RegistryRollbackError
from verifier.state.registry_files import load_registry
from verifier.signing import public_key_from_text
from verifier.state.store import StateStore
reg, pub, db = sys.argv[1:4]
key = public_key_from_text(open(pub).read())
now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
with StateStore(db) as store:
    try:
        load_registry(reg, now=now, store=store, keys=[key])
        print("ok")
    except RegistryRollbackError as exc:
        print(exc.code)
"""


def test_concurrent_accept_from_processes(tmp_path):
    key = make_key()
    pub = tmp_path / "key.pub"
    pub.write_bytes(key.public_bytes)
    db = tmp_path / "var" / "state.sqlite3"
    procs = []
    for serial in range(1, 7):
        raw, sig = sign_doc(make_registry_doc(serial=serial), key)
        reg = tmp_path / f"reg{serial}.json"
        reg.write_bytes(raw)
        Path(f"{reg}.minisig").write_bytes(sig)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(reg), str(pub), str(db)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = [p.communicate(timeout=60) for p in procs]
    for (out, err), proc in zip(results, procs):
        assert proc.returncode == 0, err
        assert out.strip() in ("ok", "rollback")
    with StateStore(db) as store:
        assert store.stored().serial == 6
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_parent_is_a_file_gives_state_error(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    with pytest.raises(StateError) as info:
        StateStore(blocker / "var" / "verifier.sqlite3")
    assert str(blocker) in info.value.message
    assert "VERIFIER_DATA_DIR" in info.value.message


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_dir_gives_state_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StateError, match="VERIFIER_DATA_DIR"):
            StateStore(locked / "verifier.sqlite3")
    finally:
        locked.chmod(0o700)


def test_not_a_database_gives_state_error(tmp_path):
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError):
        StateStore(path)


def test_locked_database_gives_state_error(tmp_path, monkeypatch):
    import verifier.state.store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.05)
    path = tmp_path / "state.sqlite3"
    key = make_key()
    with StateStore(path) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StateError, match="locked"):
                StateStore(path).accept(_verified(key, 3), pinned_key_ids=[key.key_id], now=NOW)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.stored() is None


# --- loader -----------------------------------------------------------------------------


def _write(tmp_path: Path, key: TestKey, serial: int = 3, name: str = "official_channels.json") -> Path:
    raw, sig = sign_doc(make_registry_doc(serial=serial), key)
    path = tmp_path / name
    path.write_bytes(raw)
    Path(f"{path}.minisig").write_bytes(sig)
    return path


def test_load_registry_accepts_and_records(tmp_path, store):
    key = make_key()
    path = _write(tmp_path, key)
    verified = load_registry(path, now=NOW, store=store, keys=[key.trusted])
    assert verified.raw == path.read_bytes()
    assert verified.path == str(path)
    assert store.stored().serial == 3


def test_load_registry_without_store_and_custom_signature_path(tmp_path):
    key = make_key()
    path = _write(tmp_path, key)
    moved = tmp_path / "elsewhere.sig"
    Path(f"{path}.minisig").rename(moved)
    assert load_registry(path, now=NOW, store=None, keys=[key.trusted], signature_path=moved).key_id == key.key_id


def test_load_registry_defaults_to_pinned_keys(tmp_path):
    path = _write(tmp_path, make_key())
    with pytest.raises(RegistrySignatureError) as info:
        load_registry(path, now=NOW, store=None)
    assert info.value.code == "unknown_key"
    assert "337BC20E9BCB9242" in info.value.message


@pytest.mark.parametrize("missing", ["registry", "signature"])
def test_missing_files(tmp_path, missing):
    key = make_key()
    path = _write(tmp_path, key)
    gone = path if missing == "registry" else Path(f"{path}.minisig")
    gone.unlink()
    with pytest.raises(RegistryError) as info:
        load_registry(path, now=NOW, store=None, keys=[key.trusted])
    assert info.value.code == "missing_file"
    assert str(gone) in info.value.message and "VERIFIER_REGISTRY" in info.value.message


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "reg.json").mkdir()
    with pytest.raises(RegistryError) as info:
        load_registry(tmp_path / "reg.json", now=NOW, store=None, keys=[make_key().trusted])
    assert info.value.code == "missing_file"


def test_load_refused_rollback_keeps_floor(tmp_path, store):
    key = make_key()
    load_registry(_write(tmp_path, key, 5, "a.json"), now=NOW, store=store, keys=[key.trusted])
    with pytest.raises(RegistryRollbackError):
        load_registry(_write(tmp_path, key, 4, "b.json"), now=NOW, store=store, keys=[key.trusted])
    assert store.stored().serial == 5


def test_load_last_accepted(tmp_path, store):
    key = make_key()
    assert load_last_accepted(store, [key.trusted], NOW) is None
    first = load_registry(_write(tmp_path, key, 5), now=NOW, store=store, keys=[key.trusted])
    again = load_last_accepted(store, [key.trusted], NOW)
    assert again is not None and again.raw == first.raw and again.sha256 == first.sha256
    assert again.path.endswith("#registry_state")
    # with the key unpinned the stored bytes are not served
    with pytest.raises(RegistrySignatureError):
        load_last_accepted(store, [make_key().trusted], NOW)


def test_page_cache_round_trip_and_expiry(tmp_path):
    from datetime import datetime, timedelta, timezone

    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    with StateStore(tmp_path / "state.sqlite3") as store:
        assert store.cached_page("https://x.example/", now) is None
        outcome = {"summary": {"title": "TokenPocket 客服"}, "address": "203.0.113.9"}
        store.cache_page("https://x.example/", outcome, now=now, ttl_seconds=600)
        assert store.cached_page("https://x.example/", now + timedelta(seconds=599)) == outcome
        assert store.cached_page("https://x.example/", now + timedelta(seconds=600)) is None
        store.cache_page("https://x.example/", {"error": "fetch_timeout"}, now=now, ttl_seconds=60)
        assert store.cached_page("https://x.example/", now) == {"error": "fetch_timeout"}
    # the table arrived by migration 2, recorded as applied
    with StateStore(tmp_path / "state.sqlite3") as store:
        assert (2, "page_cache") in store.migrations()
