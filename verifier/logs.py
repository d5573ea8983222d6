"""Server logs: plain text, or JSON lines (``VERIFIER_LOG_FORMAT=json``).

A JSON line is one object: ``time`` (RFC 3339 UTC, milliseconds), ``level``, ``event`` and
the event's fields. The service's own events are logged as
``log.info("registry_reloaded", extra={"fields": {...}})``; gunicorn's error log becomes
``event: "server"`` with its ``message``; each request becomes ``event: "request"`` with
method, path (without the query string), status, bytes and duration. Never logged: request
bodies, query strings (a checked value can sit there), and the client's address (the reverse
proxy's log has it).
"""

from __future__ import annotations

import json
import logging
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


class JsonLogger(GunicornLogger):
    """gunicorn's logger with every line (error log and access log) as a JSON object."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger, event in ((self.error_log, "server"), (self.access_log, "request")):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter(default_event=event))

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "user_agent": (environ.get("HTTP_USER_AGENT") or "")[:200],
        }
        try:
            self.access_log.info("request", extra={"fields": fields, "event": "request"})
        except Exception:  # noqa: BLE001 # pragma: no cover - logging must never break a response
            self.error(f"failed to log the request {fields!r}")
