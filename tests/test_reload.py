"""Registry reloads in process: the Flask app + its Reloader, with ephemeral keys.

Subprocess tests (``test_serving.py``) run the real ``verifier serve`` on the shipped registry
and the pinned keys only: a subprocess cannot be made to trust an ephemeral key without a
test hook in the production path, and we chose not to add one. Everything that needs a
*newer signed* registry (accepting serial n+1, rollback, expiry) is therefore tested here,
against a real threaded HTTP server in this process where concurrency matters.
"""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from conftest import write_signed
from werkzeug.serving import make_server

from verifier.errors import RegistryError
from verifier.registry.schema import format_timestamp
from verifier.web import create_app


def _app(settings):
    # Rate limits off (tests/test_limits.py covers them): a stream of requests from one address here.
    return create_app({"SETTINGS": settings, "RATELIMIT_ENABLED": False})


def _bumped(doc, serial):
    new = json.loads(json.dumps(doc))
    new["serial"] = serial
    return new


def _stored_serial(settings):
    with sqlite3.connect(settings.database_path) as conn:
        return conn.execute("SELECT serial FROM registry_state WHERE id = 1").fetchone()[0]


def test_a_newer_serial_is_accepted_and_swapped(settings_env, today_doc, trusted_test_key):
    app = _app(settings_env)
    client = app.test_client()
    old = app.extensions["verifier"]
    old_deep = app.extensions["verifier_deep_checker"]
    write_signed(_bumped(today_doc, today_doc["serial"] + 1), trusted_test_key, settings_env.registry_path.parent)

    assert app.extensions["verifier_reloader"].reload_file() is True

    new = app.extensions["verifier"]
    assert new is not old and new.verified.registry.serial == today_doc["serial"] + 1
    # the deep check is rebuilt over the new verifier
    assert app.extensions["verifier_deep_checker"] is not old_deep
    assert app.extensions["verifier_deep_checker"].verifier is new.verifier
    # victims' confirmed reports stay attached to the new verifier
    assert new.verifier.reported is app.extensions["verifier_reported"] is not None
    body = client.get("/readyz").get_json()
    assert body["registry"]["serial"] == today_doc["serial"] + 1
    assert body["last_reload_error"] is None and body["last_reload_at"]
    # the served bytes are the new signed bytes, and the floor moved
    assert client.get("/api/v1/registry").data == settings_env.registry_path.read_bytes()
    assert _stored_serial(settings_env) == today_doc["serial"] + 1


def test_the_same_file_again_is_a_no_op(settings_env):
    app = _app(settings_env)
    before = app.extensions["verifier"]
    assert app.extensions["verifier_reloader"].reload_file() is False
    assert app.extensions["verifier"] is before


def _refused(app, settings, code):
    reloader = app.extensions["verifier_reloader"]
    serving = app.extensions["verifier"]
    assert reloader.reload_file() is False
    assert app.extensions["verifier"] is serving  # the old registry keeps serving
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body  # the serving registry is still good
    assert body["status"] == "ready"
    assert body["registry"]["serial"] == serving.verified.registry.serial
    assert body["last_reload_error"]["code"] == code
    assert body["last_reload_error"]["during"] == "reload" and body["last_reload_error"]["at"]
    check = app.test_client().post("/api/v1/check", json={"input": "https://tokenpocket.pro"})
    assert check.status_code == 200 and check.get_json()["verdict"] == "official"
    return body


def test_a_rolled_back_serial_is_refused(settings_env, today_doc, trusted_test_key):
    directory = settings_env.registry_path.parent
    write_signed(_bumped(today_doc, 5), trusted_test_key, directory)
    app = _app(settings_env)
    write_signed(_bumped(today_doc, 4), trusted_test_key, directory)
    _refused(app, settings_env, "rollback")
    assert _stored_serial(settings_env) == 5


def test_a_tampered_file_is_refused(settings_env, trusted_test_key):
    app = _app(settings_env)
    path = settings_env.registry_path
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    _refused(app, settings_env, "bad_signature")


def test_an_expired_at_issue_candidate_is_refused_and_does_not_raise_the_floor(settings_env, today_doc, trusted_test_key):
    app = _app(settings_env)
    past = datetime.now(UTC) - timedelta(days=80)
    expired = _bumped(today_doc, today_doc["serial"] + 7)
    expired["issued_at"] = format_timestamp(past)
    expired["expires_at"] = format_timestamp(past + timedelta(days=60))
    write_signed(expired, trusted_test_key, settings_env.registry_path.parent)
    _refused(app, settings_env, "registry_expired")
    assert _stored_serial(settings_env) == today_doc["serial"]


def test_a_missing_file_is_refused(settings_env):
    app = _app(settings_env)
    settings_env.registry_path.unlink()
    _refused(app, settings_env, "missing_file")


def test_a_good_reload_clears_the_last_error(settings_env, today_doc, trusted_test_key):
    app = _app(settings_env)
    path = settings_env.registry_path
    good = path.read_bytes()
    path.write_bytes(good.replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    _refused(app, settings_env, "bad_signature")
    write_signed(_bumped(today_doc, today_doc["serial"] + 1), trusted_test_key, path.parent)
    assert app.extensions["verifier_reloader"].reload_file() is True
    assert app.test_client().get("/readyz").get_json()["last_reload_error"] is None


def test_a_restart_with_a_bad_file_falls_back_to_the_stored_bytes(settings_env, today_doc, trusted_test_key, caplog):
    directory = settings_env.registry_path.parent
    write_signed(_bumped(today_doc, 9), trusted_test_key, directory)
    first = _app(settings_env)  # accepts serial 9 and keeps its bytes in the state
    accepted = first.extensions["verifier"].verified.raw
    write_signed(_bumped(today_doc, 8), trusted_test_key, directory)  # an older file reappears on disk

    restarted = _app(settings_env)

    assert restarted.extensions["verifier"].verified.raw == accepted
    body = restarted.test_client().get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["registry"]["serial"] == 9 and body["registry"]["source"] == "state"
    assert body["last_reload_error"]["code"] == "rollback" and body["last_reload_error"]["during"] == "start"
    assert [w["code"] for w in body["warnings"]] == ["registry_fallback"]


def test_a_fresh_data_dir_with_a_bad_file_refuses_to_start(settings_env):
    path = settings_env.registry_path
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    with pytest.raises(RegistryError) as info:
        _app(settings_env)
    assert info.value.code == "bad_signature"
    assert not settings_env.database_path.exists() or _no_row(settings_env)


def _no_row(settings):
    with sqlite3.connect(settings.database_path) as conn:
        return conn.execute("SELECT count(*) FROM registry_state").fetchone()[0] == 0


def test_a_stored_registry_that_no_pinned_key_verifies_is_not_a_fallback(settings_env, monkeypatch):
    _app(settings_env)
    path = settings_env.registry_path
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    from registry_fixtures import make_key

    from verifier.state import registry_files as loader

    other = make_key()
    monkeypatch.setattr(loader, "pinned_keys", lambda: (other.trusted,))  # the key was unpinned
    with pytest.raises(RegistryError) as info:
        _app(settings_env)
    assert info.value.code == "unknown_key"


def test_a_fresh_worker_serves_the_newest_accepted_registry(settings_env, today_doc, trusted_test_key):
    """gunicorn forks fresh workers from the master's app (loaded at start): a worker started
    after a reload must not go back to the master's older registry."""
    directory = settings_env.registry_path.parent
    master = _app(settings_env)
    worker_a = _app(settings_env)  # stands for another worker that reloads
    write_signed(_bumped(today_doc, today_doc["serial"] + 1), trusted_test_key, directory)
    assert worker_a.extensions["verifier_reloader"].reload_file() is True
    # the file then goes bad; a worker forked from the master (serial n) starts
    path = settings_env.registry_path
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    master.extensions["verifier_reloader"].worker_started()
    assert master.extensions["verifier"].verified.registry.serial == today_doc["serial"] + 1
    body = master.test_client().get("/readyz").get_json()
    assert body["last_reload_error"]["code"] == "bad_signature"
    assert body["registry"]["source"] == "state"


def test_readyz_is_503_when_the_database_is_unwritable(settings_env, tmp_path):
    app = _app(settings_env)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    app.extensions["verifier_settings"] = replace(settings_env, data_dir=blocker)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert [r["code"] for r in body["reasons"]] == ["database_unwritable"]
    assert body["reason"]["code"] == "database_unwritable"


def test_readyz_warns_before_expiry(settings_env, today_doc, trusted_test_key):
    soon = datetime.now(UTC) + timedelta(days=3)
    today_doc["expires_at"] = format_timestamp(soon)
    write_signed(today_doc, trusted_test_key, settings_env.registry_path.parent)
    body = _app(settings_env).test_client().get("/readyz").get_json()
    assert body["status"] == "ready"
    assert [w["code"] for w in body["warnings"]] == ["registry_expires_soon"]


def test_requests_in_flight_are_answered_during_reloads(settings_env, today_doc, trusted_test_key):
    """A threaded HTTP server answers a stream of requests from 8 threads while the registry
    is reloaded 10 times: every answer is 200 and each thread sees serials only go up."""
    app = _app(settings_env)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    stop = threading.Event()
    failures: list[str] = []
    counts: list[int] = []

    def client() -> None:
        seen, last = 0, 0
        while not stop.is_set():
            try:
                request = urllib.request.Request(
                    f"{base}/api/v1/check", data=b'{"input": "https://tokenpocket.pro"}',
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    verdict = json.loads(response.read())["verdict"]
                    if verdict != "official":
                        failures.append(verdict)
                with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:
                    serial = json.loads(response.read())["registry"]["serial"]
                if serial < last:
                    failures.append(f"serial went back {last} -> {serial}")
                last = serial
                seen += 2
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(repr(exc))
        counts.append(seen)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        reloader = app.extensions["verifier_reloader"]
        for serial in range(today_doc["serial"] + 1, today_doc["serial"] + 11):
            write_signed(_bumped(today_doc, serial), trusted_test_key, settings_env.registry_path.parent)
            assert reloader.reload_file() is True
            threading.Event().wait(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        server.shutdown()
        server.server_close()
    assert failures == []
    assert sum(counts) > 100
    assert app.extensions["verifier"].verified.registry.serial == today_doc["serial"] + 10


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def publication(settings_env, today_doc, trusted_test_key, tmp_path):
    """A registry one serial newer, published on a loopback HTTP server, and the settings that
    poll it: ``(directory, settings)``."""
    published = tmp_path / "published"
    published.mkdir()
    write_signed(_bumped(today_doc, today_doc["serial"] + 1), trusted_test_key, published)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(published)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    settings = replace(
        settings_env,
        registry_url=f"http://127.0.0.1:{port}/official_channels.json",
        fetch_allowed_networks=("127.0.0.1/32",),
        fetch_ports=(str(port),),
    )
    yield published, settings
    httpd.shutdown()
    httpd.server_close()


def test_polling_the_url_fetches_both_files_through_the_safe_fetcher(publication, today_doc, trusted_test_key):
    published, settings = publication
    settings = replace(settings, registry_poll_seconds=1)
    app = _app(settings)
    reloader = app.extensions["verifier_reloader"]
    assert reloader.reload_url() is True
    assert app.extensions["verifier"].verified.registry.serial == today_doc["serial"] + 1
    assert app.test_client().get("/readyz").get_json()["registry"]["source"] == "url"
    # a tampered publication is refused and the URL's registry keeps serving
    target = published / "official_channels.json"
    target.write_bytes(target.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    assert reloader.reload_url() is False
    assert reloader.status.last_reload_error.code == "bad_signature"
    assert reloader.status.last_reload_error.during == "poll"
    # the poller thread picks up the next good publication by itself
    write_signed(_bumped(today_doc, today_doc["serial"] + 2), trusted_test_key, published)
    assert reloader.start_polling() is True
    for _ in range(60):
        if app.extensions["verifier"].verified.registry.serial == today_doc["serial"] + 2:
            break
        threading.Event().wait(0.1)
    assert app.extensions["verifier"].verified.registry.serial == today_doc["serial"] + 2
    reloader.stop_polling()


def test_the_url_is_refused_where_the_safe_fetcher_refuses(settings_env):
    settings = replace(settings_env, registry_url="http://127.0.0.1:9/official_channels.json")
    app = _app(settings)
    reloader = app.extensions["verifier_reloader"]
    assert reloader.reload_url() is False  # loopback is not an allowed network
    assert reloader.status.last_reload_error.code == "fetch_blocked"


def test_a_restarted_worker_behind_a_polled_registry_recovers_on_the_next_poll(publication, today_doc):
    _, settings = publication
    assert _app(settings).extensions["verifier_reloader"].reload_url() is True
    restarted = _app(settings)  # the file on disk is older than the polled registry
    body = restarted.test_client().get("/readyz").get_json()
    assert body["registry"]["serial"] == today_doc["serial"] + 1
    assert body["last_reload_error"]["code"] == "rollback" and body["registry"]["source"] == "state"
    assert restarted.extensions["verifier_reloader"].reload_url() is False  # nothing new...
    body = restarted.test_client().get("/readyz").get_json()
    assert body["last_reload_error"] is None and body["registry"]["source"] == "url"  # ...and all is well
    assert body["warnings"] == []
