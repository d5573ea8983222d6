"""A fetched page's HTML → the page summary that ``verifier.page`` analyses.

Pure (bytes in, a plain dict out; no network): the deep check fetches with
``verifier.deep.fetch`` and hands the bytes here, and the result has exactly the format the
bookmarklet sends (documented in ``verifier/page.py``), plus the keys only a full read of the
HTML can fill (brand mentions in headings, meta and alt texts, wallet calls in inline scripts).
Nothing of the page is executed; scripts are read as text.

The page is hostile, so what is parsed is bounded (:class:`ParseLimits`): at most
``max_bytes`` of it and at most ``max_elements`` start tags; past either the rest is not read
and the reading says so (``cut``). The parser is Lexbor (selectolax), an HTML5 parser in C
that builds the same tree a browser does and releases the GIL while it parses, so a big page
does not stall the server's other threads. Measured on 2 MiB hostile pages (``make bench``):
BeautifulSoup on ``html.parser`` (the parser before) took 0.5-13 s per page, and walking up
from every input made nested inputs quadratic on top; lxml (libxml2) is fast but silently
stops building the tree at a depth of 256, so a page could hide its seed-phrase form below
256 empty ``<div>``s, and it does not build the tree browsers build. Lexbor's own cost grows
with the square of the nesting of block elements (each ``<div>`` looks down the stack of open
elements: 2 MiB of nested ``<div>`` took over a minute), which is why the element cap is
there: within it the worst nesting found costs under half a second. The tree is freed as soon
as the summary is built (no reference to it escapes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import ada_url
from bs4.dammit import UnicodeDammit
from selectolax.lexbor import LexborHTMLParser, LexborNode

from verifier import page, scan_phrases

TEXT_INPUT_TYPES = frozenset({"", "text", "password", "search", "tel", "email", "number"})
_INVISIBLE = ("script", "style", "noscript", "template", "svg")
# Hints that a heading, alt text or file name may name a brand: keeps the few mention slots
# for likely candidates ("tp" catches "TP钱包" and "tpwallet").
_BRAND_HINT = re.compile(r"token|pocket|tp|钱包|wallet", re.IGNORECASE)
_WORDY = re.compile(r"[a-z]")


# A page that repeats a warned-about term (in a warning each time) is tested this many times
# per term, then the term is taken as its advice: the cost of a page is bounded by its
# distinct terms, not by how often it repeats one (70,000 warnings took 1.3 s).
MAX_WARNING_TESTS = 64


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One pattern for a term table: ASCII words on word boundaries ("claim" is not in
    "disclaimer"), other scripts as plain substrings.

    Every alternative starts with its literal first character and checks the boundary just
    after it (``s(?<![a-z0-9]s)eed phrase``: the same match as ``(?<![a-z0-9])seed phrase``),
    so the regex engine can skip to the next possible first character instead of trying every
    alternative at every position: 10× faster on a page of 1.3 million characters."""
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        folded = term.casefold()
        if _WORDY.search(term) and term.isascii():
            first = re.escape(folded[0])
            parts.append(rf"{first}(?<![a-z0-9]{first}){re.escape(folded[1:])}(?![a-z0-9])")
        else:
            parts.append(re.escape(folded))
    return re.compile("|".join(parts))


_SECRET = _term_pattern(page.SECRET_TERMS)
_SUPPORT = _term_pattern(page.SUPPORT_TERMS)
_DRAINER = _term_pattern(page.DRAINER_TERMS)
_CALLS = re.compile("|".join(re.escape(c) for c in page.WALLET_CALLS))


def _found(pattern: re.Pattern[str], text: str, table: Iterable[str], *, warning: str | None = None,
           cap: int = page.MAX_TERMS) -> list[str]:
    """The table's own spellings of the terms ``pattern`` finds in ``text`` (distinct, capped).

    ``warning`` names the scan phrase row whose warning test applies: "never share your seed
    phrase" or "官方客服不会索要助记词" on a help page is advice, not a request.
    """
    by_fold = {t.casefold(): t for t in table}
    row = scan_phrases.BY_CODE[warning] if warning else None
    out: list[str] = []
    tests: dict[str, int] = {}
    for match in pattern.finditer(text):
        term = by_fold.get(match.group(0).casefold(), match.group(0))
        # A term already found needs no warning test: a page that repeats it 100,000 times
        # costs one test per distinct term, not one per repetition.
        if term in out or tests.get(term, 0) >= MAX_WARNING_TESTS:
            continue
        if row is not None:
            tests[term] = tests.get(term, 0) + 1
            if scan_phrases.is_warning(row, text, match.start(), match.end()):
                continue
        out.append(term)
        if len(out) >= cap:
            break
    return out


def _absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        return ada_url.join_url(base, href)
    except ValueError:
        return None


def _host(url: str) -> str | None:
    try:
        parsed = ada_url.parse_url(url, attributes=("protocol", "hostname"))
    except ValueError:
        return None
    if parsed["protocol"] not in ("http:", "https:") or not parsed["hostname"]:
        return None
    return parsed["hostname"].strip("[]").rstrip(".")


def _add(values: list[str], value: str | None, cap: int) -> None:
    if value and value not in values and len(values) < cap:
        values.append(value)


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What of a page is parsed at most. Real pages have a few thousand elements (Lighthouse
    calls 1,500 excessive); the caps leave room for the largest and bound the hostile ones."""

    max_bytes: int = 2 * 1024 * 1024  # the fetcher's own cap: the deep check never passes more
    max_elements: int = 10_000  # start tags; the worst nesting of 10,000 costs Lexbor < 0.5 s


@dataclass(frozen=True, slots=True)
class HtmlReading:
    """The summary of a page, and whether the parse caps cut it (``"bytes"``, ``"elements"``)."""

    summary: dict[str, Any]
    cut: str | None = None


_START_TAG = re.compile(r"<[A-Za-z]")


def _decode(body: bytes, encoding: str | None) -> str:
    """The page as text, the way BeautifulSoup decoded it before (BOM, the page's declared
    charset, a detected one, then UTF-8 and windows-1252), so readings did not change."""
    dammit = UnicodeDammit(body, known_definite_encodings=[encoding] if encoding else [], is_html=True)
    return dammit.unicode_markup or body.decode("utf-8", "replace")


def _cut_elements(text: str, cap: int) -> str | None:
    """``text`` up to its ``cap``-th start tag, or ``None`` when it has no more than ``cap``.
    Every element the parser builds comes from a start tag (a few implied ones aside), so this
    bounds the tree before it is built; ``<`` in a script counts too (only ever cutting sooner)."""
    if text.count("<") <= cap:  # the common case, without a Python loop
        return None
    for seen, match in enumerate(_START_TAG.finditer(text)):
        if seen == cap:
            return text[: match.start()]
    return None


def _attr(node: LexborNode, name: str) -> str:
    """An attribute's value as text; ``""`` when it is absent or has no value (``<a href>``)."""
    return node.attrs.get(name) or ""


def _type(node: LexborNode) -> str:
    return _attr(node, "type").lower()


def summarise_html(body: bytes, base_url: str, *, encoding: str | None = None,
                   limits: ParseLimits | None = None) -> dict[str, Any]:
    """The page summary (format version 1 and the deep-check keys) of one HTML document."""
    return read_html(body, base_url, encoding=encoding, limits=limits).summary


def read_html(body: bytes, base_url: str, *, encoding: str | None = None,
              limits: ParseLimits | None = None) -> HtmlReading:
    """The page summary of one HTML document, within ``limits``, and what the caps cut."""
    limits = limits or ParseLimits()
    cut: str | None = None
    if len(body) > limits.max_bytes:
        body, cut = body[: limits.max_bytes], "bytes"
    text = _decode(body, encoding)
    shortened = _cut_elements(text, limits.max_elements)
    if shortened is not None:
        text, cut = shortened, "elements"
    tree = LexborHTMLParser(text)
    del text, shortened  # the tree has its own copy; a 2 MiB page is not kept twice
    return HtmlReading(_summary(tree, base_url), cut)


def _summary(tree: LexborHTMLParser, base_url: str) -> dict[str, Any]:
    base_tag = tree.css_first("base[href]")
    base = _absolute(base_url, _attr(base_tag, "href")) if base_tag is not None else None
    base = base or base_url

    scripts = " ".join(s.text() for s in tree.css("script") if not _attr(s, "src"))
    # Invisible parts are not the page's text, and their inputs are no form (template
    # contents are outside the tree already, as in a browser).
    tree.strip_tags(list(_INVISIBLE))
    placeholders = " ".join(_attr(i, "placeholder") for i in tree.css("input, textarea"))
    root = tree.root
    text = ((root.text(separator=" ") if root is not None else "") + " " + placeholders).casefold()

    inputs = tree.css("input")
    text_like = [i for i in inputs if _type(i) in TEXT_INPUT_TYPES]
    # Text-like inputs per form, counting a form's nested forms in it (HTML5 parsing can nest
    # forms through misnested tags). Only outermost forms are counted: an inner form's inputs
    # are a subset of the outer one's, so the largest count is the same, and each node is
    # visited once, however deep the forms nest (walking up from every input was quadratic).
    per_form: list[int] = []
    in_forms: set[int] = set()
    nested: set[int] = set()
    forms = tree.css("form")
    for form in forms:
        if form.mem_id in nested:
            continue
        nested.update(f.mem_id for f in form.css("form"))
        mine = [i for i in form.css("input") if _type(i) in TEXT_INPUT_TYPES]
        in_forms.update(i.mem_id for i in mine)
        per_form.append(len(mine))
    outside = sum(1 for i in text_like if i.mem_id not in in_forms)

    link_hosts: list[str] = []
    contacts: list[str] = []
    downloads: list[str] = []
    for anchor in tree.css("a[href]"):
        href = _attr(anchor, "href").strip()
        if href.lower().startswith(("mailto:", "tel:")):
            _add(contacts, href[: page.MAX_CONTACT], page.MAX_CONTACTS)
            continue
        url = _absolute(base, href)
        if url is None:
            continue
        host = _host(url)
        if host is None:
            continue
        _add(link_hosts, host, page.MAX_LINK_HOSTS)
        if page.is_support_link(url):
            _add(contacts, url[: page.MAX_CONTACT], page.MAX_CONTACTS)
        if url.split("?", 1)[0].split("#", 1)[0].lower().endswith(page.DOWNLOAD_SUFFIXES):
            _add(downloads, url[: page.MAX_CONTACT], page.MAX_CONTACTS)

    form_hosts: list[str] = []
    for form in forms:
        target = _absolute(base, _attr(form, "action")) or base
        _add(form_hosts, _host(target), page.MAX_FORM_HOSTS)

    mentions: list[str] = []
    candidates = [h.text(separator=" ", strip=True) for h in tree.css("h1, h2, h3")]
    for meta in tree.css("meta[content]"):
        key = (_attr(meta, "name") or _attr(meta, "property")).lower()
        if key in ("description", "og:site_name", "og:title", "application-name", "twitter:title"):
            candidates.append(_attr(meta, "content"))
    for img in tree.css("img"):
        candidates.append(_attr(img, "alt"))
        candidates.append(_attr(img, "src").rsplit("/", 1)[-1])
    for link in tree.css("link[href]"):
        if "icon" in _attr(link, "rel").lower():
            candidates.append(_attr(link, "href").rsplit("/", 1)[-1])
    for candidate in candidates:
        candidate = " ".join(candidate.split())[: page.MAX_MENTION]
        if candidate and _BRAND_HINT.search(candidate):
            _add(mentions, candidate, page.MAX_MENTIONS)

    title_tag = tree.css_first("title")
    title = title_tag.text(separator=" ", strip=True) if title_tag is not None else ""
    summary: dict[str, Any] = {
        "v": page.VERSION,
        "title": " ".join(title.split())[: page.MAX_TITLE],
        "secret_terms": _found(_SECRET, text, page.SECRET_TERMS, warning="asks_for_secret"),
        "password_fields": min(sum(1 for i in inputs if _type(i) == "password"), page.MAX_COUNT),
        "textareas": min(len(tree.css("textarea")), page.MAX_COUNT),
        "grid_inputs": min(max([*per_form, outside, 0]), page.MAX_COUNT),
        "link_hosts": link_hosts,
        "form_hosts": form_hosts,
        "contact_links": contacts,
        "brand_mentions": mentions,
        "support_terms": _found(_SUPPORT, text, page.SUPPORT_TERMS, warning="claims_official_support"),
        "drainer_terms": _found(_DRAINER, text, page.DRAINER_TERMS, warning="asks_to_connect_or_authorize"),
        "wallet_calls": _found(_CALLS, scripts, page.WALLET_CALLS) if scripts else [],
        "downloads": downloads,
    }
    return summary
