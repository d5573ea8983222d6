"""Links and bare domains: the host is the one a browser visits (WHATWG, via ada).

``urllib.parse`` is consulted for one thing only: when its idea of the host differs from the
browser's, that disagreement is itself the evidence of a crafted link (``parser_disagreement``,
SECURITY.md #1). Every host decision uses ada's answer.

Schemes are a table: http/https are links, ``mailto:`` an e-mail, ``tel:`` a phone,
``tg://resolve`` a Telegram account; any other scheme (``javascript:``, ``data:``, ``file:``…)
is reported as ``unsupported_scheme`` and never parsed further.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Callable

import ada_url

from verifier import platforms
from verifier.errors import InvalidInputError
from verifier.hostnames import MAX_URL, normalize_host
from verifier.inputs import emailaddr, handle, phone
from verifier.model import Host, Item, Observation
from verifier.platforms import Platform

SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{0,31}):(?P<rest>.*)", re.DOTALL)
_PORT_AFTER = re.compile(r"[0-9]+(?:[/\\?#]|$)")
# WHATWG: for http(s), the authority ends at the first of these ("\" counts as "/").
_AUTHORITY_END = re.compile(r"[/\\?#]")


def has_scheme(text: str) -> bool:
    """A scheme this module should handle — not ``host:port`` (``tokenpocket.pro:8443/x``)."""
    match = SCHEME.match(text)
    if match is None:
        return False
    scheme = match.group("scheme").lower()
    if scheme in SCHEMES:
        return True
    return "." not in scheme and not _PORT_AFTER.match(match.group("rest"))


def looks_schemeless(text: str) -> bool:
    """``tokenpocket.pro/download``, ``t.me/x``, ``host:8443``, ``//host/x``: a link without a scheme."""
    if text.startswith("//"):
        return True
    if text.startswith(("/", "@")):
        return False
    head = _AUTHORITY_END.split(text, 1)
    if len(head) == 1:
        # No path: only "host:port" makes it a link rather than a domain.
        return bool(re.fullmatch(r"[^:@\s]+:[0-9]{1,5}", text)) or bool(re.fullmatch(r"\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}", text))
    authority = head[0]
    return bool(authority) and ("." in authority or ":" in authority or authority.startswith("["))


def _raw_authority(rest: str) -> tuple[str | None, str]:
    """``(userinfo or None, host)`` as written, split the WHATWG way for special schemes."""
    rest = rest.lstrip("/\\")
    authority = _AUTHORITY_END.split(rest, 1)[0]
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        host = hostport[: hostport.find("]") + 1] if "]" in hostport else hostport
    else:
        host = hostport.split(":", 1)[0]
    return (userinfo if at else None), host


# A link whose authority is a plain ASCII host (no userinfo, backslash, percent, whitespace or
# brackets anywhere) is read identically by urllib and by a browser: skip the second parse.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^\\\s]*)?\Z")


def _urllib_host(text: str) -> str | None:
    """What ``urllib.parse.urlsplit`` thinks the host is (for comparison only)."""
    try:
        return urllib.parse.urlsplit(text).hostname
    except ValueError:
        return "<error>"


def _same_host(other: str | None, host: Host) -> bool:
    if other is None:
        return False
    try:
        mapped, _ = normalize_host(other)
    except InvalidInputError:
        return other.lower() == host.ascii
    return mapped.ascii == host.ascii


# Only what we read: ada builds a Python string per attribute asked for.
_ADA_FIELDS = ("href", "hostname", "port", "pathname", "search")


def _web(text: str, scheme: str | None, rest: str, platform: Platform | None) -> Item:
    """An http(s) link (``scheme`` None: typed without one, parsed as http)."""
    if len(text) > MAX_URL:
        raise InvalidInputError(
            f"a link of {len(text)} characters; expected at most {MAX_URL}", code="input_too_long"
        )
    full = text if scheme is not None else ("http:" + text if text.startswith("//") else "http://" + text)
    observations: list[Observation] = []
    if "\\" in full:
        observations.append(Observation("backslash_in_url", text))
    userinfo, raw_host = _raw_authority(rest if scheme is not None else full[5:])
    if not raw_host:
        raise InvalidInputError(f"{text[:120]!r} has no host; expected a link such as https://tokenpocket.pro/", code="invalid_host")
    # Our own DNS caps run before ada sees the host (SECURITY.md #5).
    host, host_observations = normalize_host(raw_host)
    try:
        parsed = ada_url.parse_url(full, attributes=_ADA_FIELDS)
    except (ValueError, UnicodeError):
        raise InvalidInputError(
            f"{text[:120]!r} is not a valid link; expected a link such as https://tokenpocket.pro/", code="invalid_url"
        ) from None
    browser_host = parsed["hostname"].strip("[]")
    if browser_host.rstrip(".") != host.ascii:
        # Our split of the raw text and the browser's differ: trust the browser, say so.
        observations.append(Observation("parser_disagreement", f"browser: {browser_host}; raw text: {raw_host}"))
        host, host_observations = normalize_host(browser_host)
    if userinfo is not None:
        observations.append(Observation("userinfo_present", userinfo))
    if scheme == "http":
        observations.append(Observation("insecure_scheme", "http"))
    if parsed["port"]:
        observations.append(Observation("nondefault_port", parsed["port"]))
    other = host.ascii if _PLAIN_URL.match(full) else _urllib_host(full)
    if not _same_host(other, host):
        observations.append(Observation("parser_disagreement", f"browser: {host.ascii}; urllib: {other or 'no host'}"))
    observations.extend(host_observations)
    item = Item(
        raw=text,
        kind="url",
        normalized=host.ascii,
        key=host.ascii,
        host=host,
        url=parsed["href"],
        scheme=scheme,
        path=parsed["pathname"],
        observations=tuple(observations),
    )
    return _as_handle(item, parsed["search"], platform)


def _as_handle(item: Item, search: str, platform: Platform | None) -> Item:
    """A link to an account on a platform becomes that handle (the URL is kept)."""
    assert item.host is not None
    serving = None if item.host.is_ip else platforms.platform_for_host(item.host.ascii)
    extra: tuple[Observation, ...] = ()
    if platform is not None and serving is not None and serving.key != platform.key:
        extra = (Observation("platform_mismatch", f"expected {platform.key}, got {serving.key}"),)
    value = platforms.handle_from_url(serving, item.host.ascii, item.path, search) if serving else None
    if serving is None or value is None:
        return item.evolve(observations=item.observations + extra) if extra else item
    return item.evolve(
        kind="handle",
        platform=serving.key,
        normalized=value,
        key=platforms.handle_key(serving.key, value),
        observations=item.observations + extra + (Observation("platform_from_url", serving.key),),
    )


# RFC 6068: these header fields of a mailto: query add recipients ("to" may repeat the path's).
_RECIPIENT_FIELDS = frozenset({"to", "cc", "bcc"})


def _mailto(text: str, scheme: str, rest: str, platform: Platform | None) -> Item:
    path, _, query = rest.partition("?")
    # The path may list several addresses, comma-separated (percent-encoded commas too).
    addresses = [a.strip() for a in urllib.parse.unquote(path).split(",") if a.strip()]
    extra = addresses[1:]
    for field, value in urllib.parse.parse_qsl(query.partition("#")[0], keep_blank_values=True):
        if field.strip().lower() in _RECIPIENT_FIELDS:
            extra += [a.strip() for a in value.split(",") if a.strip()]
    if not addresses:
        if not extra:
            raise InvalidInputError(f"{text[:120]!r} names no address; {emailaddr.EXPECTED}", code="invalid_email")
        addresses, extra = extra[:1], extra[1:]
    item = emailaddr.parse(addresses[0])
    others = [a for a in dict.fromkeys(a.lower() for a in extra) if a != item.normalized]
    observed = (Observation("mail_extra_recipients", ", ".join(others)[:300]),) if others else ()
    return item.evolve(raw=text, scheme=scheme, url=text, observations=item.observations + observed)


def _tel(text: str, scheme: str, rest: str, platform: Platform | None) -> Item:
    number = urllib.parse.unquote(rest.split(";", 1)[0])
    if not phone.looks_like(number):
        raise InvalidInputError(f"{text[:120]!r}: expected tel: followed by a phone number", code="invalid_phone")
    return phone.parse(number).evolve(raw=text, scheme=scheme)


# tg://resolve?domain=NAME and tg://join?invite=HASH: (action, query parameter, namespace).
_TG_ACTIONS = {"resolve": ("domain", ""), "join": ("invite", "+")}


def _tg(text: str, scheme: str, rest: str, platform: Platform | None) -> Item:
    try:
        parsed = ada_url.parse_url(text)
    except (ValueError, UnicodeError):
        return _unsupported(text, scheme, rest, platform)
    action = _TG_ACTIONS.get(parsed["hostname"].lower())
    if action is None:
        return _unsupported(text, scheme, rest, platform)
    param, prefix = action
    try:
        values = ada_url.parse_search_params(parsed["search"]).get(param) if parsed["search"] else None
    except (ValueError, UnicodeError):  # "%ff": percent-encoded bytes that are not UTF-8
        return _unsupported(text, scheme, rest, platform)
    telegram = platforms.get_platform("telegram")
    assert telegram is not None
    item = handle.on_platform(telegram, prefix + (values[0] if values else ""), text)
    return item.evolve(url=text, scheme=scheme, observations=(Observation("platform_from_url", "telegram"),))


def _unsupported(text: str, scheme: str, rest: str, platform: Platform | None) -> Item:
    """``javascript:``, ``data:``, ``file:``…: reported, never followed."""
    return Item(
        raw=text,
        kind="url",
        normalized=scheme + ":",
        key=scheme + ":",
        scheme=scheme,
        observations=(Observation("unsupported_scheme", scheme),),
    )


def _web_scheme(text: str, scheme: str, rest: str, platform: Platform | None) -> Item:
    return _web(text, scheme, rest, platform)


SCHEMES: dict[str, Callable[[str, str, str, Platform | None], Item]] = {
    "http": _web_scheme,
    "https": _web_scheme,
    "mailto": _mailto,
    "tel": _tel,
    "tg": _tg,
}


def parse(text: str, platform: Platform | None = None) -> Item:
    """A link with a scheme. ``platform`` (the caller's) only adds ``platform_mismatch``."""
    match = SCHEME.match(text)
    if match is None:
        return parse_schemeless(text, platform)
    scheme = match.group("scheme").lower()
    return SCHEMES.get(scheme, _unsupported)(text, scheme, match.group("rest"), platform)


def parse_schemeless(text: str, platform: Platform | None = None) -> Item:
    """``tokenpocket.pro/download``: parsed as the browser would after adding ``http://``."""
    return _web(text, None, text, platform)


def parse_domain(text: str) -> Item:
    """A bare host name: ``kind="domain"``, normalized to its ASCII form (or the handle an
    account host such as ``tokenpocket-gm.medium.com`` names)."""
    host, observations = normalize_host(text)
    item = Item(raw=text, kind="domain", normalized=host.ascii, key=host.ascii, host=host, observations=observations)
    # "tokenpocket-gm.medium.com", "name.t.me": the host alone names an account.
    return _as_handle(item, "", None)
