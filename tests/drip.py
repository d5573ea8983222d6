"""Hostile loopback servers for the deep check's limits (tests and ``make bench``).

:class:`DripServer` serves, on 127.0.0.1 only:

* ``/headers``: the status line, then one header byte every ``interval`` seconds (a peer that
  holds a reader that only has per-read timeouts for as long as it likes);
* ``/body``: the whole header, then one body byte every ``interval`` seconds;
* ``/hop?n=N&delay=D``: waits ``D`` seconds, then redirects to ``/hop?n=N-1``; ``n=0`` is a
  small page (a redirect chain of slow but never idle hops);
* ``/big?n=N``: a page of 2 MiB (the ``big`` one given, else :func:`hostile_page`), and
  ``/hostile?n=N`` that hostile page; ``N`` only makes URLs distinct (no cached readings).

:class:`SilentServer` accepts connections and never sends a byte (a TLS handshake that never
ends).

A drip stops when the reader hangs up, or after ``MAX_DRIP_SECONDS`` at the latest.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_DRIP_SECONDS = 60.0
MiB = 1024 * 1024


def hostile_page(size: int = 2 * MiB) -> bytes:
    """A page of ``size`` bytes that was hard on the old parser: inputs nested in ever deeper
    ``<div>``s (walking up from each input was quadratic), after a real-looking head."""
    head = ("<!doctype html><html><head><meta charset='utf-8'><title>TokenPocket 官方客服</title></head>"
            "<body><p>请输入助记词</p>").encode()
    unit = b"<div><input type=text>"
    return head + unit * ((size - len(head)) // len(unit))


class _Drip(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    interval = 0.5
    big = b""
    hostile = b""

    def log_message(self, *args: object) -> None:
        pass

    def _drip(self, first: bytes) -> None:
        started = time.monotonic()
        try:
            self.wfile.write(first)
            while time.monotonic() - started < MAX_DRIP_SECONDS:
                time.sleep(self.interval)
                self.wfile.write(b"x")
        except OSError:
            pass  # the reader hung up: what it should do at its deadline
        self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/headers":
            self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: ")
        elif parts.path == "/body":
            self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html><body>")
        elif parts.path == "/hop":
            n = int(query["n"][0])
            time.sleep(float(query.get("delay", ["0.6"])[0]))
            if n > 0:
                self.send_response(302)
                self.send_header("Location", f"/hop?n={n - 1}&delay={query.get('delay', ['0.6'])[0]}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._page(b"<html><title>end of the chain</title></html>")
        elif parts.path == "/big":
            self._page(self.big)
        elif parts.path == "/hostile":
            self._page(self.hostile)
        else:
            self.send_error(404)

    def _page(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SilentServer:
    """Accepts on a free loopback port, keeps every connection open, never writes."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


class DripServer:
    """The hostile server on a free loopback port; ``with DripServer() as drip: drip.url("/headers")``."""

    def __init__(self, interval: float = 0.5, big: bytes | None = None) -> None:
        hostile = hostile_page()
        handler = type("Drip", (_Drip,), {"interval": interval, "big": big if big is not None else hostile,
                                          "hostile": hostile})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "DripServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
