"""What a page shows → reasons: the page analysis shared by the bookmarklet and the deep check.

Pure: no Flask, no network, no disk. The input is a *page summary*, a small JSON object
that the bookmarklet builds from the DOM of the page a person is on (and that the deep page
check of issue 5 will build from fetched HTML). It is **untrusted**: every field is checked
for type and size; a field that does not fit is ignored and named in one
``page_summary_ignored`` note, never a crash. Unknown keys are ignored (newer bookmarklets).

The summary format (version 1)
------------------------------

==================  =========================  ==============================================
key                 type (cap)                 meaning
==================  =========================  ==============================================
``v``               int                        format version, ``1``
``title``           str (200 chars)            the page's ``<title>``, truncated
``secret_terms``    [str] (10, 40 chars each)  words of :data:`SECRET_TERMS` found in the
                                               page's visible text or input placeholders
                                               (other words are dropped: only the table counts)
``password_fields`` int (0..10000)             number of ``<input type=password>``
``textareas``       int (0..10000)             number of ``<textarea>``
``grid_inputs``     int (0..10000)             the largest number of text-like inputs in one
                                               form (or one container): 12 or more is the
                                               shape of a 12/24-word seed-phrase grid
``link_hosts``      [str] (30, 253 chars)      distinct hosts the page links to (``<a href>``)
``form_hosts``      [str] (10, 253 chars)      distinct hosts the page's forms post to
``contact_links``   [str] (10, 300 chars)      links to chat/contact accounts (t.me, wa.me,
                                               QQ, Discord, X/Twitter, ``mailto:``, ``tel:``)
``brand_mentions``  [str] (10, 200 chars)      where else the page names a brand: headings,
                                               meta description/site name, image alt texts,
                                               logo file names (deep check)
``support_terms``   [str] (10, 40 chars)       words of :data:`SUPPORT_TERMS` ("online customer
                                               service", 在线客服, 人工客服 ...) in the page
``drainer_terms``   [str] (10, 40 chars)       words of :data:`DRAINER_TERMS` ("connect wallet",
                                               "claim", 空投, 领取 ...) in the page
``wallet_calls``    [str] (10, 40 chars)       wallet calls of :data:`WALLET_CALLS` found in the
                                               page's own scripts (``setApprovalForAll``,
                                               ``eth_requestAccounts`` ...) (deep check)
``downloads``       [str] (10, 300 chars)      links to installable files (.apk, .ipa,
                                               .mobileconfig, .exe, .msi, .dmg)
==================  =========================  ==============================================

Every key is optional. A list longer than its cap is cut to the cap; a string longer than its
cap is cut (title) or dropped (hosts, links, terms).

Reasons (each a row of :data:`SIGNS`: code, level alone, level with other signs, risk)
--------------------------------------------------------------------------------------

``page_asks_secret``, ``page_seed_grid``, ``page_claims_brand``, ``page_links_fake_support``
argue for ``suspicious`` alone and ``impersonation`` together with any other sign;
``page_password_field`` and ``page_posts_elsewhere`` are notes alone (log-in pages and search
boxes have them) and ``suspicious`` with another sign. The deep check's signs:
``page_fake_support`` (support-chat texts on a page that is not official) and
``page_offers_download`` (installable files from a host that is not official) are
``suspicious`` alone, ``impersonation`` with another sign; ``page_wallet_drainer`` ("connect
wallet" with claim/airdrop/refund texts, or approval calls in the page's scripts) and
``page_copies_official`` (a page that links to the official sites but sends its forms
elsewhere) are ``impersonation`` at once. :func:`raise_verdict` applies them to a
check's verdict: never to an official (or unverified-official) page, never making a verdict
better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from verifier.errors import InvalidInputError
from verifier.hostnames import normalize_host
from verifier.model import Reason
from verifier.strictjson import loads_strict

if TYPE_CHECKING:  # pragma: no cover
    from verifier.check import Verifier

VERSION = 1
MAX_SUMMARY_CHARS = 6144  # the bookmarklet keeps its whole URL near 6 KB
MAX_TITLE = 200
MAX_TERMS, MAX_TERM = 10, 40
MAX_LINK_HOSTS, MAX_FORM_HOSTS, MAX_HOST = 30, 10, 253
MAX_CONTACTS, MAX_CONTACT = 10, 300
MAX_COUNT = 10000
SEED_GRID_MIN = 12  # the shortest BIP-39 mnemonic
SHOWN_ITEMS = 5  # how many hosts or links a reason names

# Words that mean "give us your wallet's secret", as a page writes them (en + zh). The
# bookmarklet is built with this very list (verifier/web/bookmarklet.py), so both agree.
SECRET_TERMS: tuple[str, ...] = (
    "seed phrase", "recovery phrase", "secret phrase", "mnemonic", "private key", "keystore",
    "12 words", "24 words", "12-word", "24-word",
    "助记词", "私钥", "密钥", "恢复短语", "种子短语", "keystore文件",
)
_TERMS = {t.casefold() for t in SECRET_TERMS}
# Fake "live support" texts and widgets.
SUPPORT_TERMS: tuple[str, ...] = (
    "online customer service", "customer service", "customer support", "live support", "live chat",
    "support ticket", "contact support", "在线客服", "人工客服", "官方客服", "客服中心", "联系客服", "客服热线",
)
# What wallet drainers say: connect, then claim.
DRAINER_TERMS: tuple[str, ...] = (
    "connect wallet", "connect your wallet", "sync wallet", "validate wallet", "claim", "airdrop", "refund",
    "reward", "mint now", "连接钱包", "链接钱包", "同步钱包", "验证钱包", "领取", "空投", "退款", "奖励",
)
_CONNECT_TERMS = frozenset(t for t in DRAINER_TERMS if "wallet" in t or "钱包" in t)
# Calls in a page's own scripts that ask a wallet to hand over control of tokens.
WALLET_CALLS: tuple[str, ...] = (
    "setApprovalForAll", "increaseAllowance", "approve(", "permit(", "eth_sign", "eth_signTypedData",
    "eth_requestAccounts", "wallet_requestPermissions", "signTransaction",
)
DOWNLOAD_SUFFIXES: tuple[str, ...] = (".apk", ".ipa", ".mobileconfig", ".exe", ".msi", ".dmg", ".xapk")
MAX_MENTIONS, MAX_MENTION = 10, 200
_SUPPORT_DOMAINS = ("t.me", "telegram.me", "wa.me", "whatsapp.com", "qq.com", "discord.gg", "discord.com",
                    "twitter.com", "x.com", "line.me")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FLAGGED = ("impersonation", "suspicious", "retired")
_OFFICIAL = ("official", "unverified")


@dataclass(frozen=True, slots=True)
class Sign:
    """One kind of thing a page can show: its level alone, with other signs, and its risk."""

    code: str
    level: str  # "note" | "suspicious" | "impersonation"
    with_others: str
    risk: int


SIGNS: tuple[Sign, ...] = (
    Sign("page_asks_secret", "suspicious", "impersonation", 80),
    Sign("page_seed_grid", "suspicious", "impersonation", 85),
    Sign("page_claims_brand", "suspicious", "impersonation", 60),
    Sign("page_links_fake_support", "suspicious", "impersonation", 70),
    Sign("page_fake_support", "suspicious", "impersonation", 70),
    Sign("page_offers_download", "suspicious", "impersonation", 80),
    Sign("page_wallet_drainer", "impersonation", "impersonation", 90),
    Sign("page_copies_official", "impersonation", "impersonation", 90),
    Sign("page_password_field", "note", "suspicious", 30),
    Sign("page_posts_elsewhere", "note", "suspicious", 30),
    Sign("page_summary_ignored", "note", "note", 0),
)
BY_CODE = {s.code: s for s in SIGNS}
PRECEDENCE: tuple[str, ...] = ("impersonation", "suspicious", "retired", "not_official", "unverified", "official")
_RANK = {v: i for i, v in enumerate(PRECEDENCE)}


# --- reading the untrusted summary ---------------------------------------------------------


def read_summary(raw: str | None) -> tuple[dict[str, Any] | None, list[Reason]]:
    """Parse the bookmarklet's JSON text: ``(summary, [])``, or ``(None, [note])`` if unreadable."""
    if raw is None or not raw.strip():
        return None, []
    if len(raw) > MAX_SUMMARY_CHARS:
        return None, [Reason.of("page_summary_ignored", fields="page (too long)")]
    try:
        value = loads_strict(raw, max_depth=4)
    except InvalidInputError:
        return None, [Reason.of("page_summary_ignored", fields="page (not JSON)")]
    if not isinstance(value, dict):
        return None, [Reason.of("page_summary_ignored", fields="page (not an object)")]
    return value, []


def _text(value: object, cap: int) -> str | None:
    if not isinstance(value, str) or _SURROGATE.search(value):
        return None
    return _CONTROL.sub(" ", value).strip()[:cap]


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def _strings(value: object, cap: int, each: int) -> list[str] | None:
    if not isinstance(value, list):
        return None
    out: list[str] = []
    for entry in value[:cap]:
        if not isinstance(entry, str) or _SURROGATE.search(entry) or not entry.strip() or len(entry) > each:
            return None
        if entry.strip() not in out:
            out.append(entry.strip())
    return out


def _hosts(value: object, cap: int) -> list[str] | None:
    names = _strings(value, cap, MAX_HOST)
    if names is None:
        return None
    out: list[str] = []
    for name in names:
        try:
            host = normalize_host(name)[0].ascii
        except InvalidInputError:
            return None
        if host not in out:
            out.append(host)
    return out


def _terms(value: object, table: frozenset[str] = frozenset(_TERMS)) -> list[str] | None:
    found = _strings(value, MAX_TERMS, MAX_TERM)
    if found is None:
        return None
    return [t for t in found if t.casefold() in table]  # only the table's words count


def _from(table: tuple[str, ...]) -> Callable[[object], list[str] | None]:
    folded = frozenset(t.casefold() for t in table)
    return lambda value: _terms(value, folded)


# Each field: its key and the validator that returns the clean value or None (ignored).
FIELDS: tuple[tuple[str, Callable[[object], Any]], ...] = (
    ("title", lambda v: _text(v, MAX_TITLE)),
    ("secret_terms", _terms),
    ("password_fields", _count),
    ("textareas", _count),
    ("grid_inputs", _count),
    ("link_hosts", lambda v: _hosts(v, MAX_LINK_HOSTS)),
    ("form_hosts", lambda v: _hosts(v, MAX_FORM_HOSTS)),
    ("contact_links", lambda v: _strings(v, MAX_CONTACTS, MAX_CONTACT)),
    ("brand_mentions", lambda v: _strings(v, MAX_MENTIONS, MAX_MENTION)),
    ("support_terms", _from(SUPPORT_TERMS)),
    ("drainer_terms", _from(DRAINER_TERMS)),
    ("wallet_calls", _from(WALLET_CALLS)),
    ("downloads", lambda v: _strings(v, MAX_CONTACTS, MAX_CONTACT)),
)


def clean_summary(summary: object) -> tuple[dict[str, Any], list[str]]:
    """The fields of ``summary`` that fit the format, and the names of those that did not."""
    if not isinstance(summary, dict):
        return {}, ["page"]
    clean: dict[str, Any] = {}
    bad: list[str] = []
    for key, validate in FIELDS:
        if key not in summary or summary[key] is None:
            continue
        value = validate(summary[key])
        if value is None:
            bad.append(key)
        else:
            clean[key] = value
    return clean, bad


# --- the analysis --------------------------------------------------------------------------


def _registrable(host: str) -> str:
    try:
        parsed = normalize_host(host)[0]
    except InvalidInputError:
        return host
    return parsed.registrable or parsed.ascii


def _shown(values: list[str]) -> str:
    more = len(values) - SHOWN_ITEMS
    return ", ".join(values[:SHOWN_ITEMS]) + (f" (+{more})" if more > 0 else "")


def _verdict_of(verifier: "Verifier", text: str) -> str | None:
    try:
        return verifier.check(text).verdict
    except InvalidInputError:
        return None


def is_support_link(link: str) -> bool:
    lowered = link.lower()
    if lowered.startswith(("mailto:", "tel:")):
        return True
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", lowered).split("/", 1)[0].split("?", 1)[0]
    return any(host == d or host.endswith("." + d) for d in _SUPPORT_DOMAINS)


def _contact_text(link: str) -> str:
    """What to check for a contact link: the address of ``mailto:``/``tel:``, else the link."""
    lowered = link.lower()
    for scheme in ("mailto:", "tel:"):
        if lowered.startswith(scheme):
            return link[len(scheme):].split("?", 1)[0]
    return link


def analyse_summary(summary: object, page_host: str, verifier: "Verifier") -> list[Reason]:
    """The reasons a page summary gives, in :data:`SIGNS` order (the note, if any, last).

    ``page_host`` is the host of the page the summary describes (as the check normalised it);
    ``verifier`` judges whether that host is official and checks the linked contacts.
    """
    clean, bad = clean_summary(summary)
    reasons: list[Reason] = []
    page_site = _registrable(page_host) if page_host else ""
    official_page = bool(page_host) and _verdict_of(verifier, page_host) in _OFFICIAL

    terms = clean.get("secret_terms") or []
    if terms:
        reasons.append(Reason.of("page_asks_secret", terms=_shown(terms)))
    grid = clean.get("grid_inputs") or 0
    if grid >= SEED_GRID_MIN:
        reasons.append(Reason.of("page_seed_grid", count=grid))
    title = clean.get("title") or ""
    brand = _brand_in(title, verifier)
    if brand and not official_page:
        reasons.append(Reason.of("page_claims_brand", title=title, brand=brand))
    flagged = _flagged_links(clean, verifier, page_site)
    if flagged:
        reasons.append(Reason.of("page_links_fake_support", items=_shown(flagged)))
    if not official_page:
        support = clean.get("support_terms") or []
        if support:
            reasons.append(Reason.of("page_fake_support", terms=_shown(support)))
        foreign = [d for d in clean.get("downloads") or [] if _verdict_of(verifier, d) not in _OFFICIAL]
        if foreign:
            reasons.append(Reason.of("page_offers_download", items=_shown(foreign)))
        drainer = clean.get("drainer_terms") or []
        calls = clean.get("wallet_calls") or []
        connects = [t for t in drainer if t.casefold() in _CONNECT_TERMS]
        baits = [t for t in drainer if t.casefold() not in _CONNECT_TERMS]
        if (connects and baits) or calls:
            reasons.append(Reason.of("page_wallet_drainer", terms=_shown((connects + baits + calls)[:10])))
        copied = [h for h in clean.get("link_hosts") or [] if _verdict_of(verifier, h) in _OFFICIAL]
        posts_away = [h for h in clean.get("form_hosts") or [] if _verdict_of(verifier, h) not in _OFFICIAL]
        if len(copied) >= 2 and posts_away:
            reasons.append(Reason.of("page_copies_official", official=_shown(copied), hosts=_shown(posts_away)))
    if not brand and not official_page and any(BY_CODE[r.code].level != "note" for r in reasons):
        # A brand named only in headings, alt texts or logo names is what a review or news
        # page does too: it counts only beside another sign.
        for mention in clean.get("brand_mentions") or []:
            named = _brand_in(mention, verifier)
            if named:
                reasons.append(Reason.of("page_claims_brand", title=mention, brand=named))
                break
    if clean.get("password_fields"):
        reasons.append(Reason.of("page_password_field", count=clean["password_fields"]))
    elsewhere = [h for h in clean.get("form_hosts") or [] if page_site and _registrable(h) != page_site]
    if elsewhere:
        reasons.append(Reason.of("page_posts_elsewhere", hosts=_shown(elsewhere)))
    if bad:
        reasons.append(Reason.of("page_summary_ignored", fields=", ".join(bad)))
    return reasons


def _brand_in(title: str, verifier: "Verifier") -> str:
    folded = re.sub(r"[\s_\-.·]+", " ", title.casefold())
    squeezed = folded.replace(" ", "")
    terms = sorted(verifier.registry.issuer.brand_terms, key=len, reverse=True)
    found = next((t for t in terms if t in folded), None)  # as written first, then run together
    found = found or next((t for t in terms if t.replace(" ", "") in squeezed), None)
    return found or ""


def _flagged_links(clean: dict[str, Any], verifier: "Verifier", page_site: str = "") -> list[str]:
    """Linked hosts and contact accounts that the verifier answers as not official and worse
    (the page's own site aside: its links to itself are not a separate channel)."""
    flagged: list[str] = []
    for link in clean.get("contact_links") or []:
        if is_support_link(link) and _verdict_of(verifier, _contact_text(link)) in _FLAGGED:
            flagged.append(link)
    for host in clean.get("link_hosts") or []:
        if page_site and _registrable(host) == page_site:
            continue
        if _verdict_of(verifier, host) in _FLAGGED:
            flagged.append(host)
    return flagged


# --- the verdict ---------------------------------------------------------------------------


def page_verdict(reasons: list[Reason]) -> tuple[str | None, int]:
    """The verdict the page's signs argue for together (None: they change nothing), and the risk."""
    codes = {r.code for r in reasons if r.code in BY_CODE and BY_CODE[r.code].with_others != "note"}
    verdict: str | None = None
    risk = 0
    for code in codes:
        sign = BY_CODE[code]
        level = sign.with_others if len(codes) > 1 else sign.level
        if level != "note":
            verdict = level if verdict is None or _RANK[level] < _RANK[verdict] else verdict
            risk = max(risk, sign.risk)
    if verdict is not None:
        risk = min(100, max(risk, 90 if verdict == "impersonation" else 60) + 5 * (len(codes) - 1))
    return verdict, risk


def raise_verdict(verdict: str, risk: int, reasons: list[Reason]) -> tuple[str, int]:
    """A check's verdict and risk after the page's signs: never worse for an official page,
    never better for any page."""
    if verdict in _OFFICIAL:
        return verdict, risk
    page, page_risk = page_verdict(reasons)
    if page is None:
        return verdict, risk
    worse = page if _RANK[page] < _RANK[verdict] else verdict
    return worse, max(risk, page_risk)
