"""The OpenAPI document against what the service refuses (issue 12): it validates, lists the
server's own 400/414/431 on every operation, and says ``minLength: 1`` exactly where the code
refuses an empty string (each string field of each route is sent as "" to find out)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openapi_spec_validator import validate

from verifier.web import api, create_app
from verifier.web.openapi import document

DOC = document()
# Each route with its field table and a body (or query) the route accepts; one field at a time
# is then set to "" in it. Batch items are checked one by one and answered in place, so an
# empty item is never a refusal of the request: its fields must not say minLength.
ROUTES = [
    ("post", "/api/v1/check", "CheckRequest", api.CHECK_FIELDS, {"input": "tokenpocket.pro"}),
    ("get", "/api/v1/check", None, api.CHECK_QUERY, {"input": "tokenpocket.pro"}),
    ("post", "/api/v1/scan", "ScanRequest", api.SCAN_FIELDS, {"text": "visit tokenpocket.pro today"}),
    ("post", "/api/v1/reports", "ReportRequest", api.REPORT_FIELDS,
     {"channel": "tp-kefu-empty.top", "what_happened": "asked for my seed phrase"}),
    ("post", "/api/v1/check/batch", None, api.BATCH_ITEM_FIELDS, {"input": "tokenpocket.pro"}),
]
CASES = [(method, path, schema, f, base) for method, path, schema, fields, base in ROUTES
         for f in fields if f.types == (str,) and not f.choices]


@pytest.fixture
def client(settings_env):
    return create_app({"SETTINGS": replace(settings_env, check_log=False), "RATELIMIT_ENABLED": False}).test_client()


def test_the_document_is_valid_openapi():
    validate(DOC)


def test_every_operation_lists_the_servers_own_refusals():
    for path, operations in DOC["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "414", "431"):
                answer = operation["responses"].get(status)
                assert answer is not None, f"{method.upper()} {path} lacks {status}"
                assert answer["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "4094" in DOC["paths"]["/api/v1/check"]["get"]["responses"]["414"]["description"]


def _documented(method, path, schema_name, field):
    if schema_name:
        return DOC["components"]["schemas"][schema_name]["properties"][field.name]
    if method == "get":
        return next(p["schema"] for p in DOC["paths"][path]["get"]["parameters"] if p["name"] == field.name)
    batch = DOC["components"]["schemas"]["BatchRequest"]["properties"]["inputs"]["items"]["oneOf"][1]
    return batch["properties"][field.name]


def _send_empty(client, method, path, field, base):
    if method == "get":
        return client.get(path, query_string={**base, field.name: ""})
    if path.endswith("/batch"):
        return client.post(path, json={"inputs": [{**base, field.name: ""}]})
    return client.post(path, json={**base, field.name: ""})


@pytest.mark.parametrize("method, path, schema_name, field, base", CASES,
                         ids=[f"{m} {p} {f.name}" for m, p, _, f, _ in CASES])
def test_min_length_is_documented_exactly_where_empty_is_refused(client, method, path, schema_name, field, base):
    accepted = (client.get(path, query_string=base) if method == "get" else
                client.post(path, json={"inputs": [base]} if path.endswith("/batch") else base))
    assert accepted.status_code in (200, 201), accepted.get_data(as_text=True)  # the base alone is accepted
    answer = _send_empty(client, method, path, field, base)
    assert answer.status_code in (200, 201, 422), answer.get_data(as_text=True)
    refused = answer.status_code == 422
    assert refused == (field.min_length == 1), f"{field.name}: refused={refused}, min_length={field.min_length}"
    assert _documented(method, path, schema_name, field).get("minLength", 0) == field.min_length
