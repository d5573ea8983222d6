"""``verifier serve``: gunicorn (a production WSGI server) running ``create_app()``.

* The app is built once in the master before forking (``preload_app``), so a registry that
  fails verification stops the command with its refusal code instead of crash-looping
  workers. A file refused at start while the state holds an accepted registry falls back to
  those bytes (re-verified; see ``verifier/serving/reload.py``).
* Defaults for this 2-core machine: 1 worker × 8 threads (``gthread``); ``--workers`` /
  ``--threads`` or ``VERIFIER_WORKERS`` / ``VERIFIER_THREADS``. One process keeps the
  per-process parts (rate limits in ``memory://``) correct; threads cover the I/O waits.
* Reload = gunicorn's own SIGHUP: the master starts fresh workers and stops the old ones
  gracefully (they finish their requests), and each fresh worker re-reads the registry file
  through the whole trust chain in ``post_worker_init`` before it takes a request (a refused
  file: the newest accepted registry keeps serving, and ``/readyz`` shows why).
  ``verifier registry reload`` sends that SIGHUP to the pid in ``--pidfile``. Polling
  (``VERIFIER_REGISTRY_POLL_SECONDS``) runs in a thread of each worker.
* SIGTERM / SIGINT: graceful; the workers stop accepting, finish in-flight requests for up
  to ``graceful_timeout`` seconds, and the master exits 0.
* Logs: gunicorn's error and access logs and the service's events on stderr, as text or as
  JSON lines (``VERIFIER_LOG_FORMAT=json``, see ``verifier/serving/logs.py``).
* Errors gunicorn answers itself, before the app sees a request (a request line over
  ``limit_request_line``: 414; headers over their limits: 431; a malformed request line or
  header: 400), are problem+json like every other error (:class:`ProblemWorker`), not
  gunicorn's HTML page. gunicorn's limits stay as they are: they bound what a worker reads
  into memory before any of our code runs.
* Memory comes back after big pages: each worker has glibc serve blocks of 256 KiB and more
  from their own mappings (:func:`return_big_blocks`), so a deep check's 2 MiB page, its text
  and its parse tree go back to the system when freed instead of staying in a thread's arena.
"""

from __future__ import annotations

import ctypes
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from verifier.config import Settings

#: Seconds SIGTERM gives in-flight requests (a deep check's fetch has a deadline of at most
#: 15 s, VERIFIER_FETCH_DEADLINE_SECONDS, so a graceful stop never cuts one).
GRACEFUL_TIMEOUT = 20
#: A request stuck longer than this gets its worker restarted.
WORKER_TIMEOUT = 30


#: glibc's mallopt parameter for the size from which blocks get their own mapping.
M_MMAP_THRESHOLD = -3
BIG_BLOCK = 256 * 1024


def return_big_blocks() -> bool:
    """Have glibc give every block of ``BIG_BLOCK`` or more its own mapping, returned to the
    system when freed; False where there is no glibc ``mallopt`` (nothing changes there).

    By default glibc raises that threshold after the first big block is freed (up to 32 MiB),
    and from then on a 2 MiB page, its decoded text and Lexbor's tree are carved out of the
    per-thread arenas, whose freed memory the process keeps: five rounds of eight deep checks
    of 2 MiB pages grew a worker by 147 MB that it kept (``make bench``); with a fixed
    threshold by about 55 MB, level after a few rounds (64 readings: +61 MB). The cost is one
    mmap/munmap per big block, a few per deep check."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, BIG_BLOCK))


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


# What gunicorn's own refusals say, in both languages: the request was not read, so neither
# its Accept-Language nor its lang is known. {error}: gunicorn's words; {limit}: its line limit.
GUNICORN_DETAILS = {
    400: ("the request is not well-formed HTTP ({error}); nothing was checked",
          "请求不是格式正确的 HTTP，未做任何查询"),
    414: ("the request line (method, path and query string) is longer than the {limit} bytes this service reads; "
          "send long input in a POST body (POST /api/v1/check or /api/v1/scan with JSON, or the web page's form)",
          "请求行（方法、路径和查询字符串）超过本服务读取的 {limit} 字节；较长的内容请用 POST 提交"
          "（JSON 接口 POST /api/v1/check 或 /api/v1/scan，或网页表单）"),
    431: ("the request's headers are larger than this service reads ({error}); send fewer or shorter headers",
          "请求头超过本服务读取的大小；请减少或缩短请求头"),
}
GUNICORN_CODES = {403: "forbidden", 417: "expectation_failed", 500: "internal_error", 501: "not_implemented"}


def gunicorn_problem(status: int, reason: str, error: str, *, limit: int) -> bytes:
    """The whole HTTP answer (status line, headers, problem+json body) for one of gunicorn's
    own refusals; the same shape as :func:`verifier.web.problems.problem`."""
    from verifier.web.problems import HTTP_CODES, MEDIA_TYPE, PROBLEM_TYPE

    code = HTTP_CODES.get(status) or GUNICORN_CODES.get(status, "http_error")
    en, zh = GUNICORN_DETAILS.get(status, ("{error}", "请求无法处理"))
    detail = f"{en.format(error=error[:200], limit=limit)} ({zh.format(limit=limit)})"
    body = json.dumps({
        "type": PROBLEM_TYPE.format(code=code), "title": code.replace("_", " ").capitalize(), "status": status,
        "detail": detail, "code": code,
        "instance": "",  # the request line was not (fully) read: there is no path to name
    }, ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {MEDIA_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n"
            "Access-Control-Allow-Origin: *\r\n\r\n")
    return head.encode("latin-1") + body


class _ProblemSocket:
    """The client socket as gunicorn's ``handle_error`` sees it: the error page it writes is
    replaced by :func:`gunicorn_problem` of the same status. gunicorn keeps deciding the status,
    logging and the access line, so a newer gunicorn's errors are covered without a table here."""

    def __init__(self, sock: Any, exc: BaseException, limit: int) -> None:
        self._sock, self._exc, self._limit = sock, exc, limit

    def sendall(self, data: bytes) -> None:
        status_line = data.split(b"\r\n", 1)[0].decode("latin-1")  # "HTTP/1.1 414 URI Too Long"
        parts = status_line.split(" ", 2)
        try:
            status, reason = int(parts[1]), parts[2] if len(parts) > 2 else ""
        except (IndexError, ValueError):
            self._sock.sendall(data)  # not the shape we know: gunicorn's own bytes, unchanged
            return
        self._sock.sendall(gunicorn_problem(status, reason, str(self._exc), limit=self._limit))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class ProblemWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker, answering its own refusals in problem+json."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _ProblemSocket(client, exc, self.cfg.limit_request_line), addr, exc)


def default_pidfile(settings: Settings) -> Path:
    return settings.data_dir / "verifier.pid"


def gunicorn_options(
    settings: Settings, app: Any, *, host: str, port: int, workers: int, threads: int, pidfile: Path | None
) -> dict[str, Any]:
    from verifier.web import MAX_REQUEST_LINE

    reloader = app.extensions["verifier_reloader"]

    def post_worker_init(worker: Any) -> None:
        return_big_blocks()
        reloader.worker_started()
        reloader.start_polling()

    def worker_exit(server: Any, worker: Any) -> None:
        reloader.stop_polling()

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "verifier.web.server.ProblemWorker",  # gthread, with problem+json refusals
        "limit_request_line": MAX_REQUEST_LINE,
        "preload_app": True,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": WORKER_TIMEOUT,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
        "proc_name": "verifier",
        # gunicorn's control socket (a shared path under $HOME): not needed, reloads go by SIGHUP.
        "control_socket_disable": True,
    }
    if pidfile is not None:
        options["pidfile"] = str(pidfile)
    from verifier.serving.logs import logger_class

    # Text or JSON, never a query string, Referer or client address (verifier/serving/logs.py).
    options["logger_class"] = logger_class(settings.log_format, settings.log_client_ip)
    return options


def _log_serving(app: Any, settings: Settings, host: str, port: int) -> None:
    """One ``serving`` event at start: what this node serves and where its state lives (URLs
    with their passwords masked), so a log alone tells which configuration was running."""
    import logging

    from verifier.serving.logs import log_event
    from verifier.state.pgstore import masked
    from verifier.serving.runtime import deep_slots

    verified = app.extensions["verifier"].verified
    log_event(
        logging.INFO, "serving", address=f"{host}:{port}", workers=settings.workers, threads=settings.threads,
        registry_serial=verified.registry.serial, key_id=verified.key_id,
        state=str(settings.database_path),
        shared_database=masked(settings.database_url) if settings.database_url else "this node's SQLite",
        ratelimit_storage=masked(settings.ratelimit_storage),
        check_log=settings.check_log,
        # Page reads at once: below the thread count, so checks never wait behind them.
        deep_slots=deep_slots(settings), fetch_deadline_seconds=settings.fetch_deadline_seconds,
    )


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int | None = None,
    threads: int | None = None,
    pidfile: Path | str | None = None,
) -> int:
    from verifier.serving import logs
    from verifier.web import create_app

    logs.configure(settings.log_format)
    # --workers/--threads win over VERIFIER_WORKERS/THREADS; the app sees the final numbers
    # (rate limits in memory:// are refused with more than one worker).
    settings = replace(settings, workers=workers or settings.workers, threads=threads or settings.threads)
    from verifier.web.limits import check_storage

    check_storage(settings.workers, settings.ratelimit_storage)
    app = create_app({"SETTINGS": settings})
    pid_path = Path(pidfile) if pidfile else default_pidfile(settings)
    _log_serving(app, settings, host, port)
    options = gunicorn_options(
        settings, app, host=host, port=port, workers=settings.workers, threads=settings.threads, pidfile=pid_path,
    )
    _Gunicorn(app, options).run()
    return 0
