"""Host names as a browser resolves them: length caps, WHATWG/UTS46 mapping, IDNA, IP literals.

``normalize_host(text)`` is the one place a host string becomes a :class:`Host`. It is used on
user input (bare domains, e-mail domains, the host of a URL) *and* on registry values, so both
sides of a lookup are canonicalised identically.

Why ada and not ``idna``/``urllib``: the host that matters is the one a browser visits, and the
WHATWG host parser (ada, the parser inside Node) is what does percent-decoding, UTS46 mapping
(fullwidth letters, ideographic dots) and the IPv4 number forms (``2130706433``, ``0x7f.1``,
``0177.0.0.1``, ``127.1``) that browsers accept (SECURITY.md #1, #3). WHATWG has no DNS length
limits, so those are checked here, *before* any IDNA work (SECURITY.md #5).
"""

from __future__ import annotations

import functools
import re

import ada_url
import tldextract

from verifier.errors import InvalidInputError
from verifier.model import Host, Observation

MAX_HOST = 253  # DNS: whole name, without the trailing dot
MAX_LABEL = 63  # DNS: one label
MAX_URL = 2048  # raw text handed to ada for a URL (browsers and CDNs cap near here)

# Characters that are invisible, reorder text, or are control codes: the Unicode property
# Default_Ignorable_Code_Point (zero-width, soft hyphen, variation selectors, Hangul fillers,
# invisible operators, tags ... everything a browser may drop), the bidi controls and the C0/C1
# controls. The classifier strips them before parsing and reports them, so
# "tokenpocket\u200b.pro" can never look like the official host while being another string.
# The property comes from the ``regex`` module's Unicode tables (the standard library has
# none); ASCII text, nearly every input, only needs the controls and never loads them.
_ASCII_HIDDEN = re.compile(r"[\x00-\x1f\x7f]")


class _HiddenCharacters:
    """``search``/``sub`` over hidden characters, ASCII text on the standard library's ``re``."""

    @functools.cached_property
    def _unicode(self):  # type: ignore[no-untyped-def]
        import regex

        return regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Cc}]")

    def _pattern(self, text: str):  # type: ignore[no-untyped-def]
        return _ASCII_HIDDEN if text.isascii() else self._unicode

    def search(self, text: str):  # type: ignore[no-untyped-def]
        return self._pattern(text).search(text)

    def sub(self, repl, text: str) -> str:  # type: ignore[no-untyped-def]
        return self._pattern(text).sub(repl, text)

    def __contains__(self, char: str) -> bool:
        return self.search(char) is not None


HIDDEN_RE = _HiddenCharacters()
#: ``char in HIDDEN_CHARACTERS``: is it one of them.
HIDDEN_CHARACTERS = HIDDEN_RE

# Dots that UTS46 maps to "." (fullwidth, ideographic, halfwidth ideographic): labels are
# split on all of them before the length caps, exactly as the browser will split them later.
_DOTS_RE = re.compile("[.\u3002\uff0e\uff61]")
# A host string never contains these: they are URL delimiters or whitespace. Refused rather
# than handed to ada, which would treat them as the end of the host and silently drop the rest.
_NOT_IN_HOST = re.compile(r"[\s/\\?#@<>\"'`^{}|]")

_EXTRACT: tldextract.TLDExtract | None = None


def visible(text: str) -> str:
    """``text`` with hidden, bidi and control characters shown as ``<U+200B>``."""
    return HIDDEN_RE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _extractor() -> tldextract.TLDExtract:
    # Created lazily, once: the bundled public suffix snapshot (private section on), never
    # the network, never a disk cache.
    global _EXTRACT
    if _EXTRACT is None:
        _EXTRACT = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True)
    return _EXTRACT


@functools.lru_cache(maxsize=8192)
def public_suffix(ascii_host: str, unicode_host: str | None = None) -> tuple[str | None, str, bool]:
    """``(registrable, suffix, is_private)`` (ASCII) for a lower-case ASCII host name.

    Given the decoded form too, tldextract matches that instead: it would otherwise run
    ``idna.decode`` on every punycode label it walks (~100 us each), and the suffix list
    stores Unicode suffixes anyway. Labels correspond one to one, so the ASCII answer is
    the same count of labels taken from the ASCII host.
    """
    if unicode_host is None or unicode_host == ascii_host or unicode_host.count(".") != ascii_host.count("."):
        found = _extractor()(ascii_host)
        return found.top_domain_under_public_suffix or None, found.suffix, bool(found.is_private)
    found = _extractor()(unicode_host)
    labels = ascii_host.split(".")
    n_suffix = found.suffix.count(".") + 1 if found.suffix else 0
    suffix = ".".join(labels[len(labels) - n_suffix :]) if n_suffix else ""
    registrable = ".".join(labels[len(labels) - n_suffix - 1 :]) if found.top_domain_under_public_suffix else None
    return registrable, suffix, bool(found.is_private)


def _invalid(text: str, why: str) -> InvalidInputError:
    shown = visible(text if len(text) <= 80 else text[:77] + "...")
    return InvalidInputError(
        f"{shown!r} is not a valid host name ({why}); expected a domain such as tokenpocket.pro or an IP address",
        code="invalid_host",
    )


def _check_lengths(text: str, original: str) -> None:
    """DNS caps on the text as given: cheap, and done before any IDNA work."""
    if len(text) > MAX_HOST:
        raise _invalid(original, f"{len(text)} characters, at most {MAX_HOST} allowed")
    for label in _DOTS_RE.split(text):
        if not label:
            raise _invalid(original, "empty label")
        if len(label) > MAX_LABEL:
            raise _invalid(original, f"a label of {len(label)} characters, at most {MAX_LABEL} allowed")


def normalize_host(text: str) -> tuple[Host, tuple[Observation, ...]]:
    """Normalise a host string (as typed, or as found in a URL) the way a browser would.

    Returns the :class:`Host` (lower-case punycode ``ascii``, decoded ``unicode``, registrable
    domain and suffix) and the observations made on the way: ``trailing_dot``,
    ``percent_encoded_host``, ``mapped_characters``, ``idn``, ``invalid_punycode``,
    ``ip_literal``. Raises :class:`InvalidInputError` (``invalid_host``) for text that cannot
    be a host. Pure and cached: the same text always gives the same answer.
    """
    if not isinstance(text, str):
        raise InvalidInputError("expected a host name as text", code="invalid_host")
    if len(text) > MAX_URL:  # before the cache, so huge inputs never become cache keys
        raise _invalid(text, f"{len(text)} characters")
    return _normalize_host(text)


@functools.lru_cache(maxsize=8192)
def _normalize_host(text: str) -> tuple[Host, tuple[Observation, ...]]:
    original = text
    if not text:
        raise _invalid(original, "empty")
    if text.startswith("[") or (":" in text and not text.startswith("[")):
        return _ipv6(text)
    if _NOT_IN_HOST.search(text) or HIDDEN_RE.search(text) or ":" in text:
        raise _invalid(original, "contains a character a host cannot have")
    observations: list[Observation] = []
    # One trailing dot (any of the dots a browser maps to ".") is the DNS root: same host.
    if _DOTS_RE.fullmatch(text[-1]):
        text = text[:-1]
        observations.append(Observation("trailing_dot", original))
    if not text:
        raise _invalid(original, "empty")
    _check_lengths(text, original)
    if "%" in text:
        observations.append(Observation("percent_encoded_host", original))
    try:
        parsed = ada_url.parse_url("http://" + text + "/", attributes=("hostname", "host_type"))
    except (ValueError, UnicodeError):
        raise _invalid(original, "rejected by the URL standard's host parser") from None
    ascii_host = parsed["hostname"]
    if parsed["host_type"] == ada_url.HostType.IPV4:
        observations.append(Observation("ip_literal", ascii_host))
        return Host(ascii_host, ascii_host, None, "", is_ip=True), tuple(observations)
    if ascii_host.endswith("."):  # a percent-encoded trailing dot ("%2e") decodes to one
        ascii_host = ascii_host[:-1]
        if not any(o.code == "trailing_dot" for o in observations):
            observations.append(Observation("trailing_dot", original))
    # Percent-decoding and mapping can lengthen the name: the DNS caps apply to what is sent.
    _check_lengths(ascii_host, original)
    unicode_host = ada_url.idna_to_unicode(ascii_host) if "xn--" in ascii_host else ascii_host
    if any(label.startswith("xn--") and label == ulabel for label, ulabel in zip(ascii_host.split("."), unicode_host.split("."))):
        observations.append(Observation("invalid_punycode", ascii_host))
    lowered = text.lower()
    if "%" not in text and lowered != ascii_host and lowered != unicode_host:
        # Fullwidth letters, ideographic dots, compatibility forms...: the text the person
        # saw is not the name the browser resolves.
        observations.append(Observation("mapped_characters", f"{text} -> {ascii_host}"))
    if unicode_host != ascii_host:
        observations.append(Observation("idn", unicode_host))
    registrable, suffix, private = public_suffix(ascii_host, unicode_host)
    return Host(ascii_host, unicode_host, registrable, suffix, False, private), tuple(observations)


def _ipv6(text: str) -> tuple[Host, tuple[Observation, ...]]:
    """``[v6]`` or a bare v6 literal; the canonical (compressed, lower-case) form, no brackets."""
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if not inner or len(inner) > 64 or not re.fullmatch(r"[0-9A-Fa-f:.]+", inner):
        raise _invalid(text, "not an IPv6 address")
    try:
        parsed = ada_url.parse_url("http://[" + inner + "]/", attributes=("hostname",))
    except ValueError:
        raise _invalid(text, "not an IPv6 address") from None
    canonical = parsed["hostname"].strip("[]")
    return Host(canonical, canonical, None, "", is_ip=True), (Observation("ip_literal", canonical),)
