"""gunicorn's own refusals (verifier/web/server.py, issue 12): a request line over its limit (414),
headers over theirs (431) and a request that is not HTTP (400) are answered by gunicorn before
the app sees them, and are problem+json like every other error, against a real server."""

from __future__ import annotations

import json
import os
import socket

import jsonschema
import pytest

from served import Served
from verifier.web.server import _ProblemSocket, gunicorn_problem
from verifier.web import MAX_REQUEST_LINE
from verifier.web.openapi import document


def _exchange(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), None)
            if length is not None and len(body) >= length:
                break
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _problem_schema() -> dict:
    doc = document()
    return {**doc["components"]["schemas"]["Problem"], "components": doc["components"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("server-errors")
    env = {k: v for k, v in os.environ.items() if k != "VERIFIER_REGISTRY"}  # the shipped registry
    env.update(VERIFIER_DATA_DIR=str(directory / "var"), VERIFIER_CHECK_LOG="off")
    served = Served(env, logs=directory).wait_ready(30)
    yield served
    served.stop()


@pytest.mark.parametrize("path", ["/api/v1/check?input=", "/check?input=", "/"])
def test_a_10_kb_request_line_is_a_problem_json_414(server, path):
    line = f"GET {path}{'a' * 10_240} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    status, headers, body = _exchange(server.port, line)
    assert status == 414
    assert headers["content-type"] == "application/problem+json" and int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    jsonschema.validate(problem, _problem_schema())  # the document's own Problem shape
    assert problem["code"] == "uri_too_long" and problem["status"] == 414
    assert f"{MAX_REQUEST_LINE} bytes" in problem["detail"] and "POST" in problem["detail"]
    assert "请求行" in problem["detail"]  # the request was not read: both languages


def test_a_line_under_the_limit_reaches_the_app(server):
    status, headers, body = _exchange(
        server.port, f"GET /api/v1/check?input={'a' * 3900} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert status == 422 and headers["content-type"] == "application/problem+json"
    assert "content-security-policy" in headers  # answered by the app, with its headers
    assert json.loads(body)["instance"] == "/api/v1/check"


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GARBAGE\r\n\r\n", 400, "bad_request"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n", 400, "bad_request"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
])
def test_other_refusals_of_gunicorn_are_problem_json(server, request_bytes, status, code):
    got, headers, body = _exchange(server.port, request_bytes)
    assert got == status and headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    jsonschema.validate(problem, _problem_schema())
    assert problem["code"] == code
    assert server.get("/healthz")[0] == 200  # the worker is still serving


def test_gunicorn_problem_shape():
    raw = gunicorn_problem(414, "URI Too Long", "Request Line is too large (8192 > 4094)", limit=4094)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 URI Too Long\r\n") and b"Connection: close" in head
    assert f"Content-Length: {len(body)}".encode() in head
    jsonschema.validate(json.loads(body), _problem_schema())
    unknown = json.loads(gunicorn_problem(417, "Expectation Failed", "bad Expect", limit=4094).partition(b"\r\n\r\n")[2])
    assert unknown["code"] == "expectation_failed" and "bad Expect" in unknown["detail"]


def test_bytes_that_are_not_an_http_answer_pass_unchanged():
    class Sock:
        sent = b""

        def sendall(self, data):
            self.sent += data

    sock = Sock()
    _ProblemSocket(sock, ValueError("x"), 4094).sendall(b"not an answer")
    assert sock.sent == b"not an answer"
    _ProblemSocket(sock, ValueError("x"), 4094).sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n<html>")
    assert b"application/problem+json" in sock.sent and b"<html>" not in sock.sent
