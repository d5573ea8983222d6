"""What request handlers read from the app: the verified registry + Verifier, and the settings."""

from __future__ import annotations

from flask import current_app

from verifier.config import Settings
from verifier.serving.runtime import Loaded


def loaded() -> Loaded:
    """The registry the app verified at start-up, with its Verifier."""
    return current_app.extensions["verifier"]


def settings() -> Settings:
    return current_app.extensions["verifier_settings"]
