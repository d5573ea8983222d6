"""Rate limits on /api/v1 (verifier/web/limits.py): per IP without a key, per key with one, 429 in
problem+json with Retry-After, X-Forwarded-For only behind configured trusted proxies, and the
storage check that keeps limits honest across workers (SECURITY.md #8). Issue 12: an IPv6 client
is its /64, the web page's deep check shares the API's window, reports are limited in different
channels per client, and the Redis test fails instead of skipping under VERIFIER_REQUIRE_REDIS."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

import pytest

from verifier.state import apikeys
from verifier.config import Settings, SettingsError
from verifier.web.limits import check_storage
from verifier.state.store import StateStore
from verifier.web import create_app

API = "/api/v1"
CHECK = f"{API}/check?input=tokenpocket.pro"


def make_app(settings: Settings, **changes):
    return create_app({"SETTINGS": replace(settings, **changes)})


def make_key(settings: Settings, **kwargs) -> tuple[apikeys.ApiKey, str]:
    with StateStore(settings.database_path) as store:
        return apikeys.create(store, kwargs.pop("name", "tool"), **kwargs)


def hits(client, n: int, **kwargs) -> list[int]:
    return [client.get(CHECK, **kwargs).status_code for _ in range(n)]


def test_anonymous_limit_answers_429_problem_json_with_retry_after(settings_env):
    client = make_app(settings_env, ratelimit_anon="3/minute").test_client()
    assert hits(client, 3) == [200, 200, 200]
    response = client.get(CHECK)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    assert body["type"] == "urn:tp-verifier:problem:rate_limited"
    assert "3 per 1 minute" in body["detail"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_the_limit_is_one_window_for_the_whole_api(settings_env):
    client = make_app(settings_env, ratelimit_anon="2/minute").test_client()
    assert client.get(CHECK).status_code == 200
    assert client.post(f"{API}/check", json={"input": "tpwallet.io"}).status_code == 200
    assert client.post(f"{API}/check/batch", json={"inputs": ["tokenpocket.pro"]}).status_code == 429


def test_health_and_pages_are_not_limited(settings_env):
    client = make_app(settings_env, ratelimit_anon="1/minute").test_client()
    assert client.get(CHECK).status_code == 200
    assert client.get(CHECK).status_code == 429
    for path in ("/healthz", "/readyz", "/", "/check?input=tokenpocket.pro"):
        assert [client.get(path).status_code for _ in range(3)] == [200] * 3, path


def test_an_api_key_has_its_own_higher_limit(settings_env):
    _, default_key = make_key(settings_env, name="default")
    _, own_key = make_key(settings_env, name="own", limit="2/minute")
    client = make_app(settings_env, ratelimit_anon="1/minute", ratelimit_key="4/minute").test_client()
    assert hits(client, 2) == [200, 429]  # anonymous: used up
    bearer = {"Authorization": f"Bearer {default_key}"}
    assert hits(client, 5, headers=bearer) == [200, 200, 200, 200, 429]
    assert hits(client, 3, headers={"Authorization": f"Bearer {own_key}"}) == [200, 200, 429]


@pytest.mark.parametrize("header", ["Bearer tpv_not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer", "tpv_abc", "Bearer " + "x" * 5000])
def test_unknown_key_or_scheme_is_401_invalid_api_key(settings_env, header):
    client = make_app(settings_env).test_client()
    response = client.get(CHECK, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "invalid_api_key"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_401(settings_env):
    key, secret = make_key(settings_env)
    app = make_app(settings_env)
    client = app.test_client()
    assert client.get(CHECK, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    with StateStore(settings_env.database_path) as store:
        apikeys.revoke(store, key.id)
    app.extensions["verifier_keyring"].cache_seconds = 0  # else seen within apikeys.CACHE_SECONDS
    response = client.get(CHECK, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_api_key"


def test_spoofed_forwarded_for_does_not_reset_the_limit(settings_env):
    """No trusted proxy: X-Forwarded-For is ignored, the socket's address counts."""
    client = make_app(settings_env, ratelimit_anon="2/minute").test_client()
    statuses = [
        client.get(CHECK, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(5)
    ]
    assert statuses == [200, 200, 429, 429, 429]


def test_behind_one_trusted_proxy_the_rightmost_address_counts(settings_env):
    client = make_app(settings_env, ratelimit_anon="2/minute", trusted_proxies=1).test_client()

    def via_proxy(client_ip: str, spoofed: str | None = None) -> int:
        # The proxy appends the address it saw; whatever the client wrote stays on the left.
        chain = f"{spoofed}, {client_ip}" if spoofed else client_ip
        return client.get(CHECK, headers={"X-Forwarded-For": chain}).status_code

    assert [via_proxy("198.51.100.7", spoofed=f"10.0.0.{i}") for i in range(3)] == [200, 200, 429]
    assert via_proxy("198.51.100.8") == 200  # another client behind the same proxy has its own limit
    assert via_proxy("198.51.100.8", spoofed="198.51.100.7") == 200


def test_several_workers_with_memory_storage_are_refused():
    check_storage(1, "memory://")
    check_storage(4, "redis://localhost:6379/0")
    with pytest.raises(SettingsError) as raised:
        check_storage(2, "memory://")
    assert raised.value.code == "ratelimit_storage_per_process"
    assert "redis://" in raised.value.message and "2 worker processes" in raised.value.message


def test_bad_limit_and_storage_settings_are_refused(settings_env):
    with pytest.raises(SettingsError):
        make_app(settings_env, ratelimit_anon="lots")
    with pytest.raises(SettingsError):
        make_app(settings_env, ratelimit_storage="ftp://example")
    with pytest.raises(SettingsError):
        Settings.from_env({"VERIFIER_CHECK_LOG": "maybe"})
    assert Settings.from_env({"VERIFIER_CHECK_LOG": "off", "VERIFIER_TRUSTED_PROXIES": "2"}).check_log is False


def _redis_missing(*, server: bool = True) -> str | None:
    if server and shutil.which("redis-server") is None:
        return "redis-server is not installed here (apt-get install redis-server)"
    try:
        import redis  # noqa: F401  (the client limits needs for redis://)
    except ImportError:
        return "the redis client is not installed (pip install 'tp-channel-verifier[redis]')"
    return None


def require_redis(*, server: bool = True) -> None:
    """Skip without Redis, like PostgreSQL (tests/pg_server.py): unless VERIFIER_REQUIRE_REDIS is
    set (.ci/run sets it), which turns the skip into a failure, so CI cannot pass without it."""
    why = _redis_missing(server=server)
    if why is None:
        return
    if os.environ.get("VERIFIER_REQUIRE_REDIS"):
        pytest.fail(f"VERIFIER_REQUIRE_REDIS is set but {why}")
    pytest.skip(f"{why}: the shared counters of `verifier serve --workers 2` are not exercised (the memory:// "
                "refusal is tested above); set VERIFIER_REQUIRE_REDIS=1 to fail instead")


def test_require_redis_fails_instead_of_skipping_when_required(monkeypatch):
    """The gate itself: with VERIFIER_REQUIRE_REDIS a missing Redis is a failure, else a skip."""
    monkeypatch.setattr(shutil, "which", lambda name: None)  # as on a machine without redis-server
    monkeypatch.setenv("VERIFIER_REQUIRE_REDIS", "1")
    with pytest.raises(pytest.fail.Exception, match="VERIFIER_REQUIRE_REDIS is set but redis-server is not installed"):
        require_redis()
    monkeypatch.delenv("VERIFIER_REQUIRE_REDIS")
    with pytest.raises(pytest.skip.Exception, match="set VERIFIER_REQUIRE_REDIS=1 to fail instead"):
        require_redis()


def test_limits_hold_across_workers_with_redis(tmp_path):
    import socket
    import subprocess

    from served import Served, free_port, wait_for

    require_redis()
    redis_port = free_port()
    redis_proc = subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def redis_up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", redis_port), timeout=1).close()
            return True
        except OSError:
            return False

    # Limits fail open while Redis is away: it must listen before the first counted request.
    assert wait_for(redis_up, timeout=10)
    # The subprocess trusts only the pinned keys: it serves the shipped registry.
    env = {k: v for k, v in os.environ.items() if k != "VERIFIER_REGISTRY"}
    env.update(VERIFIER_RATELIMIT_STORAGE=f"redis://127.0.0.1:{redis_port}/0", VERIFIER_RATELIMIT_ANON="20/minute",
               VERIFIER_DATA_DIR=str(tmp_path / "var"))
    server = Served(env, "--workers", "2", logs=tmp_path)
    try:
        server.wait_ready(20)
        # new connections each time: gunicorn spreads them over both workers
        statuses = [server.get("/api/v1/check?input=tokenpocket.pro")[0] for _ in range(30)]
        assert statuses == [200] * 20 + [429] * 10
    finally:
        server.stop()
        redis_proc.terminate()
        redis_proc.wait(10)


def test_local_windows_count_like_the_library():
    """memory:// uses LocalFixedWindows: same fixed windows as limits' FixedWindowRateLimiter."""
    from limits import parse
    from limits.storage import MemoryStorage
    from limits.strategies import FixedWindowRateLimiter

    from verifier.web.limits import LocalFixedWindows

    now = [1_000_000.0]
    local = LocalFixedWindows(clock=lambda: now[0])
    library = FixedWindowRateLimiter(MemoryStorage())
    minute, day = parse("3/minute"), parse("5/day")
    answers = []
    for _ in range(8):
        now[0] += 20  # windows are aligned on multiples of the period, as in the library
        answers.append((local.hit(minute, "ip:1"), local.hit(day, "ip:1")))
    assert [m for m, _ in answers] == [True] * 8  # never more than 3 in one aligned minute
    assert [d for _, d in answers] == [True] * 5 + [False] * 3
    assert [local.hit(minute, "ip:3") for _ in range(4)] == [True, True, True, False]
    stats = local.get_window_stats(day, "ip:1")
    assert stats.remaining == 0 and stats.reset_time > now[0]
    assert library.hit(minute, "ip:2")  # the library is still what redis:// uses


def test_local_windows_sweep_keeps_live_windows():
    from limits import parse

    from verifier.web.limits import LocalFixedWindows

    now = [5_000_000.0]
    local = LocalFixedWindows(clock=lambda: now[0])
    local.SWEEP_AT = 10
    day, minute = parse("2/day"), parse("100/minute")
    assert local.hit(day, "ip:9") and local.hit(day, "ip:9")
    for i in range(20):  # many short-lived keys force sweeps
        local.hit(minute, f"ip:{i}")
        now[0] += 61
    assert not local.hit(day, "ip:9")  # the day window survived the sweeps


def test_a_redis_that_is_down_serves_unlimited_and_says_so(settings_env, caplog):
    """Rate limits fail open: a victim's check matters more than a limit while Redis is away.
    Every request is still answered (never a 500), /readyz warns, the log says it once."""
    require_redis(server=False)  # only the client: nothing listens on the port, on purpose
    from served import free_port

    app = make_app(settings_env, ratelimit_storage=f"redis://127.0.0.1:{free_port()}/0", ratelimit_anon="2/minute",
                   check_log=False)
    client = app.test_client()
    with caplog.at_level("WARNING", logger="verifier"):
        assert hits(client, 5) == [200] * 5  # over 2/minute, but nothing can count
    assert len([r for r in caplog.records if r.getMessage() == "ratelimit_storage_unavailable"]) == 1
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert "ratelimit_storage_unavailable" in [w["code"] for w in ready.get_json()["warnings"]]


# --- who a client is: IPv4, or the IPv6 network (issue 12) ---------------------------------------


def test_address_key_is_the_ipv4_address_or_the_ipv6_network():
    from verifier.web.limits import address_key

    # Two addresses of one /64 (one home connection) are one client; of two /64s, two.
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:ffff") == "ip:2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") == "ip:2001:db8:1:3::/64" != address_key("2001:db8:1:2::1")
    # IPv4 is the address itself; an IPv4-mapped IPv6 address (a dual-stack socket) is its IPv4.
    assert address_key("192.0.2.7") == "ip:192.0.2.7" != address_key("192.0.2.8")
    assert address_key("::ffff:192.0.2.7") == address_key("::FFFF:c000:207") == "ip:192.0.2.7"
    # The prefix is a setting: /48 folds a site, /128 is the old per-address key.
    assert address_key("2001:db8:1:2::1", 48) == address_key("2001:db8:1:ffff::1", 48) == "ip:2001:db8:1::/48"
    assert address_key("2001:db8::1", 128) != address_key("2001:db8::2", 128)
    # A zone is dropped; what is not an address keys on its text; no address at all is one key.
    assert address_key("fe80::1%eth0") == address_key("fe80::2") == "ip:fe80::/64"
    assert address_key("not-an-ip") == "ip:not-an-ip" and address_key(None) == address_key("") == "ip:unknown"


def test_the_ipv6_prefix_setting_is_read_and_checked():
    assert Settings.from_env({}).ratelimit_ipv6_prefix == 64
    assert Settings.from_env({"VERIFIER_RATELIMIT_IPV6_PREFIX": "56"}).ratelimit_ipv6_prefix == 56
    for bad in ("0", "129", "sixty-four"):
        with pytest.raises(SettingsError) as raised:
            Settings.from_env({"VERIFIER_RATELIMIT_IPV6_PREFIX": bad})
        assert "VERIFIER_RATELIMIT_IPV6_PREFIX" in raised.value.message


def test_one_ipv6_64_is_one_client_through_the_app(settings_env):
    client = make_app(settings_env, ratelimit_anon="3/minute").test_client()

    def from_(address: str) -> int:
        return client.get(CHECK, environ_base={"REMOTE_ADDR": address}).status_code

    # A script rotating through its own /64 shares one limit ...
    assert [from_(f"2001:db8:aa:1::{i:x}") for i in range(1, 6)] == [200, 200, 200, 429, 429]
    # ... the next /64 (another connection) has its own, and so does IPv4 vs its mapped form: one.
    assert from_("2001:db8:aa:2::1") == 200
    assert [from_("198.51.100.20"), from_("::ffff:198.51.100.20"), from_("198.51.100.20"), from_("198.51.100.20")] \
        == [200, 200, 200, 429]


def test_the_ipv6_prefix_setting_changes_who_is_one_client(settings_env):
    client = make_app(settings_env, ratelimit_anon="1/minute", ratelimit_ipv6_prefix=48).test_client()
    statuses = [client.get(CHECK, environ_base={"REMOTE_ADDR": f"2001:db8:bb:{i}::1"}).status_code for i in range(3)]
    assert statuses == [200, 429, 429]  # three /64s of one /48


# --- the web checker's deep check counts like the API (issue 12) -------------------------------


DEEP_PAGE = "/check?input=tokenpocket-airdrop.top&deep=1"


@pytest.mark.parametrize("lang, words", [("en", "Too many page reads"), ("zh", "读取网页的次数过多")])
def test_the_page_deep_check_is_limited_per_client(settings_env, lang, words):
    from bs4 import BeautifulSoup

    client = make_app(settings_env, ratelimit_anon="2/minute", check_log=False).test_client()
    me = {"REMOTE_ADDR": "2001:db8:cc:1::5"}
    statuses = [client.get(f"{DEEP_PAGE}&lang={lang}", environ_base=me).status_code for _ in range(2)]
    assert statuses == [200, 200]  # the page could not be read (no internet in tests), the check still answers
    limited = client.get(f"{DEEP_PAGE}&lang={lang}", environ_base={"REMOTE_ADDR": "2001:db8:cc:1::6"})
    assert limited.status_code == 429 and limited.mimetype == "text/html"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    html = BeautifulSoup(limited.get_data(as_text=True), "html.parser")
    assert words in html.select_one("h1").get_text()
    assert html.select_one("html")["lang"] == ("zh-CN" if lang == "zh" else "en")
    # The calm page offers the check without the page read, which is not limited.
    plain = html.select_one("a#plain-check")["href"]
    assert "deep" not in plain
    assert client.get(plain, environ_base=me).status_code == 200
    # A deep check sent by POST (the long-message form) counts the same.
    posted = client.post("/check", data={"input": "tokenpocket-airdrop.top", "deep": "on"}, environ_base=me)
    assert posted.status_code == 429
    # The same window as the API: this client's API calls are over the limit too.
    assert client.get(CHECK, environ_base=me).status_code == 429
    assert client.get(DEEP_PAGE, environ_base={"REMOTE_ADDR": "2001:db8:cc:2::5"}).status_code == 200  # another /64


def test_the_api_counts_against_the_page_deep_check_too(settings_env):
    client = make_app(settings_env, ratelimit_anon="2/minute", check_log=False).test_client()
    assert hits(client, 2) == [200, 200]
    assert client.get(DEEP_PAGE).status_code == 429
    assert client.get("/check?input=tokenpocket-airdrop.top").status_code == 200  # without deep: never limited


# --- reports: a limit on different channels per client (issue 12) ---------------------------------


def _report(client, channel: str, *, form: bool = False, **kwargs):
    what = "asked for my seed phrase"
    if form:
        return client.post("/report", data={"channel": channel, "what_happened": what},
                           headers={"Sec-Fetch-Site": "same-origin"}, **kwargs)
    return client.post(f"{API}/reports", json={"channel": channel, "what_happened": what}, **kwargs)


def test_a_burst_of_different_channels_is_refused_on_the_api(settings_env):
    client = make_app(settings_env, ratelimit_report_channels="3/hour", check_log=False).test_client()
    statuses = [_report(client, f"https://tp-refund-{i}.top/claim").status_code for i in range(6)]
    assert statuses == [201, 201, 201, 429, 429, 429]
    refused = _report(client, "https://tp-refund-99.top/")
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["code"] == "rate_limited" and "different channels reported (3 per 1 hour)" in body["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    # A channel already counted is a duplicate: folded, never refused, however it is written.
    again = _report(client, "TP-REFUND-1.TOP")
    assert again.status_code == 201 and again.get_json()["duplicate"] is True
    # Refused channels were not marked: sending them again does not slip them in.
    assert [_report(client, f"https://tp-refund-{i}.top/claim").status_code for i in range(3, 6)] == [429] * 3
    # Another client (another /64) has its own count; checks are not touched by it.
    assert _report(client, "https://tp-refund-4.top/", environ_base={"REMOTE_ADDR": "2001:db8:dd:1::1"}).status_code == 201
    assert client.get(CHECK).status_code == 200


def test_a_burst_of_different_channels_is_refused_on_the_form(settings_env):
    from bs4 import BeautifulSoup

    client = make_app(settings_env, ratelimit_report_channels="2/hour", check_log=False).test_client()
    statuses = [_report(client, f"tp-kefu-{i}.top", form=True).status_code for i in range(2)]
    assert statuses == [200, 200]
    for lang, words in (("en", "Too many reports"), ("zh", "举报过多")):
        refused = client.post(f"/report?lang={lang}", data={"channel": "tp-kefu-9.top", "what_happened": "seed"},
                              headers={"Sec-Fetch-Site": "same-origin"})
        assert refused.status_code == 429 and refused.mimetype == "text/html"
        assert int(refused.headers["Retry-After"]) >= 1
        assert words in BeautifulSoup(refused.get_data(as_text=True), "html.parser").select_one("h1").get_text()
    # The form and the API share the count of one client.
    assert _report(client, "tp-kefu-10.top").status_code == 429
    assert _report(client, "tp-kefu-1.top").status_code == 201  # counted already: a duplicate


def test_an_api_key_is_not_held_to_the_distinct_channel_limit(settings_env):
    _, secret = make_key(settings_env, name="support-bot")
    client = make_app(settings_env, ratelimit_report_channels="1/hour", check_log=False).test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert [_report(client, f"tp-relay-{i}.top", headers=bearer).status_code for i in range(4)] == [201] * 4
    assert [_report(client, f"tp-anon-{i}.top").status_code for i in range(2)] == [201, 429]


def test_the_distinct_channel_setting_is_checked(settings_env):
    with pytest.raises(SettingsError) as raised:
        make_app(settings_env, ratelimit_report_channels="plenty")
    assert "VERIFIER_RATELIMIT_REPORT_CHANNELS" in raised.value.message
    assert Settings.from_env({}).ratelimit_report_channels == "20/hour"
