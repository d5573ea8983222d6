"""``verifier serve``: gunicorn (a production WSGI server) running ``create_app()``.

* The app is built once in the master before forking (``preload_app``), so a registry that
  fails verification stops the command with its refusal code instead of crash-looping
  workers. A file refused at start while the state holds an accepted registry falls back to
  those bytes (re-verified; see ``verifier/reload.py``).
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
  JSON lines (``VERIFIER_LOG_FORMAT=json``, see ``verifier/logs.py``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from verifier.config import Settings

#: Seconds SIGTERM gives in-flight requests (the deep check's fetch is capped at 10 s).
GRACEFUL_TIMEOUT = 20
#: A request stuck longer than this gets its worker restarted.
WORKER_TIMEOUT = 30


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


def default_pidfile(settings: Settings) -> Path:
    return settings.data_dir / "verifier.pid"


def gunicorn_options(
    settings: Settings, app: Any, *, host: str, port: int, workers: int, threads: int, pidfile: Path | None
) -> dict[str, Any]:
    reloader = app.extensions["verifier_reloader"]

    def post_worker_init(worker: Any) -> None:
        reloader.worker_started()
        reloader.start_polling()

    def worker_exit(server: Any, worker: Any) -> None:
        reloader.stop_polling()

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
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
    if settings.log_format == "json":
        options["logger_class"] = "verifier.logs.JsonLogger"
    return options


def _log_serving(app: Any, settings: Settings, host: str, port: int) -> None:
    """One ``serving`` event at start: what this node serves and where its state lives (URLs
    with their passwords masked), so a log alone tells which configuration was running."""
    import logging

    from verifier.logs import log_event
    from verifier.pgstore import masked

    verified = app.extensions["verifier"].verified
    log_event(
        logging.INFO, "serving", address=f"{host}:{port}", workers=settings.workers, threads=settings.threads,
        registry_serial=verified.registry.serial, key_id=verified.key_id,
        state=str(settings.database_path),
        shared_database=masked(settings.database_url) if settings.database_url else "this node's SQLite",
        ratelimit_storage=masked(settings.ratelimit_storage),
        check_log=settings.check_log,
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
    from verifier import logs
    from verifier.web import create_app

    logs.configure(settings.log_format)
    # --workers/--threads win over VERIFIER_WORKERS/THREADS; the app sees the final numbers
    # (rate limits in memory:// are refused with more than one worker).
    settings = replace(settings, workers=workers or settings.workers, threads=threads or settings.threads)
    from verifier.limits import check_storage

    check_storage(settings.workers, settings.ratelimit_storage)
    app = create_app({"SETTINGS": settings})
    pid_path = Path(pidfile) if pidfile else default_pidfile(settings)
    _log_serving(app, settings, host, port)
    options = gunicorn_options(
        settings, app, host=host, port=port, workers=settings.workers, threads=settings.threads, pidfile=pid_path,
    )
    _Gunicorn(app, options).run()
    return 0
