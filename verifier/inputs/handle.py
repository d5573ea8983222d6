"""Handles: ``@name``, ``platform:name`` (any alias, ``：`` too), and bare names.

A handle without a platform is kept without one (``no_platform``): ``TokenPocket_TP`` is
official on X only, and the later stages must not guess the platform for the user.
"""

from __future__ import annotations

import re

from verifier import platforms
from verifier.errors import InvalidInputError
from verifier.model import Item, Observation
from verifier.platforms import Platform

# "telegram:tokenpocket_en", "x: @TokenPocket_TP", "微信：tp_wx" — but not "tg://…" (a URL).
_PREFIXED = re.compile(r"(?P<alias>[^\s:：]{1,20})\s*[:：]\s*(?!//)(?P<value>\S(?:.*\S)?)", re.DOTALL)
# Any platform's name syntax, for names given without a platform.
GENERIC = re.compile(r"[A-Za-z0-9_.\-]{3,64}")
AT_GENERIC = re.compile(r"@[A-Za-z0-9_.\-]{1,64}")


def split_prefixed(text: str) -> tuple[Platform, str] | None:
    """``(platform, value)`` for ``alias:value`` where alias names a platform, else None."""
    match = _PREFIXED.fullmatch(text)
    if match is None:
        return None
    platform = platforms.get_platform(match.group("alias"))
    return (platform, match.group("value")) if platform else None


def _invalid(platform: Platform, value: str) -> InvalidInputError:
    return InvalidInputError(
        f"{value[:80]!r} is not a valid {platform.name} account; expected {platform.example or 'a name'}",
        code="invalid_handle",
    )


def on_platform(platform: Platform, value: str, raw: str | None = None) -> Item:
    """A typed name on a known platform (``@`` optional), validated by the platform's syntax."""
    canonical = platforms.canonical_handle(platform, value)
    if canonical is None:
        raise _invalid(platform, value)
    return Item(
        raw=raw if raw is not None else value,
        kind="handle",
        normalized=canonical,
        key=platforms.handle_key(platform.key, canonical),
        platform=platform.key,
    )


def parse_prefixed(text: str, platform: Platform | None = None) -> Item:
    """``platform:value``; the value may also be a profile link (``telegram: https://t.me/x``)."""
    found = split_prefixed(text)
    if found is None:
        raise InvalidInputError(f"{text[:80]!r}: expected platform:name such as telegram:tokenpocket_en", code="invalid_handle")
    named, value = found
    if ("/" in value and "." in value.split("/", 1)[0]) or value.lower().startswith(("http:", "https:")):
        from verifier.inputs import url  # here: url imports this module

        return url.parse(value, named)
    item = on_platform(named, value, text)
    if platform is not None and platform.key != named.key:
        return _with(item, Observation("platform_mismatch", f"expected {platform.key}, got {named.key}"))
    return item


def parse_at(text: str, platform: Platform | None = None) -> Item:
    """``@name``: on the caller's platform if one was given, else with no platform."""
    if platform is not None:
        return on_platform(platform, text)
    return bare(text[1:], text)


def bare(name: str, raw: str | None = None) -> Item:
    """A name with no platform: the key is lower case (the common rule), ``no_platform`` noted."""
    if not (GENERIC.fullmatch(name) or AT_GENERIC.fullmatch("@" + name)):
        raise InvalidInputError(
            f"{name[:80]!r} is not a valid account name; expected letters, digits, '_', '.' or '-'",
            code="invalid_handle",
        )
    return Item(
        raw=raw if raw is not None else name,
        kind="handle",
        normalized=name,
        key=platforms.handle_key(None, name),
        observations=(Observation("no_platform"),),
    )


def _with(item: Item, *observations: Observation) -> Item:
    return item.evolve(observations=item.observations + observations)
