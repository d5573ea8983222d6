"""`verifier serve` as a real process: JSON logs, graceful SIGTERM, reload by SIGHUP /
`verifier registry reload`, and the fallback to the stored registry after a restart.

These run the shipped registry with the pinned keys only (no test hook reaches the
production path; newer-serial reloads with ephemeral keys are in ``test_reload.py``). They
never assert that the shipped registry is unexpired: that would break 60 days after signing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from served import Served, wait_for
from verifier.config import SHIPPED_REGISTRY

CHECK = {"input": "https://tokenpocket.pro"}
CHECK_BODY = json.dumps(CHECK).encode()


@pytest.fixture
def registry_copy(tmp_path) -> Path:
    """The shipped registry and its signature, copied where a test may spoil them."""
    path = tmp_path / "official_channels.json"
    shutil.copyfile(SHIPPED_REGISTRY, path)
    shutil.copyfile(f"{SHIPPED_REGISTRY}.minisig", f"{path}.minisig")
    return path


def _env(tmp_path: Path, registry: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, VERIFIER_DATA_DIR=str(tmp_path / "var"), VERIFIER_REGISTRY=str(registry))
    # The other features' per-client limits must not turn this stream of requests into 429s.
    env.update(VERIFIER_RATELIMIT_ANON="100000/minute", VERIFIER_LOG_FORMAT="json")
    env.update(extra)
    return env


def _json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    for obj in parsed:
        assert {"time", "level", "event"} <= set(obj), obj
        assert obj["time"].endswith("Z")
    return parsed


def test_json_logs_and_sigterm_finishes_the_request_in_flight(tmp_path, registry_copy):
    server = Served(_env(tmp_path, registry_copy))
    try:
        server.wait_ready()
        # A request in flight: headers and half the body sent, then SIGTERM, then the rest.
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=15)
        head = (
            f"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(CHECK_BODY)}\r\nConnection: close\r\n\r\n"
        ).encode()
        sock.sendall(head + CHECK_BODY[:10])
        time.sleep(0.5)  # the worker has taken the request and waits for its body
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        sock.sendall(CHECK_BODY[10:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        sock.close()
    finally:
        code, out, err = server.stop()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"verdict":"official"' in answer.replace(b" ", b"")
    assert code == 0, err[-2000:]
    errors = _json_lines(err)
    assert any(line["event"] == "server" and "Shutting down" in line.get("message", "") for line in errors)
    serving = next(line for line in errors if line["event"] == "serving")  # what ran, said once at start
    assert serving["registry_serial"] >= 1 and serving["workers"] == 1 and serving["threads"] == 8
    assert serving["shared_database"] == "this node's SQLite" and serving["ratelimit_storage"] == "memory://"
    access = _json_lines(out)
    request = [line for line in access if line["event"] == "request"]
    assert request and request[-1]["path"] == "/api/v1/check" and request[-1]["status"] == 200
    assert all("input" not in json.dumps(line) for line in access)  # never the request body
    assert "tokenpocket.pro" not in out


def _stream_checks(server: Served, stop: threading.Event, failures: list[str], answered: list[int]) -> None:
    count = 0
    while not stop.is_set():
        try:
            status = server.post("/api/v1/check", CHECK)[0]
            if status != 200:
                failures.append(str(status))
            count += 1
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(repr(exc))
    answered.append(count)


def test_sighup_reloads_without_dropping_requests_and_a_tampered_file_keeps_the_old_registry(tmp_path, registry_copy):
    server = Served(_env(tmp_path, registry_copy))
    failures: list[str] = []
    answered: list[int] = []
    stop = threading.Event()

    try:
        server.wait_ready()
        serial = server.get("/readyz")[1]["registry"]["serial"]
        threads = [threading.Thread(target=_stream_checks, args=(server, stop, failures, answered)) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        server.hup()  # the same good file: fresh workers, old ones finish
        time.sleep(1.5)
        # a tampered file: the CLI refuses it without signalling; a raw SIGHUP restarts workers,
        # which refuse it and keep serving the last accepted registry
        registry_copy.write_bytes(registry_copy.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
        refused = subprocess.run(
            [sys.executable, "-m", "verifier.cli.main", "registry", "reload"],
            env=server.env, capture_output=True, text=True, timeout=30, check=False,
        )
        assert refused.returncode == 1 and "error: bad_signature:" in refused.stderr
        server.proc.send_signal(signal.SIGHUP)
        time.sleep(2.0)
        stop.set()
        for thread in threads:
            thread.join(30)
        _, body = server.get("/readyz")
    finally:
        stop.set()
        code, _, err = server.stop()
    assert failures == [], failures[:5]
    assert sum(answered) > 50
    assert body["registry"]["serial"] == serial
    assert body["last_reload_error"]["code"] == "bad_signature"
    assert body["last_reload_error"]["during"] == "start"
    events = [line["event"] for line in _json_lines(err)]
    assert events.count("registry_refused") >= 1
    assert code == 0


def test_a_newer_serial_is_served_after_sighup_without_dropping_requests(tmp_path, today_doc, test_key):
    """The real server (gunicorn, SIGHUP, fresh workers) with an ephemeral key pinned by the test
    launcher: serial N+1 replaces N under a stream of checks; then a rolled-back, a tampered
    and an expired candidate are each refused while N+1 keeps serving."""
    from conftest import write_signed
    from datetime import UTC, datetime, timedelta

    from verifier.registry.schema import format_timestamp

    base = today_doc["serial"]
    path = write_signed(today_doc, test_key, tmp_path)
    server = Served(_env(tmp_path, path), trusted_key=test_key)
    failures: list[str] = []
    answered: list[int] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_stream_checks, args=(server, stop, failures, answered)) for _ in range(4)]

    def serving() -> dict:
        return server.get("/readyz")[1]

    try:
        server.wait_ready()
        assert serving()["registry"]["serial"] == base
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        write_signed({**today_doc, "serial": base + 1}, test_key, tmp_path)
        server.hup()
        assert wait_for(lambda: serving()["registry"]["serial"] == base + 1), serving()
        assert serving()["last_reload_error"] is None

        refused = {}
        now = datetime.now(UTC).replace(microsecond=0)
        expired = {**today_doc, "serial": base + 5, "issued_at": format_timestamp(now - timedelta(days=61)),
                   "expires_at": format_timestamp(now - timedelta(days=1))}
        for code, spoil in (
            ("rollback", lambda: write_signed({**today_doc, "serial": base}, test_key, tmp_path)),
            ("bad_signature", lambda: (write_signed({**today_doc, "serial": base + 2}, test_key, tmp_path),
                                       path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1)))),
            ("registry_expired", lambda: write_signed(expired, test_key, tmp_path)),
        ):
            spoil()
            check = server.cli("registry", "reload")  # the CLI refuses it without signalling...
            assert check.returncode == 1 and check.stderr.startswith(f"error: {code}:"), check.stderr
            server.proc.send_signal(signal.SIGHUP)  # ...and a raw SIGHUP's fresh worker refuses it too
            refused[code] = wait_for(lambda code=code: (serving()["last_reload_error"] or {}).get("code") == code)
            assert serving()["registry"]["serial"] == base + 1
        time.sleep(0.3)
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        stop.set()
        code, _, err = server.stop()
    assert failures == [], failures[:5]
    assert sum(answered) > 50
    assert refused == {"rollback": True, "bad_signature": True, "registry_expired": True}
    assert code == 0


def test_a_restarted_server_with_a_bad_file_serves_the_stored_registry(tmp_path, registry_copy):
    first = Served(_env(tmp_path, registry_copy))
    first.wait_ready()
    good = first.get("/readyz")[1]["registry"]
    assert first.stop()[0] == 0

    registry_copy.write_bytes(registry_copy.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    second = Served(_env(tmp_path, registry_copy))
    try:
        second.wait_ready()
        _, body = second.get("/readyz")
        assert second.post("/api/v1/check", CHECK)[0] == 200
    finally:
        code, _, err = second.stop()
    assert body["registry"]["sha256"] == good["sha256"] and body["registry"]["source"] == "state"
    assert body["last_reload_error"]["code"] == "bad_signature"
    assert "registry_fallback" in [w["code"] for w in body["warnings"]]
    fallback = [line for line in _json_lines(err) if line["event"] == "registry_fallback"]
    assert fallback and fallback[0]["code"] == "bad_signature" and fallback[0]["level"] == "warning"
    assert code == 0


def test_a_fresh_data_dir_with_a_bad_file_refuses_to_start(tmp_path, registry_copy):
    registry_copy.write_bytes(registry_copy.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    server = Served(_env(tmp_path, registry_copy))
    assert server.proc.wait(timeout=30) == 1
    err = server.err_path.read_text()
    assert "error: bad_signature:" in err and "Traceback" not in err


def test_reload_without_a_server_says_so(tmp_path, registry_copy):
    result = subprocess.run(
        [sys.executable, "-m", "verifier.cli.main", "registry", "reload", "--pidfile", str(tmp_path / "none.pid")],
        env=_env(tmp_path, registry_copy), capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: no_server:")


def test_serve_defaults_suit_this_machine():
    from verifier.cli.main import build_parser
    from verifier.config import Settings, SettingsError
    from verifier.web.server import GRACEFUL_TIMEOUT, gunicorn_options
    from verifier.web import create_app

    args = build_parser().parse_args(["serve"])
    assert args.workers is None and args.threads is None  # from settings: 1 x 8
    settings = Settings.from_env({})
    assert (settings.workers, settings.threads) == (1, 8)
    assert Settings.from_env({"VERIFIER_WORKERS": "2", "VERIFIER_THREADS": "4"}).workers == 2
    with pytest.raises(SettingsError):
        Settings.from_env({"VERIFIER_LOG_FORMAT": "xml"})
    app = create_app({"SETTINGS": settings})
    options = gunicorn_options(settings, app, host="::1", port=8000, workers=1, threads=8, pidfile=None)
    # gthread, answering gunicorn's own refusals in problem+json (tests/test_server_errors.py)
    assert options["bind"] == "[::1]:8000" and options["worker_class"] == "verifier.web.server.ProblemWorker"
    assert options["graceful_timeout"] == GRACEFUL_TIMEOUT and options["preload_app"] is True
    # gunicorn's default access line has the client's address, the query string and the
    # Referer: the text format is our own logger too (verifier/serving/logs.py, tests/test_privacy.py)
    assert options["logger_class"].__name__ == "PrivateLogger" and options["logger_class"].client_ip == "off"


def test_several_workers_with_per_process_limits_refuse_to_start(tmp_path, registry_copy):
    server = Served(_env(tmp_path, registry_copy, VERIFIER_RATELIMIT_STORAGE="memory://"), "--workers", "2")
    assert server.proc.wait(timeout=30) == 1
    err = server.err_path.read_text()
    assert err.startswith("error: ") and "Traceback" not in err
