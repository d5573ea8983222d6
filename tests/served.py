"""``verifier serve`` as a real process, for tests that need gunicorn, signals and sockets.

:class:`Served` starts the command with a given environment, waits for ``/healthz``, and
stops it with SIGTERM (or SIGKILL to its whole process group). Its logs go to files, not
pipes: a stream of requests writes more log than a pipe buffer holds.

``trusted_key``: the server process pins that ephemeral test key instead of the package's
keys, through ``tests/launch_with_key.py`` (a test launcher: the product itself never trusts
a key from outside ``verifier/keys/``). Without it the server runs the shipped registry.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

LAUNCHER = Path(__file__).with_name("launch_with_key.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def loopback_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """``handler`` served on a free loopback port in a thread, for as long as the block lasts;
    yields the port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def wait_for(condition, timeout: float = 20.0):
    """Poll ``condition()`` every 0.2 s until it is truthy or ``timeout`` passed; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


class Served:
    def __init__(self, env: dict[str, str], *args: str, trusted_key: Any = None, logs: Path | None = None) -> None:
        self.port = free_port()
        self.env = env
        self.base = f"http://127.0.0.1:{self.port}"
        stem = (logs or Path(env["VERIFIER_DATA_DIR"]).parent) / f"serve-{self.port}"
        self.out_path, self.err_path = Path(f"{stem}.out"), Path(f"{stem}.err")
        self.command = [sys.executable, "-m", "verifier.cli.main"]
        if trusted_key is not None:
            key_file = Path(f"{stem}.pub")
            key_file.write_bytes(trusted_key.public_bytes)
            self.command = [sys.executable, str(LAUNCHER), str(key_file)]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [*self.command, "serve", "--port", str(self.port), *args],
                env=env, stdout=out, stderr=err, start_new_session=True,
            )

    def wait_ready(self, timeout: float = 30) -> "Served":
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):
                    return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    pytest.fail(f"server did not start: {self.err_path.read_text()[-3000:]}")
                time.sleep(0.1)

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.request("POST", path, body, headers)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``verifier ARGS`` beside the server: same environment, same pinned key."""
        return subprocess.run([*self.command, *args], env=self.env, capture_output=True, text=True, timeout=30, check=False)

    def hup(self) -> None:
        """``verifier registry reload``, which must verify the file and signal this server."""
        result = self.cli("registry", "reload")
        assert result.returncode == 0, result.stderr
        assert f"pid {self.proc.pid}" in result.stdout

    def stop(self) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=40)
        return self.proc.returncode, self.out_path.read_text(), self.err_path.read_text()

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
