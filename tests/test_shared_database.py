"""Several nodes, one PostgreSQL (``VERIFIER_DATABASE_URL``): reports, API keys and the check
log are shared; each node keeps its own SQLite for the registry floor and the page cache.

The store-level behaviour (every reports, API-key and check-log test) already runs on both
stores through the ``shared_db`` fixture; here: two real ``verifier serve`` nodes, a database
that is down, migrations raced by many workers, a PostgreSQL restart, masked passwords.
"""

from __future__ import annotations

import json
import os
import threading

import pytest

from served import Served, free_port, wait_for
from verifier.state import apikeys
from verifier.cli.main import main
from verifier.config import Settings
from verifier.errors import StateError
from verifier.state.pgstore import MIGRATIONS, PostgresStore, masked
from verifier.state.store import open_shared
from verifier.web import create_app

FAKE_HOST = "tokenpocket-airdrop-claim.top"


def _cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_two_nodes_share_reports_keys_and_statistics(settings_env, postgres_server, test_key, tmp_path, monkeypatch, capsys):
    url = postgres_server.new_database()
    monkeypatch.setenv("VERIFIER_DATABASE_URL", url)  # the maintainers' CLI, on any machine
    nodes = [
        Served(dict(os.environ, VERIFIER_DATA_DIR=str(tmp_path / name), VERIFIER_RATELIMIT_ANON="100000/minute"),
               trusted_key=test_key, logs=tmp_path)
        for name in ("node-a", "node-b")
    ]
    a, b = nodes
    try:
        for node in nodes:
            node.wait_ready()
            status, ready = node.get("/readyz")
            assert status == 200 and ready["status"] == "ready", ready

        # a report on one node is folded with the same channel reported on the other
        status, first = a.post("/api/v1/reports", {"channel": f"https://{FAKE_HOST}/connect", "what_happened": "asked for my seed"})
        assert status == 201 and first["duplicate"] is False
        status, again = b.post("/api/v1/reports", {"channel": FAKE_HOST.upper(), "what_happened": "same site"})
        assert status == 201 and (again["id"], again["duplicate"]) == (first["id"], True)

        # reviewed once, answered everywhere
        assert _cli(capsys, "reports", "confirm", first["id"])[0] == 0
        for node in nodes:
            assert wait_for(lambda node=node: node.post("/api/v1/check", {"input": FAKE_HOST})[1]["reasons"][0]["code"]
                             == "reported_confirmed"), node.base

        # a key created once opens every node; revoked once, it closes every node
        code, out = _cli(capsys, "apikey", "create", "--name", "help desk")
        secret = out.strip().splitlines()[-1]
        bearer = {"Authorization": f"Bearer {secret}"}
        assert [node.get("/api/v1/check?input=tokenpocket.pro", bearer)[0] for node in nodes] == [200, 200]
        assert _cli(capsys, "apikey", "revoke", "1")[0] == 0
        for node in nodes:
            assert wait_for(lambda node=node: node.get("/api/v1/check?input=tokenpocket.pro", bearer)[0] == 401,
                             timeout=apikeys.CACHE_SECONDS + 5)

        # the statistics count every node's checks
        campaign = "tokenpocket-kefu-node.top"
        for node, times in ((a, 3), (b, 2)):
            for _ in range(times):
                assert node.post("/api/v1/check", {"input": campaign})[0] == 200

        def counted() -> int:
            code, out = _cli(capsys, "stats", "--json")
            return next((e["count"] for e in json.loads(out)["top"] if e["value"] == campaign), 0)

        assert wait_for(lambda: counted() == 5), counted()
    finally:
        for node in nodes:
            node.stop()
    # each node kept its own registry floor
    assert (tmp_path / "node-a" / "verifier.sqlite3").exists() and (tmp_path / "node-b" / "verifier.sqlite3").exists()


def test_a_database_that_is_down_keeps_checks_answering(settings_env, tmp_path):
    url = f"postgresql://verifier:s3cret-pw@127.0.0.1:{free_port()}/verifier"  # nothing listens there
    settings = Settings.from_env(database_url=url, check_log=False)  # its retries are tested in test_checklog
    app = create_app({"SETTINGS": settings, "REPORTS_REFRESH_SECONDS": 0})
    client = app.test_client()
    check = client.post("/api/v1/check", json={"input": FAKE_HOST})
    assert check.status_code == 200 and check.get_json()["verdict"] != "official"
    report = client.post("/api/v1/reports", json={"channel": FAKE_HOST, "what_happened": "asked for my seed"})
    assert report.status_code == 503 and report.mimetype == "application/problem+json"
    assert report.get_json()["code"] == "state_unavailable"
    ready = client.get("/readyz")
    # A warning, not a 503: every node shares the database, so pulling unready nodes would pull
    # them all, while checks need no database.
    assert ready.status_code == 200 and ready.get_json()["reasons"] == []
    warnings = {w["code"]: w["message"] for w in ready.get_json()["warnings"]}
    assert "shared_database_unavailable" in warnings
    form = client.post("/report?lang=zh", data={"channel": FAKE_HOST, "what_happened": "asked for my seed"},
                       headers={"Sec-Fetch-Site": "same-origin"})
    assert form.status_code == 503 and form.mimetype == "text/html"  # a person at a browser: a page, not JSON
    assert "暂时无法保存举报" in form.get_data(as_text=True)
    status_page = client.get("/report/abcdefghjk?lang=en")
    assert status_page.status_code == 503 and "cannot be read right now" in status_page.get_data(as_text=True)
    everything = report.get_data(as_text=True) + ready.get_data(as_text=True) + form.get_data(as_text=True)
    assert "s3cret-pw" not in everything and "verifier:***@127.0.0.1" in everything


def test_many_workers_migrating_at_once_apply_each_migration_once(postgres_server):
    url = postgres_server.new_database()
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def open_one() -> None:
        barrier.wait()
        try:
            PostgresStore(url).close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assert
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with PostgresStore(url) as store:
        assert store.migrations() == [(version, name) for version, name, _ in MIGRATIONS]


def test_a_restarted_postgres_is_one_error_then_reconnected(postgres_server):
    url = postgres_server.new_database()
    with open_shared(url) as store:
        key, secret = apikeys.create(store, "tool")
        postgres_server.restart()
        with pytest.raises(StateError) as raised:  # the connection died with the server: a 503, not a 500
            apikeys.lookup(store, secret)
        assert raised.value.code == "state_unavailable" and "shared database" in raised.value.message
        assert apikeys.lookup(store, secret) == key  # the next call opens a new connection


def test_a_restarted_postgres_never_fails_a_check(settings_env, postgres_server):
    """The confirmed set's refresh sits on every check's path: a lost connection there is a
    StateError the set shrugs off (it keeps what it had), never a driver error in a check."""
    from verifier.state import reports
    from verifier.serving.runtime import open_verifier

    url = postgres_server.new_database()
    verifier = open_verifier(Settings.from_env()).verifier
    book = reports.attach(verifier, url, refresh_seconds=0)  # every check looks at the version row
    assert verifier.check(FAKE_HOST).verdict != "official"
    postgres_server.restart()  # the book's connection dies with the server
    assert verifier.check(f"{FAKE_HOST}/other").verdict != "official"  # the refresh failed quietly
    assert book.version() == 0  # and the next look reconnects


@pytest.mark.parametrize("url, shown", [
    ("postgresql://app:hunter2@db.internal:5432/verifier", "postgresql://app:***@db.internal:5432/verifier"),
    ("postgres://app@db/verifier?sslmode=require&password=hunter2", "postgres://app@db/verifier?sslmode=require&password=***"),
    ("postgresql:///verifier?host=/run/postgresql", "postgresql:///verifier?host=/run/postgresql"),
    # the same masking serves the `serving` log line's rate-limit storage
    ("redis://:s3cret@redis.internal:6379/0", "redis://:***@redis.internal:6379/0"),
    ("memory://", "memory://"),
])
def test_passwords_are_masked_in_messages(url, shown):
    assert masked(url) == shown


def test_a_database_url_must_be_postgresql():
    from verifier.config import SettingsError

    with pytest.raises(SettingsError):
        Settings.from_env({"VERIFIER_DATABASE_URL": "mysql://db/verifier"})
    assert Settings.from_env({"VERIFIER_DATABASE_URL": "postgresql://db/v"}).shared_database == "postgresql://db/v"
    assert Settings.from_env({}).shared_database == Settings.from_env({}).database_path


def test_copy_a_nodes_sqlite_into_the_shared_database(settings_env, postgres_server, monkeypatch, capsys):
    """A single node becoming several: its reports keep their ids and status, its keys keep
    working, its check log is copied once; a second run copies nothing twice."""
    from verifier.state import checklog
    from verifier.state import reports
    from verifier.serving.runtime import open_verifier

    monkeypatch.delenv("VERIFIER_DATABASE_URL", raising=False)
    node = Settings.from_env()
    verifier = open_verifier(node).verifier
    book = reports.ReportBook(node.database_path)
    now = verifier.clock()
    confirmed = book.submit(verifier, channel=FAKE_HOST, what_happened="asked for my seed", contact="me@example.org", now=now)
    book.decide(confirmed.report.id, "confirmed", verifier=verifier, note="drainer", now=now)
    still_open = book.submit(verifier, channel="t.me/tokenpocket_refund_desk", what_happened="a fee to recover", now=now)
    with open_shared(node.database_path) as store:
        _, secret = apikeys.create(store, "help desk", limit="100/minute")
    log = checklog.CheckLog(node.database_path)
    for value in ("tokenpockets.pro", "tokenpockets.pro", "tp-kefu.top"):
        log.record(verifier.check(value), "api")
    assert log.flush() == 3

    url = postgres_server.new_database()
    assert _cli(capsys, "db", "copy-to-shared")[0] == 2  # no target given
    code, out = _cli(capsys, "db", "copy-to-shared", "--to", url, "--check-log")
    assert code == 0 and "copied 2 report(s) (0 already there), 1 API key(s) (0 already there), 3 check-log row(s)" in out
    code, out = _cli(capsys, "db", "copy-to-shared", "--to", url)
    assert code == 0 and "copied 0 report(s) (2 already there), 0 API key(s) (1 already there), 0 check-log row(s)" in out

    shared = reports.ReportBook(url)
    assert {r.id: r for r in shared.list()} == {r.id: r for r in book.list()}  # every field, ids kept
    assert shared.confirmed()[1] == book.confirmed()[1]
    assert shared.get(still_open.report.id).status == "open"
    with open_shared(url) as store:
        key = apikeys.lookup(store, secret)
        assert key is not None and (key.name, key.rate_limit) == ("help desk", "100/minute")
        assert checklog.stats(store, days=1)["top"][0] == checklog.stats(store, days=1)["top"][0] | {
            "value": "tokenpockets.pro", "count": 2}


def test_readyz_probes_the_shared_database_at_most_once_per_ttl(settings_env, monkeypatch):
    """/readyz is not rate limited: a flood of it must not become a flood of PostgreSQL
    connections (the server's max_connections is shared by every node)."""
    import verifier.state.pgstore
    from verifier.web import health

    calls: list[str] = []

    def counting_probe(url, timeout=2):
        calls.append(url)
        return None

    monkeypatch.setattr(verifier.state.pgstore, "probe", counting_probe)
    clock = [1000.0]
    monkeypatch.setattr(health._probes, "clock", lambda: clock[0])
    url = f"postgresql://verifier@127.0.0.1:{free_port()}/ttl"
    app = create_app({"SETTINGS": Settings.from_env(database_url=url, check_log=False)})
    client = app.test_client()
    assert all(client.get("/readyz").status_code == 200 for _ in range(50))
    assert calls == [url]
    clock[0] += health.PROBE_TTL_SECONDS + 0.1
    client.get("/readyz")
    assert calls == [url, url]


def test_a_forked_worker_never_touches_its_parents_connection(postgres_server):
    """gunicorn forks workers from a master that may hold a store: the child opens its own
    connection, and closing the inherited store must not end the master's session (an
    explicit close in a child sends the server a Terminate on the shared socket)."""
    url = postgres_server.new_database()
    store = PostgresStore(url)
    parent_backend = store.execute("SELECT pg_backend_pid()").fetchone()[0]
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            own = store.execute("SELECT pg_backend_pid()").fetchone()[0]
            store.close()
            os.write(writer, str(own).encode())
        finally:
            os._exit(0)
    os.close(writer)
    child_backend = int(os.read(reader, 64).decode() or 0)
    os.close(reader)
    os.waitpid(child, 0)
    assert child_backend and child_backend != parent_backend  # the child had a session of its own
    assert store.execute("SELECT pg_backend_pid()").fetchone()[0] == parent_backend  # the parent's still works
    store.close()
