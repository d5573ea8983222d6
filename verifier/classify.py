"""Text → :class:`Item`: decide what kind of thing was pasted, then hand it to that parser.

The decision is one ordered table of rows (recogniser, parser); the first row whose recogniser
accepts the text parses it, and a parser's refusal is final (its message says what was
expected). Before the table: length cap, lone surrogates, hidden/bidi characters (removed for
parsing, reported as ``hidden_characters``). Whitespace inside the text is kept for rows where
it is normal (display names, phone numbers), removed and reported (``whitespace_in_input``)
for links and hosts, and disqualifies the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal

from verifier import platforms
from verifier.errors import InvalidInputError
from verifier.hostnames import HIDDEN_RE, normalize_host, public_suffix, visible
from verifier.inputs import emailaddr, handle, phone, url, wallet
from verifier.model import Item, Observation
from verifier.platforms import Platform

MAX_INPUT = 4096
EXPECTED = "expected a link, domain, email address, @handle, phone number or wallet address"

_SURROGATE = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_HOST_SHAPED = re.compile(r"[^\s/\\?#@:<>\"'`]*[.\u3002\uff0e\uff61][^\s/\\?#@:<>\"'`]*")
_IPV6_SHAPED = re.compile(r"\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?")
_NUMERIC_HOST = re.compile(r"[0-9A-Fa-fXx.]+")


@dataclass(frozen=True, slots=True)
class Context:
    """What the caller said about the input: the platform, or the chain for an address."""

    platform: Platform | None = None
    chain: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One way to read a text. ``spaces``: keep them, remove them (and report), or skip the row."""

    name: str
    recognise: Callable[[str, Context], bool]
    parse: Callable[[str, Context], Item]
    spaces: Literal["keep", "remove", "reject"]


def _is_ip(text: str) -> bool:
    try:
        return normalize_host(text)[0].is_ip
    except InvalidInputError:
        return False


def _known_domain(text: str, ctx: Context) -> bool:
    """A host with a public suffix, an IP literal, or a non-ASCII host (IDN, fullwidth)."""
    if not _HOST_SHAPED.fullmatch(text):
        return False
    if not text.isascii():
        return True
    if _NUMERIC_HOST.fullmatch(text) and _is_ip(text):
        return True
    # Every public suffix ends in a listed top-level label, so asking about the last label
    # alone gives the same yes/no, cached per TLD, without decoding punycode labels.
    return bool(public_suffix("a." + text.lower().rstrip(".").rsplit(".", 1)[-1])[1])


def _platform_word(text: str, ctx: Context) -> bool:
    return ctx.platform is not None and platforms.canonical_handle(ctx.platform, text) is not None


def _on_platform(text: str, ctx: Context) -> Item:
    assert ctx.platform is not None
    return handle.on_platform(ctx.platform, text)


ROWS: tuple[Row, ...] = (
    # The caller named the platform: a bare name is an account there ("tokenpocket_en").
    Row("platform_word", _platform_word, _on_platform, "keep"),
    Row("prefixed_handle", lambda t, c: handle.split_prefixed(t) is not None,
        lambda t, c: handle.parse_prefixed(t, c.platform), "keep"),
    Row("ipv6", lambda t, c: bool(_IPV6_SHAPED.fullmatch(t)), lambda t, c: url.parse_domain(t), "remove"),
    Row("url", lambda t, c: url.has_scheme(t), lambda t, c: url.parse(t, c.platform), "remove"),
    Row("email", lambda t, c: emailaddr.looks_like(t), lambda t, c: emailaddr.parse(t), "keep"),
    Row("at_handle", lambda t, c: t.startswith("@") and "/" not in t, lambda t, c: handle.parse_at(t, c.platform), "reject"),
    Row("international_phone", lambda t, c: t.startswith("+") and phone.looks_like(t), lambda t, c: phone.parse(t), "keep"),
    Row("wallet", lambda t, c: wallet.looks_like(t), lambda t, c: wallet.parse(t, c.chain), "reject"),
    Row("schemeless_url", lambda t, c: url.looks_schemeless(t), lambda t, c: url.parse_schemeless(t, c.platform), "remove"),
    Row("domain", _known_domain, lambda t, c: url.parse_domain(t), "remove"),
    Row("phone", lambda t, c: phone.looks_like(t), lambda t, c: phone.parse(t), "keep"),
    Row("handle", lambda t, c: bool(handle.GENERIC.fullmatch(t)), lambda t, c: handle.bare(t), "reject"),
    Row("host", lambda t, c: bool(_HOST_SHAPED.fullmatch(t)), lambda t, c: url.parse_domain(t), "remove"),
)


def _context(platform: str | None) -> Context:
    if not platform:
        return Context()
    social = platforms.get_platform(platform)
    chain = wallet.get_chain(platform)
    if social is None and chain is None:
        known = ", ".join(p.key for p in platforms.PLATFORMS)
        raise InvalidInputError(
            f"unknown platform {platform[:40]!r}; expected one of {known}, or a chain (ethereum, bsc, tron, bitcoin, solana)",
            code="unknown_platform", params={"platform": repr(platform[:40]), "known": known + ", ethereum, bsc, tron, bitcoin, solana"},
        )
    return Context(social, chain)


def classify(text: str, platform: str | None = None) -> Item:
    """Classify and normalise one input; raise :class:`InvalidInputError` if it cannot be checked.

    ``platform`` is what the caller knows: a platform or alias (``telegram``, ``x``, ``微信``)
    makes a bare name a handle there; a chain (``ethereum``, ``tron``) qualifies an address.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"expected text; {EXPECTED}", code="invalid_input")
    if len(text) > MAX_INPUT:
        raise InvalidInputError(f"input of {len(text)} characters; at most {MAX_INPUT} allowed", code="input_too_long",
                                params={"length": len(text), "limit": MAX_INPUT})
    if _SURROGATE.search(text):
        raise InvalidInputError(f"input holds invalid Unicode (a lone surrogate); {EXPECTED}", code="invalid_text")
    stripped = text.strip()
    found: tuple[Observation, ...] = ()
    if HIDDEN_RE.search(stripped):
        found = (Observation("hidden_characters", visible(stripped)),)
        stripped = HIDDEN_RE.sub("", stripped).strip()
    if not stripped:
        raise InvalidInputError(f"empty input; {EXPECTED}", code="empty_input")
    ctx = _context(platform)
    spaced = _WHITESPACE.search(stripped) is not None
    compact = _WHITESPACE.sub("", stripped) if spaced else stripped
    for row in ROWS:
        candidate, noted = stripped, found
        if spaced and row.spaces != "keep":
            if row.spaces == "reject":
                continue
            candidate, noted = compact, found + (Observation("whitespace_in_input", stripped),)
        if row.recognise(candidate, ctx):
            item = row.parse(candidate, ctx)
            return item.evolve(raw=text, observations=noted + item.observations)
    shown = visible(stripped if len(stripped) <= 80 else stripped[:77] + "...")
    expected = f"expected a {ctx.platform.name} account such as {ctx.platform.example}" if ctx.platform else EXPECTED
    raise InvalidInputError(f"{shown!r} is not something we can check; {expected}", code="unrecognised_input",
                            params={"shown": repr(shown)})
