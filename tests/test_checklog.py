"""The check log (verifier/state/checklog.py): what is stored (never an IP or a message), the
statistics and their order, `verifier stats`, and the admin endpoint's 401/403/200."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from verifier.state import apikeys

from verifier.state import checklog
from verifier.cli.main import main
from verifier.config import Settings
from verifier.state.store import open_shared
from verifier.web import create_app

API = "/api/v1"
CLIENT_IP = "198.51.100.23"


@pytest.fixture
def app(settings_env, shared_db):
    """The check log in the node's SQLite file, and in a shared PostgreSQL."""
    settings = Settings.from_env()
    assert settings.shared_database == shared_db
    return create_app({"SETTINGS": settings})


def logged(app) -> list[dict]:
    app.extensions[checklog.EXTENSION].flush()
    with open_shared(app.extensions["verifier_settings"].shared_database) as store:
        return list(checklog.rows(store))


def test_api_batch_and_web_checks_are_logged_without_ip_or_raw_input(app):
    client = app.test_client()
    env = {"REMOTE_ADDR": CLIENT_IP}
    client.post(f"{API}/check", json={"input": "https://tokenpocket.pro@evil.example/login?victim=me"}, environ_base=env)
    client.post(f"{API}/check/batch", json={"inputs": ["tokenpockets.pro", "0xdAC17F958D2ee523a2206206994597C13D831ec7", ""]},
                environ_base=env)
    client.get("/check?input=telegram:TokenPocket_TP", environ_base=env)
    rows = logged(app)
    assert [(r["source"], r["kind"], r["value"], r["verdict"]) for r in rows] == [
        ("api", "url", "evil.example", "impersonation"),
        ("batch", "domain", "tokenpockets.pro", "impersonation"),
        ("batch", "wallet_address", None, "not_official"),  # a wallet address is not kept
        ("web", "handle", "TokenPocket_TP", "impersonation"),
    ]
    assert rows[0]["reasons"] == "userinfo_trick"
    assert rows[3]["platform"] == "telegram"
    text = json.dumps(rows)
    assert CLIENT_IP not in text and "victim" not in text and "login" not in text and "0xdAC17" not in text
    assert all(r["checked_at"].endswith("Z") for r in rows)


def test_a_scanned_message_is_not_logged(app):
    client = app.test_client()
    message = "Hello, TokenPocket support here, send your seed phrase at https://tokenpockets.pro now"
    assert client.post(f"{API}/scan", json={"text": message}).status_code == 200
    assert client.post("/check", data={"input": message}).status_code == 200
    assert logged(app) == []


def test_check_log_off(settings_env):
    app = create_app({"SETTINGS": replace(settings_env, check_log=False)})
    assert app.test_client().get(f"{API}/check?input=tokenpockets.pro").status_code == 200
    assert checklog.EXTENSION not in app.extensions


class FakeResult:
    def __init__(self, value, verdict="impersonation", kind="domain", reasons=("typosquat_domain",)):
        self.normalized, self.verdict, self.kind, self.platform = value, verdict, kind, None
        self.reasons = [type("R", (), {"code": c})() for c in reasons]


def _fill(path, entries, *, age=timedelta(0)):
    log = checklog.CheckLog(path)
    for value, verdict, times in entries:
        for _ in range(times):
            log.record(FakeResult(value, verdict), "api")
    if age:
        moment = (datetime.now(UTC) - age).timestamp()
        log._pending = type(log._pending)((moment, *row[1:]) for row in log._pending)
    log.flush()


def test_stats_rank_impersonations_and_count_verdicts(shared_db):
    path = shared_db
    _fill(path, [("tokenpockets.pro", "impersonation", 5), ("tp-wallet.help", "suspicious", 8),
                 ("tokenpocket.pro", "official", 20), ("example.org", "not_official", 3)])
    _fill(path, [("old-campaign.xyz", "impersonation", 50)], age=timedelta(days=3))
    with open_shared(path) as store:
        day = checklog.stats(store, days=1)
        week = checklog.stats(store, days=7)
    assert [(e["value"], e["count"]) for e in day["top"]] == [("tp-wallet.help", 8), ("tokenpockets.pro", 5)]
    assert day["by_verdict"]["official"] == 20 and day["by_verdict"]["impersonation"] == 5 and day["total"] == 36
    assert week["top"][0] == week["top"][0] | {"value": "old-campaign.xyz", "count": 50, "reasons": ["typosquat_domain"]}
    assert week["total"] == 86


def test_cli_stats(settings_env, shared_db, capsys):
    _fill(shared_db, [("tokenpockets.pro", "impersonation", 3)])
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Checks since" in out and "tokenpockets.pro" in out and "impersonation" in out
    assert main(["stats", "--days", "7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["days"] == 7 and data["top"][0]["count"] == 3


def test_admin_endpoint_401_403_200(app, shared_db):
    with open_shared(shared_db) as store:
        _, plain = apikeys.create(store, "tool")
        _, admin = apikeys.create(store, "ops", admin=True)
    client = app.test_client()
    client.get(f"{API}/check?input=tokenpockets.pro")
    response = client.get(f"{API}/admin/stats")
    assert response.status_code == 401 and response.get_json()["code"] == "api_key_required"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.get(f"{API}/admin/stats", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 403 and response.get_json()["code"] == "admin_required"
    response = client.get(f"{API}/admin/stats", headers={"Authorization": "Bearer tpv_made_up"})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_api_key"
    app.extensions[checklog.EXTENSION].flush()
    response = client.get(f"{API}/admin/stats?days=7", headers={"Authorization": f"Bearer {admin}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["days"] == 7 and body["top"][0]["value"] == "tokenpockets.pro"
    for bad in ("0", "91", "x", "1.5"):
        response = client.get(f"{API}/admin/stats?days={bad}", headers={"Authorization": f"Bearer {admin}"})
        assert response.status_code == 422, bad


def test_a_full_queue_drops_instead_of_blocking(tmp_path):
    log = checklog.CheckLog(tmp_path / "state.sqlite3", max_pending=3)
    for _ in range(5):
        log.record(FakeResult("a.example"), "api")
    assert log.dropped == 2 and log.flush() == 3


def test_rows_wait_through_a_store_outage_up_to_the_queue_cap(shared_db, monkeypatch):
    from verifier.errors import StateError

    log = checklog.CheckLog(shared_db, max_pending=5)
    for n in range(3):
        log.record(FakeResult(f"outage-{n}.example"), "api")
    with monkeypatch.context() as patched:  # the database restarts
        def down(where):
            raise StateError("cannot open the shared database: connection refused")

        patched.setattr(checklog, "open_shared", down)
        log._store = None
        assert log.flush() == 0 and log.dropped == 0  # kept for the next try
        for n in range(3, 7):
            log.record(FakeResult(f"outage-{n}.example"), "api")
        assert log.dropped == 2  # the queue holds 5: the newest beyond it were refused
        assert log.flush() == 0 and log.dropped == 2
    assert log.flush() == 5  # back: everything kept is written, oldest first
    with open_shared(shared_db) as store:
        assert [r["value"] for r in checklog.rows(store)] == [f"outage-{n}.example" for n in range(5)]


def test_the_writer_thread_flushes_on_its_own(tmp_path):
    import time

    log = checklog.CheckLog(tmp_path / "state.sqlite3", flush_seconds=0.05)
    log.record(FakeResult("a.example"), "api")
    deadline = time.monotonic() + 5
    while log.written == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert log.written == 1


def test_prune_keeps_only_recent_rows(settings_env, shared_db, capsys, core):
    now = datetime.now(UTC)
    log = checklog.CheckLog(shared_db)
    result = core.check("tokenpocket-support.com")
    log._pending.append(checklog._row(result, "api", (now - timedelta(days=40)).timestamp()))
    log._pending.append(checklog._row(result, "api", (now - timedelta(days=2)).timestamp()))
    log._pending.append(checklog._row(result, "api", now.timestamp()))
    assert log.flush() == 3
    assert main(["stats", "--prune", "30"]) == 0
    assert "removed 1 check-log rows older than 30 days" in capsys.readouterr().out
    with open_shared(shared_db) as store:
        assert store.execute("SELECT COUNT(*) FROM check_log").fetchone()[0] == 2
        assert checklog.prune(store, days=1, now=now) == 1
    assert main(["stats", "--prune", "0"]) == 2
