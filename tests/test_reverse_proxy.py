"""The nginx block of docs/operations.md in front of a real ``verifier serve``: what "Behind a reverse
proxy" promises holds with the configuration exactly as printed there.

The ``location /`` block is read from docs/operations.md (so the docs cannot drift from what is
tested), wrapped in a minimal nginx.conf on a loopback port, and checked: with
``VERIFIER_TRUSTED_PROXIES=1`` a client's own ``X-Forwarded-For`` cannot escape the per-IP
limit (nginx appends the real address, the rightmost counts), a 429 keeps its problem+json
and ``Retry-After`` through the proxy, ``/readyz`` is reachable, and a body over the cap is
refused by nginx itself.

Skipped without nginx unless ``VERIFIER_REQUIRE_NGINX`` is set (CI sets it and installs
Debian's nginx-light).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from served import Served, free_port, wait_for
from verifier.config import PROJECT_ROOT


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        if os.environ.get("VERIFIER_REQUIRE_NGINX"):
            pytest.fail("VERIFIER_REQUIRE_NGINX is set but nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed (apt-get install nginx-light); set VERIFIER_REQUIRE_NGINX=1 to fail instead")
    return found


def readme_location_block() -> str:
    readme = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = readme.split("## Behind a reverse proxy", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(location / \{.*?\n\})\n```", section, re.S)
    assert block, "docs/operations.md's 'Behind a reverse proxy' lost its nginx location block"
    return block.group(1)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def proxied(tmp_path):
    nginx = _nginx()
    env = dict(os.environ, VERIFIER_DATA_DIR=str(tmp_path / "var"), VERIFIER_TRUSTED_PROXIES="1",
               VERIFIER_RATELIMIT_ANON="3/minute")
    env.pop("VERIFIER_REGISTRY", None)
    server = Served(env, "--host", "127.0.0.1", logs=tmp_path).wait_ready()
    port = free_port()
    location = readme_location_block().replace("http://127.0.0.1:8000", f"http://127.0.0.1:{server.port}")
    (tmp_path / "nginx").mkdir()
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx/nginx.pid;\nerror_log {tmp_path}/nginx/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/nginx/body;\n"
        f"  proxy_temp_path {tmp_path}/nginx/proxy;\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n{location}\n  }}\n}}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path / "nginx"), "-e", str(tmp_path / "nginx" / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def up() -> bool:
            try:
                return _request(port, "GET", "/healthz")[0] == 200
            except OSError:
                return proc.poll() is not None  # stop waiting: it died
        assert wait_for(up, timeout=15) and proc.poll() is None, proc.stderr.read().decode()[-2000:]
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()
        server.stop()


def test_the_readme_nginx_block_keeps_limits_per_real_client(proxied):
    port = proxied
    assert _request(port, "GET", "/readyz")[0] == 200
    statuses, last = [], None
    for n in range(5):
        # Each request claims another client address; nginx appends the real one (127.0.0.1).
        spoof = {"X-Forwarded-For": f"203.0.113.{n}", "Content-Type": "application/json"}
        last = _request(port, "POST", "/api/v1/check", json.dumps({"input": "tokenpockets.pro"}).encode(), spoof)
        statuses.append(last[0])
    assert statuses == [200, 200, 200, 429, 429]
    status, headers, body = last
    assert headers["Content-Type"].startswith("application/problem+json")
    assert int(headers["Retry-After"]) > 0 and json.loads(body)["code"] == "rate_limited"


def test_the_readme_nginx_block_caps_the_body(proxied):
    status, _, body = _request(proxied, "POST", "/api/v1/check", b"x" * (300 * 1024), {"Content-Type": "application/json"})
    assert status == 413 and b"nginx" in body  # refused by nginx (client_max_body_size 256k), not by the service
