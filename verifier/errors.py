"""The one error family of the verifier.

Every failure a caller can meet is a :class:`VerifierError`. Each class carries a stable
``code`` (documented, used in logs, CLI errors and problem+json ``type``s) and the HTTP
``status`` a presenter should answer with, so no presenter needs its own mapping.
"""

from __future__ import annotations


class VerifierError(Exception):
    """Base class: something the verifier refused or could not do."""

    code = "verifier_error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The facts in the message (an echoed input, a length): verifier/error_text.py says
        # them in the person's language.
        self.params = params or {}
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidInputError(VerifierError, ValueError):
    """The input cannot be checked (empty, too long, not any kind we know).

    Also a ``ValueError``, so plain Python callers can catch it the usual way.
    """

    code = "invalid_input"
    status = 422


class RegistryError(VerifierError):
    """The registry (or a candidate for it) was refused.

    ``code`` is one of the stable refusal codes of SIGNING.md; the message names the file
    and, where known, the key id.
    """

    code = "registry_error"
    status = 503

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: str | None = None,
        key_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.path = path
        self.key_id = key_id


class RegistrySignatureError(RegistryError):
    """Signature file unreadable, legacy, by an unknown key, or not matching."""

    code = "bad_signature"


class RegistryFormatError(RegistryError):
    """Verified bytes that are not a valid schema-1 registry (or have bad dates)."""

    code = "bad_field"


class RegistryRollbackError(RegistryError):
    """A serial lower than one already accepted, or the same serial with other bytes."""

    code = "rollback"


class StateError(VerifierError):
    """The state cannot be read or written: the node's SQLite file under VERIFIER_DATA_DIR, or
    the shared PostgreSQL database of VERIFIER_DATABASE_URL."""

    code = "state_unavailable"
    status = 503


class FetchError(VerifierError):
    """Fetching a page (or a published registry) failed; subclasses say why."""

    code = "fetch_failed"
    status = 502
