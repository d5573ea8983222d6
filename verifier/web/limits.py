"""Rate limits and API keys on ``/api/v1/*`` (SECURITY.md #8).

The counting is the ``limits`` library (Flask-Limiter's engine: same storage URLs, same fixed
windows) called from one before-request hook. Flask-Limiter's own extension was measured at
~140 µs per API request on this machine (limit resolution, exemption scopes, per-request
context), against ~3 µs for a ``limits`` hit: a check itself costs ~200 µs through Flask.

* Who is asking: ``Authorization: Bearer <key>`` names an API key (:mod:`verifier.state.apikeys`);
  an unknown or revoked key, or any other Authorization scheme, is a 401 ``invalid_api_key``
  (never silently anonymous: a tool with a broken key should find out at once). Without the
  header the client is its IP address.
* The client IP is the socket's peer. Only with ``VERIFIER_TRUSTED_PROXIES=N`` (N > 0) is it
  read from ``X-Forwarded-For``, by werkzeug's ``ProxyFix(x_for=N)``: the N-th address from the
  right, the one the nearest trusted proxy saw. Anything a client writes further left is
  ignored, so a made-up header never resets its limit.
* An anonymous client is its IPv4 address, or its IPv6 network of
  ``VERIFIER_RATELIMIT_IPV6_PREFIX`` bits (default /64, :func:`address_key`): one home
  connection holds 2**64 IPv6 addresses, so counting per address would give it that many
  limits. An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, a dual-stack socket) is its IPv4.
* One limit for the whole API per client (every route counts against the same window): ``VERIFIER_RATELIMIT_ANON`` per IP, and per key the key's
  own limit or ``VERIFIER_RATELIMIT_KEY``. Every route that fetches a page counts too: the web
  checker's deep check (``/check`` with ``deep``) shares the API's window. ``/healthz``,
  ``/readyz`` and reading the other HTML pages are not limited here.
* The web report form (``POST /report``) has its own window, ``VERIFIER_RATELIMIT_REPORT_FORM``
  per IP, not the API's: API calls from a shared address never use up a victim's report.
* Reports (the API's and the form's): besides the window above, an anonymous client may report
  at most ``VERIFIER_RATELIMIT_REPORT_CHANNELS`` *different* channels (:class:`ReportChannels`);
  reporting the same channel again is folded by :mod:`verifier.state.reports` and not counted twice.
* Over the limit: 429 problem+json ``rate_limited`` with ``Retry-After`` (seconds until the
  window resets; :func:`retry_after`).
* Storage: ``memory://`` counts per process, so it is right only with one worker process (the
  default ``verifier serve``: 1 worker x 8 threads); :func:`check_storage` refuses more. A
  ``redis://`` URL shares the counters between workers and machines.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from functools import lru_cache
from typing import Any, Callable

from flask import Flask, g, request
from limits import WindowStats, parse_many
from limits.errors import StorageError
from werkzeug.exceptions import TooManyRequests

from verifier.state.apikeys import ApiKey, KeyRing
from verifier.config import Settings, SettingsError
from verifier.errors import VerifierError
from verifier.serving.logs import log_event
from verifier.web.problems import ApiError

API_PREFIX = "/api/v1/"
LIMITER_EXTENSION = "verifier_limiter"  # the limits.strategies rate limiter
KEYRING_EXTENSION = "verifier_keyring"
OUTAGE_EXTENSION = "verifier_ratelimit_outage"  # StorageOutage: when Redis last failed
REPORT_CHANNELS_EXTENSION = "verifier_report_channels"  # ReportChannels
PAGE_CHECK = "/check"  # the web checker's result page: it fetches the page with ``deep``
SHARED_SCHEMES = ("redis://", "rediss://", "redis+sentinel://", "redis+cluster://", "memcached://",
                  "mongodb://", "valkey://", "valkeys://")


class AuthError(ApiError):
    """401/403 with ``WWW-Authenticate: Bearer`` (RFC 6750)."""

    def __init__(self, message: str, *, code: str, status: int = 401, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, status=status, params=params)
        self.headers = {"WWW-Authenticate": f'Bearer error="{"insufficient_scope" if status == 403 else "invalid_token"}"'}


def check_storage(workers: int, storage_url: str) -> None:
    """Refuse a set-up whose limits would not hold: several worker processes with memory://.

    ``verifier serve --workers N`` calls this before starting gunicorn.
    """
    scheme = storage_url.split(":", 1)[0].lower()
    if workers > 1 and scheme == "memory":
        raise SettingsError(
            f"{workers} worker processes with VERIFIER_RATELIMIT_STORAGE={storage_url} would give each process its "
            f"own counters ({workers}x the limit); run one worker (more with --threads), or set "
            "VERIFIER_RATELIMIT_STORAGE=redis://HOST:6379/0 to share them",
            code="ratelimit_storage_per_process",
        )
    if scheme != "memory" and not storage_url.lower().startswith(SHARED_SCHEMES):
        raise SettingsError(
            f"VERIFIER_RATELIMIT_STORAGE={storage_url!r} is not memory:// or a redis:// URL"
        )


def _validate_limits(settings: Settings) -> None:
    for env, value in (("VERIFIER_RATELIMIT_ANON", settings.ratelimit_anon), ("VERIFIER_RATELIMIT_KEY", settings.ratelimit_key),
                       ("VERIFIER_RATELIMIT_REPORT_CHANNELS", settings.ratelimit_report_channels),
                       ("VERIFIER_RATELIMIT_REPORT_FORM", settings.ratelimit_report_form)):
        try:
            if not parse_many(value):
                raise ValueError(value)
        except ValueError:
            raise SettingsError(f"{env} must look like 60/minute (N per second|minute|hour|day), not {value!r}") from None


def current_key() -> ApiKey | None:
    """The API key of this request, if it sent one (set by the before-request hook)."""
    return g.get("api_key")


# Besides the API: the HTML report form, so a script cannot flood reports through the page. It
# counts in its own bucket (VERIFIER_RATELIMIT_REPORT_FORM, namespace "tpv-form"): sixty API
# calls from a shared NAT or office address must not block a victim's first report.
LIMITED_FORMS = frozenset({("POST", "/report")})


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _is_limited() -> bool:
    return _is_api() or (request.method, request.path) in LIMITED_FORMS or _is_page_fetch()


def _is_page_fetch() -> bool:
    """The web checker's deep check: it fetches a page, as the API's ``deep`` does, so it
    counts against the same window (an unlimited page route would be a free page fetcher)."""
    if request.path != PAGE_CHECK:
        return False
    from verifier.web.pages import DEEP_ON  # the page's own reading of the flag

    values = request.form if request.method == "POST" else request.args
    return values.get("deep") in DEEP_ON


@lru_cache(maxsize=8192)
def address_key(address: str | None, ipv6_prefix: int = 64) -> str:
    """The limit key of an anonymous client at ``address``: ``ip:`` and its IPv4 address, or
    its IPv6 network of ``ipv6_prefix`` bits (``ip:2001:db8:1:2::/64``).

    An IPv4-mapped IPv6 address is its IPv4 address (a dual-stack socket reports IPv4 clients
    so). A zone (``fe80::1%eth0``) is dropped. Anything that is not an address (a unix
    socket's empty peer, a trusted proxy's odd header) keys on its text, cut to 64 characters.
    """
    if not address:
        return "ip:unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"ip:{address[:64]}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"ip:{ip.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((ip, ipv6_prefix), strict=False)}"
    return f"ip:{ip}"


def _client_key(ipv6_prefix: int) -> str:
    key = current_key()
    if key is not None:
        return f"key:{key.id}"
    return address_key(request.remote_addr, ipv6_prefix)


def init_app(app: Flask, settings: Settings) -> None:
    """Authenticate API keys and install the limiter on ``app`` (before the blueprints)."""
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter
    from werkzeug.middleware.proxy_fix import ProxyFix

    check_storage(1, settings.ratelimit_storage)
    _validate_limits(settings)
    if settings.trusted_proxies > 0:
        # Only X-Forwarded-For: Host and scheme stay what the socket says.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0,  # type: ignore[method-assign]
                                x_port=0, x_prefix=0)
    keyring = KeyRing(settings.shared_database)
    app.extensions[KEYRING_EXTENSION] = keyring

    @app.before_request
    def authenticate() -> None:
        # Registered before the limiter's own hook, so the limit is chosen by the key.
        if not _is_api():
            return
        header = request.headers.get("Authorization")
        if header is None:
            return
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        key = keyring.find(token) if scheme.lower() == "bearer" and token else None
        if key is None:
            raise AuthError(
                "the API key in the Authorization header is unknown or revoked; send "
                "'Authorization: Bearer <key>' with an active key, or no Authorization header at all",
                code="invalid_api_key",
            )
        g.api_key = key

    if settings.ratelimit_storage.startswith("memory://"):
        window: Any = LocalFixedWindows()
    else:
        # Short socket timeouts: a Redis that stops answering (no reset, just silence) must cost
        # a request a second, not the operating system's minutes-long connect timeout.
        timeouts = {} if "timeout" in settings.ratelimit_storage else {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
        window = FixedWindowRateLimiter(storage_from_string(settings.ratelimit_storage, wrap_exceptions=True, **timeouts))
    enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    outage = StorageOutage()

    @app.before_request
    def rate_limit() -> None:
        # After authenticate (registered first): the key, if any, picks the limit.
        if not enabled or not _is_limited():
            return
        key = current_key()
        spec = settings.ratelimit_anon if key is None else (key.rate_limit or settings.ratelimit_key)
        bucket = "tpv"
        if (request.method, request.path) in LIMITED_FORMS:
            spec, bucket = settings.ratelimit_report_form, "tpv-form"
        who = _client_key(settings.ratelimit_ipv6_prefix)
        try:
            for item in _parsed(spec):
                if not window.hit(item, bucket, who):
                    g.rate_limit_reset = window.get_window_stats(item, bucket, who).reset_time
                    g.rate_limit_headers = _headers(window, spec, bucket, who, key is None)
                    raise TooManyRequests(description=str(item))
            g.rate_limit_headers = _headers(window, spec, bucket, who, key is None)
        except StorageError as exc:
            # Redis is down: serve without limits rather than fail every request. A victim's
            # check matters more than a limit for the minutes Redis is away; /readyz and the
            # log say so.
            outage.failed(exc)

    @app.after_request
    def rate_limit_headers(response: Any) -> Any:
        # Every /api/v1 answer says the client's policy and where it stands (429s included).
        if not enabled or not _is_api():
            return response
        found = g.get("rate_limit_headers")
        if found is None:
            # Not counted (a refused API key answers before the limiter): the anonymous
            # client's window, read without counting.
            try:
                who = address_key(request.remote_addr, settings.ratelimit_ipv6_prefix)
                found = _headers(window, settings.ratelimit_anon, "tpv", who, True)
            except StorageError:
                return response  # Redis away: nothing true to say
        response.headers["RateLimit-Policy"], response.headers["RateLimit"] = found
        return response

    app.extensions[LIMITER_EXTENSION] = window
    app.extensions[OUTAGE_EXTENSION] = outage
    app.extensions[REPORT_CHANNELS_EXTENSION] = ReportChannels(
        window, settings.ratelimit_report_channels, outage, enabled=enabled, ipv6_prefix=settings.ratelimit_ipv6_prefix,
    )


class TooManyChannels(TooManyRequests):
    """Over the distinct-channel limit of reports: a 429 that says what was counted."""

    what = "different channels reported"
    what_zh = "举报的不同渠道"


class ReportChannels:
    """How many *different* channels one anonymous client reported in the window.

    Duplicate folding (verifier/state/reports.py) makes a repeated report cheap, but a script could
    still fill the review queue with a thousand made-up channels within the request limit. So
    each channel counts once per client and window: a marker per (client, channel) says it was
    counted; a report of a channel not yet counted needs room in the client's counter. A
    refused report marks nothing, so retrying refused channels never slips them in.

    API keys are not counted here: a key is given to a support tool that relays many victims'
    reports, and its own request limit still applies.
    """

    def __init__(self, window: Any, spec: str, outage: "StorageOutage", *, enabled: bool, ipv6_prefix: int) -> None:
        self.window, self.spec, self.outage = window, spec, outage
        self.enabled, self.ipv6_prefix = enabled, ipv6_prefix

    def count(self, channel: str, platform: str | None) -> None:
        """Count this report's channel; ``TooManyChannels`` (429) when it is one too many."""
        from verifier.state.reports import channel_key, fingerprint

        if not self.enabled or current_key() is not None:
            return
        try:
            key, _ = channel_key(channel, platform)
        except VerifierError:
            return  # the submission refuses this channel with its own code: nothing is stored
        channel_id = fingerprint(key)
        who = _client_key(self.ipv6_prefix)
        try:
            for item in _parsed(self.spec):
                marker = _marker(item)
                if not self.window.test(marker, "tpv-reported", who, channel_id):
                    continue  # counted already in this window: a duplicate, folded by the book
                if not self.window.hit(item, "tpv-channels", who):
                    g.rate_limit_reset = self.window.get_window_stats(item, "tpv-channels", who).reset_time
                    raise TooManyChannels(description=str(item))
                self.window.hit(marker, "tpv-reported", who, channel_id)
        except StorageError as exc:
            self.outage.failed(exc)  # fail open, like the request limit


@lru_cache(maxsize=64)
def _marker(item: Any) -> Any:
    """A limit of 1 in the same window as ``item``: set once a channel was counted."""
    return type(item)(1, item.multiples, item.namespace)


def count_report_channel(app: Flask, channel: str, platform: str | None) -> None:
    """For the report routes: count ``channel`` against this client's distinct-channel limit."""
    limiter: ReportChannels | None = app.extensions.get(REPORT_CHANNELS_EXTENSION)
    if limiter is not None:
        limiter.count(channel, platform)


class StorageOutage:
    """When the shared rate-limit storage last failed (``/readyz`` warns for a minute after),
    logged at most every ``LOG_EVERY`` seconds."""

    LOG_EVERY = 30.0
    WARN_FOR = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_failure: float | None = None
        self.last_error = ""
        self._logged = float("-inf")

    def failed(self, exc: BaseException) -> None:
        now = self.clock()
        self.last_failure, self.last_error = now, str(exc.__cause__ or exc)[:300]
        if now - self._logged >= self.LOG_EVERY:
            self._logged = now
            log_event(logging.WARNING, "ratelimit_storage_unavailable", error=self.last_error)

    def recent(self) -> str | None:
        """The last error, if the storage failed within ``WARN_FOR`` seconds."""
        if self.last_failure is not None and self.clock() - self.last_failure < self.WARN_FOR:
            return self.last_error
        return None


class LocalFixedWindows:
    """Fixed-window counters in this process, for ``memory://`` (correct with one worker).

    Same answers as ``limits``' FixedWindowRateLimiter over its MemoryStorage, without that
    storage's expiry timer, which starts a thread every 10 ms under load (measured: about a
    third of an API request's own cost). Windows are aligned like the library's (``time //
    period``); stale entries are swept when the table grows.
    """

    SWEEP_AT = 50_000

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._counts: dict[tuple[str, int, int], int] = {}  # (limit key, window start, period)
        self._lock = threading.Lock()

    @staticmethod
    def _period(item: Any) -> int:
        return int(item.get_expiry())

    def _key(self, item: Any, identifiers: tuple[str, ...], now: float) -> tuple[str, int, int]:
        period = self._period(item)
        return (item.key_for(*identifiers), int(now // period) * period, period)

    def hit(self, item: Any, *identifiers: str) -> bool:
        now = self.clock()
        key = self._key(item, identifiers, now)
        with self._lock:
            if len(self._counts) >= self.SWEEP_AT:
                self._counts = {k: v for k, v in self._counts.items() if k[1] + k[2] > now}
            count = self._counts.get(key, 0)
            if count >= item.amount:
                return False
            self._counts[key] = count + 1
            return True

    def test(self, item: Any, *identifiers: str) -> bool:
        """Whether a hit would be allowed, without counting it."""
        key = self._key(item, identifiers, self.clock())
        with self._lock:
            return self._counts.get(key, 0) < item.amount

    def get_window_stats(self, item: Any, *identifiers: str) -> Any:
        now = self.clock()
        key = self._key(item, identifiers, now)
        with self._lock:
            used = self._counts.get(key, 0)
        return WindowStats(reset_time=key[1] + self._period(item), remaining=max(0, item.amount - used))


def _headers(window: Any, spec: str, bucket: str, who: str, anonymous: bool,
             now: float | None = None) -> tuple[str, str]:
    """``RateLimit-Policy`` and ``RateLimit`` (draft-ietf-httpapi-ratelimit-headers, structured
    fields): each limit of ``spec`` as ``"name";q=<quota>;w=<window s>``, and where this client
    stands in it as ``"name";r=<remaining>;t=<seconds to reset>``. Names: ``anonymous`` or
    ``key``, numbered from the second limit on (``60/minute;1000/day``)."""
    moment = time.time() if now is None else now
    policies, current = [], []
    for i, item in enumerate(_parsed(spec)):
        name = ("anonymous" if anonymous else "key") + (f"-{i + 1}" if i else "")
        stats = window.get_window_stats(item, bucket, who)
        policies.append(f'"{name}";q={item.amount};w={int(item.get_expiry())}')
        current.append(f'"{name}";r={max(0, stats.remaining)};t={max(0, math.ceil(stats.reset_time - moment))}')
    return ", ".join(policies), ", ".join(current)


@lru_cache(maxsize=256)
def _parsed(spec: str) -> tuple[Any, ...]:
    return tuple(parse_many(spec))


def require_admin() -> ApiKey:
    """The request's key if it is an admin key; else 401 (no key) or 403 (not admin)."""
    key = current_key()
    if key is None:
        raise AuthError("this endpoint needs an admin API key: send 'Authorization: Bearer <key>'",
                        code="api_key_required")
    if not key.admin:
        raise AuthError(f"API key {key.prefix}... is not an admin key (`verifier apikey create --admin`)",
                        code="admin_required", status=403, params={"prefix": key.prefix})
    return key


def retry_after(app: Flask, now: float | None = None) -> int:
    """Seconds until the breached window resets (at least 1), for the 429's ``Retry-After``."""
    reset = g.get("rate_limit_reset")
    if reset is None:
        return 1
    moment = time.time() if now is None else now
    return max(1, math.ceil(reset - moment))
