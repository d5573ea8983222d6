"""Property-based runs against the API, in-process (WSGI):

* schemathesis 4 reads ``/api/v1/openapi.json`` and sends generated requests (valid and
  invalid per the schema) to every operation: no 5xx, and every response conforms to the
  document (status code, content type, headers, body schema); invalid requests are refused.
  ``positive_data_acceptance`` is off on purpose: a well-formed ``input`` such as ``"!!!"``
  is still not checkable, and the API says so with a 422; a refusal may be a 413 when an
  over-long string makes the whole body too large.
* hypothesis posts arbitrary text — lone surrogates included, sent as ``\\ud800`` escapes in
  raw JSON bytes, which Python's own encoder would never produce — to /check, /check/batch and
  /scan, and never gets a 5xx.

Bounded (``max_examples`` small, fixed seed) so the module runs in well under a minute.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_signed
from verifier.web import create_app

API = "/api/v1"
FUZZ_EXAMPLES = 100

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 4,
        "generation": {"max-examples": FUZZ_EXAMPLES},
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            # 413 is a refusal too: an over-long string can make the body itself too large.
            # 401/403: the admin endpoint refuses a request without an admin key before reading it.
            "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 406, 413, 415, 422]},
        },
        "phases": {"stateful": {"enabled": False}},
    }
)


def _build_app():
    """One app for the module: a today-dated copy of the shipped registry, signed by an
    ephemeral key that the app is told to trust (nothing global is patched).

    Built at import: schemathesis 4.32's lazy ``from_fixture`` loader reads the private
    ``Item._nodeid`` that pytest 9 no longer has, so the schema is loaded eagerly instead.
    """
    from registry_fixtures import make_key
    from verifier.config import SHIPPED_REGISTRY, Settings
    from verifier.registry.schema import format_timestamp

    key = make_key()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc = json.loads(SHIPPED_REGISTRY.read_text(encoding="utf-8"))
    doc["issued_at"] = format_timestamp(now - timedelta(hours=1))
    doc["expires_at"] = format_timestamp(now + timedelta(days=59))
    directory = Path(tempfile.mkdtemp(prefix="verifier-fuzz-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    settings_ = Settings.from_env(registry_path=write_signed(doc, key, directory), data_dir=directory / "var")
    # Rate limits off (Flask-Limiter's RATELIMIT_ENABLED): hundreds of requests from one client
    # here; tests/test_limits.py covers the limits.
    return create_app({"SETTINGS": settings_, "RATELIMIT_ENABLED": False}, trusted_keys=[key.trusted])


APP = _build_app()
schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", APP, config=CONFIG)


@schema.parametrize()
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate()


# --- arbitrary text, surrogates included ---------------------------------------------------------

# Any code point, lone surrogates (U+D800..U+DFFF) among them.
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=300)
SURROGATE_HEAVY = st.lists(
    st.one_of(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), st.sampled_from(list("tokenpocket.pro@/: 助记词"))),
    max_size=40,
).map("".join)
TEXT = st.one_of(ANY_TEXT, SURROGATE_HEAVY)
PLATFORM = st.one_of(st.none(), st.sampled_from(["telegram", "x", "wechat", "ethereum"]), ANY_TEXT)


def raw_json(obj) -> bytes:
    """JSON bytes with every non-ASCII character escaped: a lone surrogate becomes ``\\ud800``."""
    return json.dumps(obj, ensure_ascii=True).encode("ascii")


def _no_5xx(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype in ("application/json", "application/problem+json")
    json.loads(response.data)


@pytest.fixture(scope="module")
def client():
    return APP.test_client()


FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(text=TEXT, platform=PLATFORM, lang=st.sampled_from([None, "en", "zh"]))
def test_check_never_5xx(client, text, platform, lang):
    body = {"input": text, "platform": platform} | ({"lang": lang} if lang else {})
    response = client.post(f"{API}/check", data=raw_json(body), content_type="application/json")
    _no_5xx(response)
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in text + (platform or ""))
    if has_surrogate:
        assert response.status_code == 400 and response.get_json()["reason"] == "surrogate"
    get = client.get(f"{API}/check", query_string={"input": text.encode("utf-8", "surrogatepass")})
    _no_5xx(get)


@FAST
@given(items=st.lists(st.one_of(TEXT, st.fixed_dictionaries({"input": TEXT, "platform": PLATFORM})), min_size=1, max_size=8))
def test_batch_never_5xx(client, items):
    response = client.post(f"{API}/check/batch", data=raw_json({"inputs": items}), content_type="application/json")
    _no_5xx(response)
    if response.status_code == 200:
        assert len(response.get_json()["results"]) == len(items)


@FAST
@given(text=st.one_of(TEXT, st.text(max_size=3000)), lang=st.sampled_from(["en", "zh"]))
def test_scan_never_5xx(client, text, lang):
    response = client.post(f"{API}/scan", data=raw_json({"text": text, "lang": lang}), content_type="application/json")
    _no_5xx(response)


@FAST
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_never_5xx(client, raw):
    for path in ("/check", "/check/batch", "/scan"):
        _no_5xx(client.post(API + path, data=raw, content_type="application/json"))
