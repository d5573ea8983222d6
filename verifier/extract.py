"""Find the checkable things in a pasted message: links, domains, e-mail addresses, handles,
phone numbers, QQ / WeChat / Telegram IDs and wallet addresses.

Three steps, each one pass per pattern family over the text (no nested quantifiers, every
repetition bounded or unambiguous, so a 64 KiB message scans in linear time):

1. :func:`fold` maps fullwidth ASCII (``：`` ``，`` ``（`` ``ＱＱ``) and the ideographic space to
   ASCII, one character for one, so positions do not move;
2. :func:`deobfuscate` undoes the disguises scammers use to slip links past filters
   (``tokenpocket[.]pro``, ``tokenpocket(.)pro``, ``tokenpocket 。pro``, ``hxxps://``) and
   reports each as an :class:`Obfuscation` (positions in the input text);
3. :func:`find_candidates` runs the families of :data:`FAMILIES` in priority order; a later
   family never takes text an earlier one claimed (the domain inside an e-mail address, the
   ``@name`` inside a link), and the survivors come back in order of appearance.

A :class:`Candidate` is only a piece of text and, when a label said so ("QQ:", "微信:", "TG:",
"SOL:"), the platform to classify it on; :func:`verifier.classify.classify` decides what it is.

Pure: no network, no disk. Delimiters: anything that cannot be part of a link ends it —
whitespace, CJK text, fullwidth punctuation — and trailing sentence punctuation (``.`` ``,``
``)`` ``:``) is trimmed, so ``访问https://tokenpocket.pro。`` yields ``https://tokenpocket.pro``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from verifier.hostnames import public_suffix

# --- character classes ------------------------------------------------------------------------

# Invisible and direction characters: kept inside a link so that classify() reports them.
_ZW = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Letters a homograph link may borrow (Latin-1/Extended, Greek, Cyrillic); CJK never.
_LETTERS = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f"
_HOSTCH = f"[A-Za-z0-9\\-{_LETTERS}{_ZW}]"
_URLCH = f"[A-Za-z0-9\\-._~:/?#\\[\\]@!$&()+;=%{_LETTERS}{_ZW}]"
_B58 = "[1-9A-HJ-NP-Za-km-z]"
_NOT_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_AFTER = r"(?![A-Za-z0-9])"

# Fullwidth ASCII (U+FF01..U+FF5E) -> ASCII, ideographic space -> space: one for one.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# TLDs accepted after a *spaced* or ideographic dot ("tokenpocket 。pro", "tokenpocket。pro"):
# a curated list, because "…it . me too" or "打开TP。app" must not become links. Bracketed
# dots ("[.]") say what they are and accept any public suffix.
SPACED_DOT_TLDS: frozenset[str] = frozenset(
    """com net org io pro vip xyz top cc app info me co cn hk tw club site online shop live link cloud
    fun icu buzz asia biz ltd wang work tech store space website bond cyou sbs life world today
    finance exchange money gold ai tk ml ga cf gq ru""".split()
)


@dataclass(frozen=True, slots=True)
class Obfuscation:
    """A disguised link as found in the input: the whole link (``match``) and its position."""

    match: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A piece of the (deobfuscated) text worth classifying.

    ``kind`` is what the extractor saw (``url``, ``email``, ``handle``, ``phone``,
    ``wallet_address``); ``platform`` is what a label said (``qq``, ``wechat``,
    ``telegram``, ``solana``) and is passed to ``classify``; ``family`` names the
    :data:`FAMILIES` row that found it; ``start``/``end`` index the deobfuscated text.
    """

    text: str
    kind: str
    platform: str | None
    family: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Extraction:
    """The deobfuscated text, the candidates in order of appearance, the disguises seen."""

    text: str
    candidates: tuple[Candidate, ...]
    obfuscations: tuple[Obfuscation, ...]


def fold(text: str) -> str:
    """Fullwidth ASCII and the ideographic space to ASCII; same length, same positions."""
    return text.translate(_FOLD)


# --- 1. disguised links -------------------------------------------------------------------------

_DOT_WORD = r"(?:\.|。|｡|(?i:dot)|点)"
_BRACKETED = (
    r"(?:\[\s{0,2}" + _DOT_WORD + r"\s{0,2}\]|\(\s{0,2}" + _DOT_WORD + r"\s{0,2}\)|\{\s{0,2}" + _DOT_WORD
    + r"\s{0,2}\}|【\s{0,2}" + _DOT_WORD + r"\s{0,2}】|<\s{0,2}" + _DOT_WORD + r"\s{0,2}>)"
)
_DISGUISE = re.compile(
    # "tokenpocket[.]pro", "tokenpocket (.) pro", "tokenpocket【点】pro"
    r"(?P<bracket>(?<=[A-Za-z0-9\-])[ \t]{0,2}" + _BRACKETED + r"[ \t]{0,2}(?=[A-Za-z0-9]))"
    # "tokenpocket 。pro", "tokenpocket . pro", "tokenpocket。pro", "tokenpocket dot pro" (not "ok. me":
    # a dot followed by a space ends English sentences)
    r"|(?P<spaced>(?<=[A-Za-z0-9\-])(?:[ \t]{1,3}[.。｡][ \t]{0,3}|[。｡][ \t]{0,3}|[ \t]{1,3}(?i:dot)[ \t]{1,3})"
    r"(?=(?P<tld>[a-z]{2,12})(?![A-Za-z0-9\-])))"
    # "hxxps://", "hxxp[:]//", "https[:]//", "h**ps://"
    r"|(?P<scheme>(?<![A-Za-z0-9])(?i:h(?:xx|tt|\*\*)p(?P<s>s?))(?:\[:\]|\(:\)|:)(?://|\[//\]))"
)
_LINK_LEFT = re.compile(r"[A-Za-z0-9.\-_]{1,253}\Z")
_LINK_RIGHT = re.compile(r"[A-Za-z0-9.\-_/:?#=&%~\[\]()【】{}。｡ \t]{0,300}")
_TRAILING = ".,:;!?'\")]}>。｡ \t"


def _known_tld(tld: str) -> bool:
    return bool(public_suffix("x." + tld.lower())[1])


def _replacement(match: re.Match[str]) -> str | None:
    """What a disguise stands for, or None when it is not one after all."""
    if match.group("bracket") is not None:
        return "."
    if match.group("spaced") is not None:
        return "." if match.group("tld") in SPACED_DOT_TLDS else None
    written = match.group("scheme")
    plain = "https://" if match.group("s") else "http://"
    return None if written.lower() == plain else plain


def _whole_link(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a disguise's span to the link around it (for showing, not parsing)."""
    left = _LINK_LEFT.search(text, max(0, start - 253), start)
    begin = left.start() if left else start
    right = _LINK_RIGHT.match(text, end)
    finish = right.end() if right else end
    # The right side stops at a space unless a spaced dot follows: "a 。pro 就是" -> "a 。pro".
    piece = text[end:finish]
    cut = re.search(r"[ \t](?![ \t]*[.。｡\[(【{])", piece)
    if cut:
        finish = end + cut.start()
    while finish > end and text[finish - 1] in _TRAILING:
        finish -= 1
    return begin, finish


def deobfuscate(text: str) -> tuple[str, tuple[Obfuscation, ...]]:
    """The text with disguised links written plainly, and the disguises (input positions)."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    for match in _DISGUISE.finditer(text):
        plain = _replacement(match)
        if plain is None:
            continue
        pieces.append(text[last : match.start()])
        pieces.append(plain)
        last = match.end()
        begin, finish = _whole_link(text, match.start(), match.end())
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], finish))
        else:
            spans.append((begin, finish))
    if not spans:
        return text, ()
    pieces.append(text[last:])
    return "".join(pieces), tuple(Obfuscation(text[b:f], b, f) for b, f in spans)


# --- 2. the families ----------------------------------------------------------------------------

_LABELLED = re.compile(
    # QQ: "QQ: 88412345", "QQ号 88412345", "扣扣 88412345", "QQ群：123456"
    r"(?:" + _NOT_BEFORE + r"(?i:qq)(?:号码?|群)?|扣扣|企鹅号)[ \t]{0,3}(?:号码?)?[ \t]{0,3}[:=]?[ \t]{0,3}"
    r"(?P<qq>[1-9][0-9]{4,11})(?![0-9])"
    # WeChat: English labels need a colon ("WeChat: x"); Chinese ones do not ("加V x", "微信 x").
    r"|(?:" + _NOT_BEFORE + r"(?i:wechat(?:[ \t]?id)?|weixin|wx)[ \t]{0,3}[:=][ \t]{0,3}"
    r"|(?:微信号?|薇信|威信|加微|(?i:v信|加v)|" + _NOT_BEFORE + r"(?i:vx))[ \t]{0,3}(?:号)?[ \t]{0,3}[:=]?[ \t]{0,3})"
    r"(?P<wechat>[A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-@]|[.:/][A-Za-z0-9/])"
    # Telegram: "TG: @name", "Telegram @name", "电报 @name", "飞机号: name"
    r"|(?:" + _NOT_BEFORE + r"(?i:telegram|tg)[ \t]{0,3}(?:[:=][ \t]{0,3}@?|@)"
    r"|(?:电报|纸飞机|飞机)(?:号|账号)?[ \t]{0,3}[:=]?[ \t]{0,3}@?)"
    r"(?P<telegram>[A-Za-z][A-Za-z0-9_]{3,31})(?![A-Za-z0-9_@]|[.:/][A-Za-z0-9/])"
    # Solana addresses are plain base58: only when labelled.
    r"|" + _NOT_BEFORE + r"(?i:solana|sol)(?:[ \t]{0,3}(?:地址|钱包|(?i:address|addr|wallet)))?[ \t]{0,3}[:=]?[ \t]{0,3}"
    r"(?P<solana>" + _B58 + r"{32,44})" + _NOT_AFTER
)
_LABEL_PLATFORMS = {"qq": ("handle", "qq"), "wechat": ("handle", "wechat"), "telegram": ("handle", "telegram"),
                    "solana": ("wallet_address", "solana")}

_SCHEME_URL = re.compile(_NOT_BEFORE + r"(?i:https?|tg)://" + _URLCH + r"{1,2048}")

_ADDR = r"[A-Za-z0-9._%+\-]{1,64}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}"
_EMAIL = re.compile(
    # "Name <addr>" with a quoted name, or a name that starts a line or follows a colon
    # ("From: TokenPocket Security <x@y>"), so "please write to X <addr>" keeps only the address.
    r"(?:(?:\"[^\"\n<>]{1,80}\"|(?:^|(?<=:))[ \t]{0,3}[^\s<>\"@:][^<>\"@:\n]{0,60}?)[ \t]{0,3})?"
    r"<[ \t]{0,3}" + _ADDR + r"[ \t]{0,3}>"
    r"|(?<![A-Za-z0-9._%+\-])" + _ADDR + r"(?![A-Za-z0-9\-])",
    re.MULTILINE,
)

_WALLET = re.compile(
    _NOT_BEFORE
    + r"(?:0x[0-9a-fA-F]{40}|T" + _B58 + r"{33}|[13]" + _B58 + r"{25,34}"
    + r"|bc1[02-9ac-hj-np-z]{6,87}|BC1[02-9AC-HJ-NP-Z]{6,87})"
    + _NOT_AFTER
)

_DOMAIN = re.compile(
    f"(?<![A-Za-z0-9\\-_.@/%{_LETTERS}])"
    f"(?:{_HOSTCH}{{1,63}}\\.){{1,10}}(?P<tld>[A-Za-z]{{2,24}}|xn--[A-Za-z0-9\\-]{{1,59}})"
    f"(?![A-Za-z0-9\\-{_LETTERS}])(?::[0-9]{{1,5}})?(?:[/?#]{_URLCH}{{0,2048}})?"
)

_HANDLE = re.compile(r"(?<![A-Za-z0-9_.@/\-])@[A-Za-z0-9_][A-Za-z0-9_.]{0,63}")

_PHONE = re.compile(
    # international: "+86 138 0013 8000", "+1 (415) 555-0132"
    r"(?<![0-9A-Za-z+])\+[1-9][0-9 \-().]{4,22}[0-9](?![0-9])"
    # Chinese mobiles: "13800138000", "138-0013-8000", "0086 138…"
    r"|(?<![0-9A-Za-z])(?:0086[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9A-Za-z])"
    # 400 / 800 hotlines: "400-820-8820"
    r"|(?<![0-9A-Za-z])[48]00[ \-]?[0-9]{3}[ \-]?[0-9]{4}(?![0-9A-Za-z])"
)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop trailing sentence punctuation and unbalanced closing brackets from a link."""
    while end > start:
        last = text[end - 1]
        if last in ".,:;!?'\"":
            end -= 1
        elif last in ")]":
            opening = "(" if last == ")" else "["
            piece = text[start:end]
            if piece.count(opening) >= piece.count(last):
                break
            end -= 1
        else:
            break
    return start, end


def _labelled(text: str) -> list[tuple[int, int, str, str | None]]:
    out = []
    for match in _LABELLED.finditer(text):
        name = match.lastgroup
        assert name is not None
        kind, platform = _LABEL_PLATFORMS[name]
        out.append((match.start(name), match.end(name), kind, platform))
    return out


def _scheme_urls(text: str) -> list[tuple[int, int, str, str | None]]:
    return [(*_trim(text, m.start(), m.end()), "url", None) for m in _SCHEME_URL.finditer(text)]


def _emails(text: str) -> list[tuple[int, int, str, str | None]]:
    out = []
    for match in _EMAIL.finditer(text):
        start = match.start()
        while text[start] in " \t":  # the optional name's leading blanks
            start += 1
        out.append((start, match.end(), "email", None))
    return out


def _wallets(text: str) -> list[tuple[int, int, str, str | None]]:
    return [(m.start(), m.end(), "wallet_address", None) for m in _WALLET.finditer(text)]


def _domains(text: str) -> list[tuple[int, int, str, str | None]]:
    out = []
    for match in _DOMAIN.finditer(text):
        tld = match.group("tld")
        # "it.So" is a sentence, not a link: a TLD is written lower or upper case.
        if not (tld.islower() or tld.isupper()) or not _known_tld(tld):
            continue
        out.append((*_trim(text, match.start(), match.end()), "url", None))
    return out


def _handles(text: str) -> list[tuple[int, int, str, str | None]]:
    out = []
    for match in _HANDLE.finditer(text):
        start, end = match.start(), match.end()
        while text[end - 1] == ".":
            end -= 1
        if end - start >= 2:
            out.append((start, end, "handle", None))
    return out


def _phones(text: str) -> list[tuple[int, int, str, str | None]]:
    return [(m.start(), m.end(), "phone", None) for m in _PHONE.finditer(text)]


# Priority order: an earlier family's span is never re-read by a later one.
FAMILIES: tuple[tuple[str, Callable[[str], list[tuple[int, int, str, str | None]]]], ...] = (
    ("labelled", _labelled),  # "QQ: …", "微信: …", "TG: @…", "SOL: …" carry their platform
    ("scheme_url", _scheme_urls),  # before e-mail: "https://x.example/?to=a@b.example" is one link
    ("email", _emails),
    ("wallet", _wallets),
    ("domain", _domains),  # bare domains and links without a scheme, "t.me/…" included
    ("handle", _handles),
    ("phone", _phones),
)


def find_candidates(text: str) -> tuple[Candidate, ...]:
    """Every candidate in ``text`` (already folded and deobfuscated), in order of appearance."""
    claimed = bytearray(len(text))
    found: list[Candidate] = []
    for family, finder in FAMILIES:
        for start, end, kind, platform in finder(text):
            if end <= start or claimed.find(1, start, end) != -1:
                continue
            claimed[start:end] = b"\x01" * (end - start)
            found.append(Candidate(text[start:end], kind, platform, family, start, end))
    found.sort(key=lambda c: c.start)
    return tuple(found)


def extract(text: str) -> Extraction:
    """Fold, deobfuscate and find the candidates of a message (see the module docstring)."""
    plain, disguises = deobfuscate(fold(text))
    return Extraction(plain, find_candidates(plain), disguises)
