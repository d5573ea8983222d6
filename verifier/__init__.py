"""Official-channel verifier for TokenPocket: is this link, address or handle real?

Library first: ``Verifier(registry).check(text)`` or the module-level :func:`check_text`
(bound to the configured registry, verified through the whole trust chain once per process);
the CLI, the JSON API and the web pages are thin callers of the same pipeline
(``verifier/check.py``: that module owns the name ``verifier.check``, so the shortcut is
``check_text``)::

    >>> import verifier
    >>> verifier.check_text("tokenpocket.pro").verdict
    'official'
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from verifier.check import Verifier
    from verifier.model import Result

__version__ = "0.1.0"
__all__ = ["check_text", "__version__"]

_default: "Verifier | None" = None
_lock = threading.Lock()


def check_text(text: str, *, platform: str | None = None) -> "Result":
    """Check one input against the configured registry (``VERIFIER_REGISTRY``, else the shipped
    one), exactly as ``verifier check`` does: signature, schema, expiry and rollback floor are
    checked on the first call. Raises ``InvalidInputError`` for input that cannot be checked
    and ``RegistryError`` when the registry is refused."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                from verifier.config import Settings
                from verifier.serving.runtime import open_verifier

                _default = open_verifier(Settings.from_env()).verifier
    return _default.check(text, platform=platform)
