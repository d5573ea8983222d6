"""The origin this service names itself by, for the bookmarklet and any absolute link.

The Host header is the client's to write. A bookmarklet built from it reports to whatever host
the request named (``Host: evil.example`` gave a bookmarklet that opens evil.example), and a
cache in front could keep that page for everyone. So the origin is, in order:

* ``VERIFIER_PUBLIC_URL`` when it is set: always that origin, whatever the request says;
* otherwise the request's own origin, but only when its host is one of
  ``VERIFIER_ALLOWED_HOSTS`` (default the loopback names, so ``make run`` works on
  http://127.0.0.1:8000/);
* otherwise none: the caller refuses (the bookmarklet page answers 421 in zh/en) rather than
  guess. A relative link is no fallback: a bookmarklet runs on another site's page, where a
  relative address would point at that site.
"""

from __future__ import annotations

import re
from typing import Iterable

from flask import Request

from verifier.config import Settings
from verifier.web import bookmarklet

# A Host header (or an allow-list entry): a name or a bracketed IPv6 literal, and a port.
_HOST = re.compile(r"(?P<name>[a-z0-9.\-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)


def _split(host: str) -> tuple[str, str | None] | None:
    """``(name, port)`` of a Host value, lower-cased and without brackets; None if malformed."""
    found = _HOST.fullmatch(host)
    if found is None:
        return None
    return found["name"].lower().strip("[]").rstrip("."), found["port"]


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Whether the Host value ``host`` is in the allow-list. An entry without a port allows any
    port of that name (``localhost``); with one (``checker.example:8443``) only that port.
    A bare IPv6 entry (``::1``) is read as a name, not as name and port."""
    given = _split(host)
    if given is None:
        return False
    name, port = given
    for entry in allowed:
        entry = entry.strip().lower()
        wanted = (entry, None) if entry.count(":") > 1 and not entry.startswith("[") else _split(entry)
        if wanted is not None and wanted[0] == name and wanted[1] in (None, port):
            return True
    return False


def public_origin(settings: Settings, request: Request) -> str | None:
    """The origin to put in the bookmarklet and absolute links, or None (refuse: see above)."""
    if settings.public_url:
        return settings.public_url
    if not host_allowed(request.host, settings.allowed_hosts):
        return None
    try:
        return bookmarklet.origin_of(request.host_url)
    except ValueError:
        return None
