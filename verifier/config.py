"""Settings: one table of ``VERIFIER_*`` environment variables, read into a frozen dataclass.

Order of precedence (STYLE.md #9): the defaults below, then the environment, then explicit
overrides (CLI options, a test's mapping). Every setting is documented in the README; a
test keeps the two in step.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from verifier.errors import VerifierError

#: What makes VERIFIER_DATABASE_URL a shared PostgreSQL database rather than a path.
URL_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(where: object) -> bool:
    return isinstance(where, str) and where.startswith(URL_SCHEMES)


PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout this package sits in (tests and docs use it; an installed package has none).
PROJECT_ROOT = PACKAGE_DIR.parent
#: The signed registry shipped with the package: ``verifier/shipped`` is a link to ``data/`` in
#: a checkout, and a real folder in a built wheel (pyproject.toml's package data).
SHIPPED_REGISTRY = PACKAGE_DIR / "shipped" / "official_channels.json"
APP_NAME = "tp-channel-verifier"


def default_data_dir() -> Path:
    """Where the state lives without VERIFIER_DATA_DIR: ``var/`` beside a source checkout (as
    ``make run`` has it), else the per-user data directory (``~/.local/share/tp-channel-verifier``
    on Linux), never inside an installed package's folder."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data").is_dir():
        return PROJECT_ROOT / "var"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class SettingsError(VerifierError):
    code = "bad_setting"
    status = 500


@dataclass(frozen=True, slots=True)
class Setting:
    env: str
    field: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("VERIFIER_REGISTRY", "registry_path", "Path of the registry JSON; its signature is the same path plus .minisig."),
    Setting("VERIFIER_DATA_DIR", "data_dir", "Directory of the SQLite state file (rollback floor, later reports and caches)."),
    Setting("VERIFIER_DATABASE_URL", "database_url", "A postgresql:// URL: reports, API keys and the check log shared by every node (empty: this node's SQLite file)."),
    Setting("VERIFIER_FETCH_ALLOWED_NETWORKS", "fetch_allowed_networks", "Comma-separated CIDRs the page fetcher may reach besides public addresses."),
    Setting("VERIFIER_FETCH_PORTS", "fetch_ports", "Comma-separated ports the page fetcher may use (default 80,443)."),
    Setting("VERIFIER_LANG", "lang", "Default language of messages: en or zh."),
    Setting("VERIFIER_PAGE_CACHE_SECONDS", "page_cache_seconds", "How long the deep check keeps what it read from a page."),
    Setting("VERIFIER_FETCH_DEADLINE_SECONDS", "fetch_deadline_seconds", "Wall-clock deadline of one page fetch: lookup, connect, TLS, headers, body, every redirect (default 10)."),
    Setting("VERIFIER_DEEP_CONCURRENCY", "deep_concurrency", "Deep checks reading a page at once per worker process; more are refused with 503 (default 4, always below VERIFIER_THREADS)."),
    Setting("VERIFIER_RATELIMIT_STORAGE", "ratelimit_storage", "Where rate-limit counters live: memory:// (one worker process only) or a redis:// URL."),
    Setting("VERIFIER_TRUSTED_PROXIES", "trusted_proxies", "How many reverse proxies in front append to X-Forwarded-For (0: ignore the header)."),
    Setting("VERIFIER_RATELIMIT_ANON", "ratelimit_anon", "The API's limit per client IP without an API key, e.g. 60/minute."),
    Setting("VERIFIER_RATELIMIT_KEY", "ratelimit_key", "The API's default limit per API key, e.g. 600/minute (a key may carry its own)."),
    Setting("VERIFIER_RATELIMIT_IPV6_PREFIX", "ratelimit_ipv6_prefix", "Anonymous IPv6 clients are counted per network of this prefix length (default 64: one home connection)."),
    Setting("VERIFIER_RATELIMIT_REPORT_CHANNELS", "ratelimit_report_channels", "How many different channels one anonymous client may report, e.g. 20/hour."),
    Setting("VERIFIER_RATELIMIT_REPORT_FORM", "ratelimit_report_form", "The web report form's own limit per client IP (default 30/hour), apart from the API's, so API calls from a shared address never block a victim's report."),
    Setting("VERIFIER_PUBLIC_URL", "public_url", "The service's public origin (https://checker.example): the bookmarklet and absolute links use it, never the Host header."),
    Setting("VERIFIER_ALLOWED_HOSTS", "allowed_hosts", "Without VERIFIER_PUBLIC_URL: the Host names the bookmarklet may be made for (default the loopback names)."),
    Setting("VERIFIER_CHECK_LOG", "check_log", "on/off: record each check (normalised value, kind, verdict, reasons; never IP or message)."),
    Setting("VERIFIER_REGISTRY_URL", "registry_url", "URL of the published registry JSON (its signature: URL + .minisig), polled when VERIFIER_REGISTRY_POLL_SECONDS > 0."),
    Setting("VERIFIER_REGISTRY_POLL_SECONDS", "registry_poll_seconds", "Seconds between polls of VERIFIER_REGISTRY_URL (0: no polling)."),
    Setting("VERIFIER_LOG_FORMAT", "log_format", "Server logs: text, or json (one JSON object per line)."),
    Setting("VERIFIER_LOG_CLIENT_IP", "log_client_ip", "Client addresses in the access log: off (default), or truncated (IPv4 /24, IPv6 /48)."),
    Setting("VERIFIER_WORKERS", "workers", "gunicorn worker processes of `verifier serve` (default 1)."),
    Setting("VERIFIER_THREADS", "threads", "Threads per worker of `verifier serve` (default 8)."),
    Setting("VERIFIER_DNS_NAMESERVERS", "dns_nameservers", "DNS servers for the e-mail check's DKIM and DMARC lookups: ip or ip:port, comma-separated (empty: the system's)."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    registry_path: Path = SHIPPED_REGISTRY
    data_dir: Path = default_data_dir()
    database_url: str = ""
    fetch_allowed_networks: tuple[str, ...] = ()
    fetch_ports: tuple[str, ...] = ("80", "443")
    lang: str = "en"
    page_cache_seconds: int = 3600
    fetch_deadline_seconds: float = 10.0
    deep_concurrency: int = 4
    ratelimit_storage: str = "memory://"
    trusted_proxies: int = 0
    ratelimit_anon: str = "60/minute"
    ratelimit_key: str = "600/minute"
    ratelimit_ipv6_prefix: int = 64
    ratelimit_report_channels: str = "20/hour"
    public_url: str = ""
    ratelimit_report_form: str = "30/hour"
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    check_log: bool = True
    registry_url: str = ""
    registry_poll_seconds: int = 0
    log_format: str = "text"
    log_client_ip: str = "off"
    workers: int = 1
    threads: int = 8
    dns_nameservers: tuple[str, ...] = ()

    @property
    def signature_path(self) -> Path:
        return Path(f"{self.registry_path}.minisig")

    @property
    def database_path(self) -> Path:
        return self.data_dir / "verifier.sqlite3"

    @property
    def shared_database(self) -> Path | str:
        """Where reports, API keys and the check log live: the PostgreSQL URL, else the SQLite file."""
        return self.database_url or self.database_path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is not None and raw.strip():
                values[setting.field] = _convert(setting, raw.strip())
        by_field = {s.field: s for s in SETTINGS}
        for name, value in overrides.items():
            if value is None:
                continue
            # Overrides from the CLI arrive as text; convert them like the environment's.
            values[name] = _convert(by_field[name], value) if isinstance(value, str) and name in by_field else value
        settings = replace(cls(), **values)
        if settings.lang not in ("en", "zh"):
            raise SettingsError(f"VERIFIER_LANG must be en or zh, not {settings.lang!r}")
        if settings.log_format not in ("text", "json"):
            raise SettingsError(f"VERIFIER_LOG_FORMAT must be text or json, not {settings.log_format!r}")
        if settings.log_client_ip not in LOG_CLIENT_IP:
            raise SettingsError(f"VERIFIER_LOG_CLIENT_IP must be off or truncated, not {settings.log_client_ip!r}")
        if settings.database_url and not is_database_url(settings.database_url):
            raise SettingsError("VERIFIER_DATABASE_URL must be a postgresql:// URL (or empty for the node's SQLite file)")
        if settings.workers < 1 or settings.threads < 1:
            raise SettingsError("VERIFIER_WORKERS and VERIFIER_THREADS must be at least 1")
        if not 0 < settings.fetch_deadline_seconds <= MAX_FETCH_DEADLINE:
            # Past the graceful-stop time a restart would cut the reads in flight.
            raise SettingsError(f"VERIFIER_FETCH_DEADLINE_SECONDS must be more than 0 and at most "
                                f"{MAX_FETCH_DEADLINE:g}, not {settings.fetch_deadline_seconds:g}")
        if settings.deep_concurrency < 1:
            raise SettingsError("VERIFIER_DEEP_CONCURRENCY must be at least 1")
        if not 1 <= settings.ratelimit_ipv6_prefix <= 128:
            raise SettingsError(f"VERIFIER_RATELIMIT_IPV6_PREFIX must be 1 to 128 (64: one home connection), "
                                f"not {settings.ratelimit_ipv6_prefix}")
        if settings.dns_nameservers:
            from verifier.mailauth import parse_nameservers

            try:
                parse_nameservers(settings.dns_nameservers)
            except ValueError as err:
                raise SettingsError(f"VERIFIER_DNS_NAMESERVERS: {err}") from None
        if settings.public_url:
            settings = replace(settings, public_url=public_origin(settings.public_url))
        return settings


_ORIGIN = re.compile(r"(https?)://([a-z0-9.\-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?/?")


def public_origin(url: str) -> str:
    """``VERIFIER_PUBLIC_URL`` as ``scheme://host[:port]``: an origin only (no path, query or
    user), since the bookmarklet appends its own paths to it."""
    found = _ORIGIN.fullmatch(url.strip().lower())
    if found is None:
        raise SettingsError(
            f"VERIFIER_PUBLIC_URL must be the service's origin, like https://checker.example or "
            f"http://127.0.0.1:8000 (scheme and host, no path or query), not {url[:200]!r}"
        )
    return f"{found[1]}://{found[2]}{found[3] or ''}"


#: What the access log may say of the client: nothing, or its network (never the address).
LOG_CLIENT_IP = ("off", "truncated")

#: The longest fetch deadline accepted (server.GRACEFUL_TIMEOUT is 20 s).
MAX_FETCH_DEADLINE = 15.0

_SWITCHES = {"on": True, "off": False, "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _convert(setting: Setting, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[setting.field]
    if "Path" in str(kind):
        return Path(raw).expanduser()
    if kind in (bool, "bool"):
        switch = _SWITCHES.get(raw.lower())
        if switch is None:
            raise SettingsError(f"{setting.env} must be on or off, not {raw!r}")
        return switch
    if "tuple" in str(kind):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind in (float, "float"):
        try:
            number = float(raw)
        except ValueError:
            raise SettingsError(f"{setting.env} must be a number of seconds, such as 10 or 2.5, not {raw!r}") from None
        if not number == number or number < 0:  # NaN, negative
            raise SettingsError(f"{setting.env} must be a number of seconds, such as 10 or 2.5, not {raw!r}")
        return number
    if kind in (int, "int"):
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{setting.env} must be a whole number, not {raw!r}") from None
        if value < 0:
            raise SettingsError(f"{setting.env} must not be negative, not {raw!r}")
        return value
    return raw
