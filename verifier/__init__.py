"""Official-channel verifier for TokenPocket: is this link, address or handle real?

Library first: ``Verifier(registry).check(text)`` or the module-level ``check(text)``
(bound to the shipped, verified registry); the CLI, the JSON API and the web pages are
thin callers of the same pipeline (``verifier/check.py``).
"""

__version__ = "0.1.0"
