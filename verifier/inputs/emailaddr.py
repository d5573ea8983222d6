"""E-mail addresses, with or without a display name, by a small strict grammar of our own.

Not ``email.utils.parseaddr``: on this Python it returns the *display name's* address for
``service@tokenpocket.pro <scam@evil.example>`` (CVE-2023-27043, SECURITY.md #6). Here the
address is always the one in angle brackets — where a mail client sends the reply — and an
address or domain inside the display name is reported (``display_name_address``), because
showing the official address as a *name* is the trick.
"""

from __future__ import annotations

import re
import unicodedata

from verifier.errors import InvalidInputError
from verifier.hostnames import normalize_host
from verifier.model import Item, Observation

# RFC 5322 dot-atom local part, plus non-ASCII letters (RFC 6531), reported when present.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010FFFF]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_ADDRESS = re.compile(r"(?P<local>[^@\s]+)@(?P<domain>[^@\s<>]+)")
_QUOTED = re.compile(r'"(?P<body>(?:[^"\\]|\\.)*)"')
_ANGLE = re.compile(r"(?P<name>[^<>]*?)\s*<\s*(?P<addr>[^<>]*?)\s*>")
_UNESCAPE = re.compile(r"\\(.)")
# A quoted local part: '"anything, even @"@domain' (RFC 5322 quoted-string, then one "@").
_QUOTED_LOCAL = re.compile(r'"(?P<body>(?:[^"\\]|\\.)*)"@(?P<domain>[^@\s<>"]+)')
_MAX_LOCAL = 64
_MAX_ADDRESS = 254
# Evidence of an address in a display name: an address, or else a domain name.
_NAME_ADDRESS = re.compile(r"[^\s<>\"'@,;:()]+@[^\s<>\"'@,;:()]+\.[^\s<>\"'@,;:()]+")
# ASCII boundaries only: "tokenpocket.pro客服" still names the domain.
_NAME_DOMAIN = re.compile(r"(?<![A-Za-z0-9.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])")

EXPECTED = "expected one email address such as service@tokenpocket.pro or 'Name <service@tokenpocket.pro>'"


def _invalid(text: str, why: str) -> InvalidInputError:
    return InvalidInputError(f"{text[:120]!r} is not a valid email address ({why}); {EXPECTED}", code="invalid_email")


def looks_like(text: str) -> bool:
    """An ``@`` that is not a leading handle ``@``, and no URL path characters outside brackets."""
    if "@" not in text or text.startswith("@"):
        return False
    if "<" in text or '"' in text:
        return True
    return not any(c in text for c in "/\\?#")


def _display_name(text: str, raw_name: str) -> str:
    name = raw_name.strip()
    if not name:
        return ""
    quoted = _QUOTED.fullmatch(name)
    if quoted:
        return _UNESCAPE.sub(r"\1", quoted.group("body"))
    if '"' in name:
        raise _invalid(text, "unbalanced quotes in the display name")
    if "," in name or ";" in name:
        # An unquoted list separator: this is more than one address or a malformed one.
        raise _invalid(text, "the display name holds a list separator; give one address")
    return name


def _name_address(name: str) -> str | None:
    """An address or domain written inside a display name (fullwidth forms folded first)."""
    folded = unicodedata.normalize("NFKC", name)
    found = _NAME_ADDRESS.search(folded) or _NAME_DOMAIN.search(folded)
    return found.group().strip(".") if found else None


def parse(text: str) -> Item:
    """An e-mail address as an :class:`Item` (``kind="email"``).

    Accepted: ``a@b.c``, ``<a@b.c>``, ``Name <a@b.c>``, ``"Quoted, Name" <a@b.c>``, and a
    quoted local part ``"x@y"@b.c`` (reported). Refused (``invalid_email``): two addresses,
    unbalanced brackets or quotes.
    ``normalized`` is ``local.lower()@host.ascii``.
    """
    if len(text) > 1024:
        raise _invalid(text, f"{len(text)} characters")
    observations: list[Observation] = []
    display_name: str | None = None
    if "<" in text or ">" in text:
        if text.count("<") != 1 or text.count(">") != 1:
            raise _invalid(text, "more than one address or unbalanced angle brackets")
        angle = _ANGLE.fullmatch(text)
        if angle is None:
            raise _invalid(text, "text after the closing '>'")
        address = angle.group("addr")
        display_name = _display_name(text, angle.group("name")) or None
    else:
        address = text
    if display_name:
        observations.append(Observation("display_name", display_name))
        claimed = _name_address(display_name)
        if claimed:
            observations.append(Observation("display_name_address", claimed))
    quoted = _QUOTED_LOCAL.fullmatch(address)
    if quoted is not None:
        # RFC 5322 allows a quoted local part: '"service@tokenpocket.pro"@evil.example' is a
        # mailbox at evil.example whose *name* is an official address. Valid, and the trick.
        body = _UNESCAPE.sub(r"\1", quoted.group("body"))
        requoted = body.replace("\\", "\\\\").replace('"', '\\"')
        local, domain = f'"{requoted}"', quoted.group("domain")
        if not body or len(body) > _MAX_LOCAL or len(address) > _MAX_ADDRESS or any(ord(c) < 0x20 for c in body):
            raise _invalid(text, "the quoted part before '@' is empty, too long or holds control characters")
        observations.append(Observation("quoted_local_part", body))
        claimed = _name_address(body)
        if claimed:
            observations.append(Observation("local_part_address", claimed))
    else:
        if address.count("@") != 1:
            why = "no '@'" if "@" not in address else "more than one '@' (two addresses?)"
            raise _invalid(text, why)
        match = _ADDRESS.fullmatch(address)
        if match is None:
            raise _invalid(text, "spaces or brackets inside the address")
        local, domain = match.group("local"), match.group("domain")
        if local.startswith('"'):
            raise _invalid(text, "unbalanced quotes before '@'")
        if len(local) > _MAX_LOCAL or len(address) > _MAX_ADDRESS or not _LOCAL.fullmatch(local):
            raise _invalid(text, "the part before '@' is not a valid mailbox name")
    if any(c in domain for c in ",;:()[]"):
        raise _invalid(text, "the domain holds a list separator or a bracket")
    host, host_observations = normalize_host(domain)
    if not local.isascii():
        observations.append(Observation("non_ascii_local_part", local))
    if "+" in local:
        observations.append(Observation("subaddress", local.split("+", 1)[1]))
    observations.extend(host_observations)
    normalized = f"{local.lower()}@{host.ascii}"
    return Item(
        raw=text,
        kind="email",
        normalized=normalized,
        key=normalized,
        host=host,
        local_part=local,
        display_name=display_name,
        observations=tuple(observations),
    )
