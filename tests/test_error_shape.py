"""Every error the service answers has one shape (RFC 9457 problem+json), whatever raised it:
the core (InvalidInputError), the strict JSON loader, the API's own checks, or Werkzeug
(404, 405, 413). The same keys, the same content type, the status in the body equal to the
HTTP status, a stable ``type`` naming the ``code``, CORS and nosniff on every one."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from verifier.web import MAX_CONTENT_LENGTH, create_app
from verifier.web.openapi import document

API = "/api/v1"
PROBLEM = document()["components"]["schemas"]["Problem"]
REQUIRED = ("type", "title", "status", "detail", "code", "instance")


def _post(path: str, body: bytes, content_type: str | None = "application/json"):
    headers = {"Content-Type": content_type} if content_type else {}
    return lambda c: c.post(API + path, data=body, headers=headers)


def _json(path: str, obj):
    return lambda c: c.post(API + path, json=obj)


# (name, request, status, code)
ERRORS = [
    ("bad_json syntax", _post("/check", b"{"), 400, "bad_json"),
    ("bad_json NaN", _post("/check", b'{"input": NaN}'), 400, "bad_json"),
    ("bad_json duplicate", _post("/scan", b'{"text": "a", "text": "b"}'), 400, "bad_json"),
    ("bad_json surrogate", _post("/check/batch", b'{"inputs": ["\\ud800"]}'), 400, "bad_json"),
    ("bad_json deep", _post("/check", b"[" * 100_000), 400, "bad_json"),
    ("bad_json encoding", _post("/check", b"\xff\xfe{}"), 400, "bad_json"),
    ("404 api", lambda c: c.get(API + "/nope"), 404, "not_found"),
    ("404 deeper", lambda c: c.post(API + "/check/batch/1", json={}), 404, "not_found"),
    ("405", lambda c: c.delete(API + "/check"), 405, "method_not_allowed"),
    ("405 get batch", lambda c: c.get(API + "/scan"), 405, "method_not_allowed"),
    ("413", _post("/scan", b" " * (MAX_CONTENT_LENGTH + 1)), 413, "too_large"),
    ("415 none", _post("/check", b"{}", None), 415, "unsupported_media_type"),
    ("415 form", lambda c: c.post(API + "/check", data={"input": "a"}), 415, "unsupported_media_type"),
    ("422 invalid_body", _post("/check", b"[]"), 422, "invalid_body"),
    ("422 unknown_field", _json("/check", {"input": "a", "x": 1}), 422, "unknown_field"),
    ("422 missing_field", _json("/scan", {}), 422, "missing_field"),
    ("422 invalid_field", _json("/check", {"input": 1}), 422, "invalid_field"),
    ("422 field_too_long", _json("/check", {"input": "a", "platform": "p" * 65}), 422, "field_too_long"),
    ("422 no_items", _json("/check/batch", {"inputs": []}), 422, "no_items"),
    ("422 too_many_items", _json("/check/batch", {"inputs": ["a"] * 101}), 422, "too_many_items"),
    ("422 core empty", _json("/check", {"input": ""}), 422, "empty_input"),
    ("422 core too long", _json("/check", {"input": "a" * 5000}), 422, "input_too_long"),
    ("422 core unrecognised", _json("/check", {"input": "%%%"}), 422, "unrecognised_input"),
    ("422 core platform", _json("/check", {"input": "a", "platform": "myspace"}), 422, "unknown_platform"),
    ("422 get", lambda c: c.get(API + "/check"), 422, "missing_field"),
    ("422 scan empty", _json("/scan", {"text": " "}), 422, "empty_input"),
    ("422 scan too long", _json("/scan", {"text": "a" * 70_000}), 422, "input_too_long"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory, shipped_doc, test_key):
    # module-scoped: one app for the whole table (the settings_env fixture is per test)
    from datetime import datetime, timedelta, timezone

    import verifier.state.registry_files as loader
    from conftest import write_signed
    from verifier.config import Settings
    from verifier.registry.schema import format_timestamp

    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc = json.loads(json.dumps(shipped_doc))
    doc["issued_at"] = format_timestamp(now - timedelta(hours=1))
    doc["expires_at"] = format_timestamp(now + timedelta(days=59))
    directory = tmp_path_factory.mktemp("shape")
    path = write_signed(doc, test_key, directory)
    settings = Settings.from_env(registry_path=path, data_dir=directory / "var")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "pinned_keys", lambda: (test_key.trusted,))
        app = create_app({"SETTINGS": settings})
    return app.test_client()


@pytest.mark.parametrize("name, call, status, code", ERRORS, ids=[e[0] for e in ERRORS])
def test_every_error_has_the_problem_shape(client, name, call, status, code):
    response = call(client)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = json.loads(response.data)
    assert list(body)[: len(REQUIRED)] == list(REQUIRED)
    assert set(body) <= set(REQUIRED) | {"errors", "reason"}
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:tp-verifier:problem:{code}"
    assert body["title"] and body["detail"]
    assert body["instance"].startswith(API)
    assert not list(Draft202012Validator(PROBLEM).iter_errors(body))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_table_covers_every_error_class():
    assert {status for _, _, status, _ in ERRORS} == {400, 404, 405, 413, 415, 422}


def test_field_errors_carry_a_list_of_the_same_shape(client):
    body = client.post(API + "/check", json={"input": "a", "x": 1}).get_json()
    assert body["errors"] == [{"field": "x", "code": "unknown_field", "message": body["detail"]}]
