"""A fetched page's HTML → the page summary that ``verifier.page`` analyses.

Pure (bytes in, a plain dict out; no network): the deep check fetches with
``verifier.fetch`` and hands the bytes here, and the result has exactly the format the
bookmarklet sends (documented in ``verifier/page.py``), plus the keys only a full read of the
HTML can fill (brand mentions in headings, meta and alt texts, wallet calls in inline scripts).
Nothing of the page is executed; scripts are read as text.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Iterable

import ada_url
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from verifier import page, scan_phrases

TEXT_INPUT_TYPES = frozenset({"", "text", "password", "search", "tel", "email", "number"})
_INVISIBLE = ("script", "style", "noscript", "template", "svg")
# Hints that a heading, alt text or file name may name a brand: keeps the few mention slots
# for likely candidates ("tp" catches "TP钱包" and "tpwallet").
_BRAND_HINT = re.compile(r"token|pocket|tp|钱包|wallet", re.IGNORECASE)
_WORDY = re.compile(r"[a-z]")


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One pattern for a term table: ASCII words on word boundaries ("claim" is not in
    "disclaimer"), other scripts as plain substrings."""
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        escaped = re.escape(term.casefold())
        parts.append(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if _WORDY.search(term) and term.isascii() else escaped)
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
    for match in pattern.finditer(text):
        if row is not None and scan_phrases.is_warning(row, text, match.start(), match.end()):
            continue
        term = by_fold.get(match.group(0).casefold(), match.group(0))
        if term not in out:
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


def summarise_html(body: bytes, base_url: str, *, encoding: str | None = None) -> dict[str, Any]:
    """The page summary (format version 1 and the deep-check keys) of one HTML document."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(body, "html.parser", from_encoding=encoding)

    base_tag = soup.find("base", href=True)
    base = _absolute(base_url, str(base_tag["href"])) if base_tag else None
    base = base or base_url

    scripts = " ".join(s.get_text(" ") for s in soup.find_all("script") if not s.get("src"))
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    placeholders = " ".join(str(i.get("placeholder", "")) for i in soup.find_all(["input", "textarea"]))
    text = (soup.get_text(" ") + " " + placeholders).casefold()

    inputs = soup.find_all("input")
    text_like = [i for i in inputs if str(i.get("type", "")).lower() in TEXT_INPUT_TYPES]
    per_form = [
        sum(1 for i in form.find_all("input") if str(i.get("type", "")).lower() in TEXT_INPUT_TYPES)
        for form in soup.find_all("form")
    ]
    outside = sum(1 for i in text_like if i.find_parent("form") is None)

    link_hosts: list[str] = []
    contacts: list[str] = []
    downloads: list[str] = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
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
    for form in soup.find_all("form"):
        target = _absolute(base, str(form.get("action") or "")) or base
        _add(form_hosts, _host(target), page.MAX_FORM_HOSTS)

    mentions: list[str] = []
    candidates = [h.get_text(" ", strip=True) for h in soup.find_all(["h1", "h2", "h3"])]
    for meta in soup.find_all("meta", content=True):
        key = str(meta.get("name") or meta.get("property") or "").lower()
        if key in ("description", "og:site_name", "og:title", "application-name", "twitter:title"):
            candidates.append(str(meta["content"]))
    for img in soup.find_all("img"):
        candidates.append(str(img.get("alt") or ""))
        candidates.append(str(img.get("src") or "").rsplit("/", 1)[-1])
    for link in soup.find_all("link", href=True):
        if "icon" in " ".join(link.get("rel") or []).lower():
            candidates.append(str(link["href"]).rsplit("/", 1)[-1])
    for candidate in candidates:
        candidate = " ".join(candidate.split())[: page.MAX_MENTION]
        if candidate and _BRAND_HINT.search(candidate):
            _add(mentions, candidate, page.MAX_MENTIONS)

    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    summary: dict[str, Any] = {
        "v": page.VERSION,
        "title": " ".join(title.split())[: page.MAX_TITLE],
        "secret_terms": _found(_SECRET, text, page.SECRET_TERMS, warning="asks_for_secret"),
        "password_fields": min(sum(1 for i in inputs if str(i.get("type", "")).lower() == "password"), page.MAX_COUNT),
        "textareas": min(len(soup.find_all("textarea")), page.MAX_COUNT),
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
