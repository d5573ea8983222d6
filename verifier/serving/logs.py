"""Server logs: plain text, or JSON lines (``VERIFIER_LOG_FORMAT=json``).

A JSON line is one object: ``time`` (RFC 3339 UTC, milliseconds), ``level``, ``event`` and
the event's fields. The service's own events are logged as
``log.info("registry_reloaded", extra={"fields": {...}})``; gunicorn's error log becomes
``event: "server"`` with its ``message``; each request becomes ``event: "request"`` with
method, path (without the query string), status, bytes and duration. Never logged: request
bodies, query strings (a checked value can sit there), the Referer (it holds the previous
page's query string) and, by default, the client's address. ``VERIFIER_LOG_CLIENT_IP=truncated``
adds the client's network (IPv4 /24, IPv6 /48), never the address itself. The same holds in
the text format (:class:`PrivateLogger`: gunicorn's default access line has the address, the
whole request line and the Referer) and for gunicorn's own error lines about a request
(:class:`RequestDetailsFilter`).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

#: The logger of the service's own events (reloads, fallbacks, polling).
LOGGER_NAME = "verifier"


def event_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def log_event(level: int, event: str, **fields: Any) -> None:
    """One event with its fields (a JSON line in json mode, ``event key=value ...`` in text)."""
    event_logger().log(level, event, extra={"fields": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def __init__(self, default_event: str = "log") -> None:
        super().__init__()
        self.default_event = default_event

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        fields = getattr(record, "fields", None)
        line: dict[str, Any] = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname.lower(),
        }
        if isinstance(fields, dict):
            line["event"] = record.getMessage() if record.name == LOGGER_NAME else getattr(record, "event", self.default_event)
            line.update({k: v for k, v in fields.items() if k not in ("time", "level", "event")})
        else:
            line["event"] = self.default_event
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """``<time> [<level>] <event> key=value ...`` for the service's own events."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s [%(levelname)s] %(message)s", "%Y-%m-%d %H:%M:%S %z")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and fields:
            text += " " + " ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in fields.items())
        return text


def configure(log_format: str, stream: Any = None) -> None:
    """Send the service's own events to stderr in the chosen format (idempotent)."""
    logger = event_logger()
    for handler in list(logger.handlers):
        if getattr(handler, "_verifier", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._verifier = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


#: What ``VERIFIER_LOG_CLIENT_IP=truncated`` keeps of an address: its network, enough to see a
#: flood from one provider, too coarse to name a person.
IPV4_PREFIX, IPV6_PREFIX = 24, 48


def truncated_address(address: str | None) -> str:
    """``203.0.113.0/24`` for 203.0.113.9, ``2001:db8:1::/48`` for an IPv6 address (an
    IPv4-mapped one is its IPv4); ``-`` for anything that is not an address (a unix socket)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return "-"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network((ip, prefix), strict=False))


# gunicorn's error lines about one request: "Invalid request from ip=203.0.113.9: ..." and
# "Error handling request GET /check?input=...". The address and the query string go.
# gunicorn quotes what the client sent in the error ("Invalid HTTP Header: 'Bad Header0xab..'",
# a request line): only the kind of error stays, the quoted bytes go.
_IP_FIELD = re.compile(r"\bip=(\S+?)(?=[:\s]|$)")
_TARGET_QUERY = re.compile(r"(\s/[^\s?]*)\?\S*")
_INVALID_DETAILS = re.compile(r"^(Invalid request from ip=\S*: [^:'\"]*?)\s*[:'\"].*$", re.DOTALL)


class RequestDetailsFilter(logging.Filter):
    """Rewrites gunicorn's error-log records so they hold no client address (or only its
    network, with ``truncated``) and no query string of a request target."""

    def __init__(self, client_ip: str = "off") -> None:
        super().__init__()
        self.client_ip = client_ip

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _IP_FIELD.sub(
            lambda m: f"ip={truncated_address(m.group(1)) if self.client_ip == 'truncated' else '-'}", message)
        cleaned = _TARGET_QUERY.sub(r"\1", " " + cleaned)[1:]
        cleaned = _INVALID_DETAILS.sub(r"\1", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class PrivateLogger(GunicornLogger):
    """gunicorn's logger, with an access line that holds no query string, no Referer and no
    client address (unless ``client_ip`` is ``truncated``: then its network).

    Text lines: ``[26/Nov/2026:03:22:47 +0000] "POST /api/v1/check" 200 1628 6.11ms "curl/8.5.0"``.
    ``client_ip`` is set by ``verifier serve`` on a subclass (:func:`logger_class`)."""

    client_ip = "off"

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(RequestDetailsFilter(self.client_ip))

    def access_fields(self, resp: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),  # never QUERY_STRING or RAW_URI: values sit there
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "user_agent": (environ.get("HTTP_USER_AGENT") or "")[:200],
        }
        if self.client_ip == "truncated":
            fields["client"] = truncated_address(environ.get("REMOTE_ADDR"))
        return fields

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        fields = self.access_fields(resp, environ, request_time)
        try:
            self.write_access(fields)
        except Exception:  # noqa: BLE001 # pragma: no cover - logging must never break a response
            self.error("failed to log a request")

    def write_access(self, fields: dict[str, Any]) -> None:
        client = f" client={fields['client']}" if "client" in fields else ""
        line = (f'{self.now()} "{fields["method"]} {fields["path"]}" {fields["status"]} {fields["bytes"]} '
                f'{fields["duration_ms"]}ms {json.dumps(fields["user_agent"], ensure_ascii=False)}{client}')
        self.access_log.info("%s", line)


class JsonLogger(PrivateLogger):
    """The same, with every line (error log and access log) as a JSON object."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger, event in ((self.error_log, "server"), (self.access_log, "request")):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter(default_event=event))

    def write_access(self, fields: dict[str, Any]) -> None:
        self.access_log.info("request", extra={"fields": fields, "event": "request"})


def logger_class(log_format: str, client_ip: str) -> type[PrivateLogger]:
    """The gunicorn logger class for these settings (gunicorn builds it from the class)."""
    base = JsonLogger if log_format == "json" else PrivateLogger
    return type(base.__name__, (base,), {"client_ip": client_ip})
