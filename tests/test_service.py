"""The service until the web issue lands: health endpoints, and `verifier serve` as a real
production server (gunicorn) that refuses to start on a bad registry."""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import write_signed
from served import Served
from verifier.errors import RegistryError
from verifier.registry.schema import format_timestamp
from verifier.web import create_app


@pytest.fixture
def client(settings_env):
    return create_app({"SETTINGS": settings_env}).test_client()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_the_registry(client, settings_env, today_doc):
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["registry"]["serial"] == today_doc["serial"]
    assert body["registry"]["expires_in_seconds"] > 50 * 86400


def test_readyz_is_503_when_the_registry_has_expired(tmp_path, today_doc, trusted_test_key, monkeypatch):
    past = datetime.now(timezone.utc) - timedelta(days=70)
    today_doc["issued_at"] = format_timestamp(past)
    today_doc["expires_at"] = format_timestamp(past + timedelta(days=60))
    path = write_signed(today_doc, trusted_test_key, tmp_path)
    monkeypatch.setenv("VERIFIER_REGISTRY", str(path))
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "var"))
    response = create_app().test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"]["code"] == "registry_expired"


def test_create_app_refuses_a_tampered_registry(settings_env):
    path = settings_env.registry_path
    raw = path.read_bytes()
    tampered = raw.replace(b'"serial": ', b'"serial": 1', 1)  # serial N becomes 1N: any N
    assert tampered != raw
    path.write_bytes(tampered)
    with pytest.raises(RegistryError) as info:
        create_app({"SETTINGS": settings_env})
    assert info.value.code == "bad_signature"


def test_serve_runs_gunicorn_on_the_shipped_registry(tmp_path):
    """The real command on the real shipped registry and pinned keys (as `make run` does)."""
    env = dict(os.environ, VERIFIER_DATA_DIR=str(tmp_path / "var"))
    env.pop("VERIFIER_REGISTRY", None)
    server = Served(env, logs=tmp_path).wait_ready(20)
    try:
        with urllib.request.urlopen(f"{server.base}/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok"}
            assert "gunicorn" in response.headers.get("Server", "")
    finally:
        code, _, err = server.stop()
    assert code == 0 and ("Shutting down" in err or "Handling signal" in err)  # graceful stop, not a crash
    assert (tmp_path / "var" / "verifier.sqlite3").exists()


def test_serve_stops_on_a_refused_registry(tmp_path):
    doc_path = tmp_path / "official_channels.json"
    from verifier.config import SHIPPED_REGISTRY

    doc_path.write_bytes(SHIPPED_REGISTRY.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    Path(f"{doc_path}.minisig").write_bytes(Path(f"{SHIPPED_REGISTRY}.minisig").read_bytes())
    env = dict(os.environ, VERIFIER_DATA_DIR=str(tmp_path / "var"), VERIFIER_REGISTRY=str(doc_path))
    server = Served(env, logs=tmp_path)
    assert server.proc.wait(timeout=30) == 1
    err = server.err_path.read_text()
    assert "error: bad_signature:" in err and str(doc_path) in err
    assert "Traceback" not in err
