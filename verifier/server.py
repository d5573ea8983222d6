"""``verifier serve``: gunicorn (a production WSGI server) running ``create_app()``.

The app is built once in the master before forking (``preload_app``), so a registry that
fails verification stops the command with its refusal code instead of crash-looping workers.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from verifier.config import Settings


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


def serve(settings: Settings, *, host: str, port: int, workers: int = 1, threads: int = 8) -> int:
    from verifier.web import create_app

    app = create_app({"SETTINGS": settings})
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": True,
        "graceful_timeout": 20,
        "timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }
    _Gunicorn(app, options).run()
    return 0
