"""Confusable skeletons (after Unicode UTS #39) and mixed-script detection.

``skeleton("tоkenpοcket")`` (Cyrillic о, Greek ο) == ``skeleton("tokenpocket")``: two strings
with one skeleton look alike to a person. The data is the Unicode confusables table as shipped
by ``confusable-homoglyphs`` (maintained data, not a hand list); we keep only the mappings
that land on ASCII letters and digits, since every official name is ASCII.

The table is loaded on first use of a non-ASCII or digit-bearing string, so a start-up that
only sees plain names does not pay for it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

# Multi-letter ASCII sequences a glance reads as one letter ("rn" → "m"), from the same data.
_SEQUENCES: tuple[tuple[str, str], ...] = (("rn", "m"), ("vv", "w"))


@lru_cache(maxsize=1)
def _char_map() -> dict[str, str]:
    """Character → the ASCII letter or digit it is confusable with."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    table: dict[str, list[dict[str, str]]] = json.loads(raw)
    out: dict[str, str] = {}
    for char, entries in table.items():
        # ASCII letters stay themselves (upper case is folded below), except "I", which
        # reads as "l" in most sans-serif fonts.
        if len(char) != 1 or char.isascii() and char.isalpha():
            continue
        # Direct pairs only, as in the data: a letter is confusable with what its row lists.
        targets = [e["c"].strip("\u200e").lower() for e in entries]
        ascii_targets = [t for t in targets if len(t) == 1 and t.isascii() and t.isalnum()]
        letters = [t for t in ascii_targets if t.isalpha()]
        if ascii_targets:
            out[char] = (letters or ascii_targets)[0]
    # Digits that read as letters: map them to the letter (the table links them both ways).
    # Latin letters with a stroke, hook, bar or tail, and small capitals ("ƫ", "ø", "ŧ", "ᴋ",
    # "ƥ") read as their base letter but are not all in the confusables data: derive them
    # from the Unicode character names, which say which letter they are.
    for block_start, block_end in _LATIN_BLOCKS:
        for code in range(block_start, block_end + 1):
            char = chr(code)
            if char in out:
                continue
            match = _LATIN_NAME.fullmatch(unicodedata.name(char, ""))
            if match:
                out[char] = (match.group(1) or match.group(2)).lower()
    # Ligatures read as their letters: "œ" is "oe" ("tokenpœket"), "ĳ" is "ij".
    for block_start, block_end in _LATIN_BLOCKS:
        for code in range(block_start, block_end + 1):
            ligature = _LATIN_LIGATURE.fullmatch(unicodedata.name(chr(code), ""))
            if ligature and chr(code) not in out:
                out[chr(code)] = (ligature.group(1) or ligature.group(2)).lower()
    out.update(LATIN_LOOKALIKES)
    out.update(ASCII_CONFUSABLES)
    return out


# Latin letters whose names do not say what they look like (dnstwist's glyph table uses them).
LATIN_LOOKALIKES = {"ĸ": "k", "ƿ": "p", "ŋ": "n", "ɑ": "a", "ɡ": "g", "ı": "l", "ȷ": "j", "ʟ": "l",
                    # A turned "e" in form, but used for "a" (dnstwist lists it among the "a"s):
                    # "tpwəllet". A "tokənpocket" is still one edit from the name.
                    "ə": "a",
                    # The confusables data pairs it with "y"; its name and glyph are a "v" with a
                    # hook below, and "ᶌᶌ" passes for "w" (dnstwist's "tpᶌᶌallet").
                    "ᶌ": "v"}


_LATIN_BLOCKS = ((0x00C0, 0x024F), (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F), (0xA720, 0xA7FF))
_LATIN_LIGATURE = re.compile(r"LATIN (?:SMALL |CAPITAL )?(?:LIGATURE ([A-Z]{2,3})|LETTER (AE)(?: WITH .*)?)")
_LATIN_NAME = re.compile(r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL ([A-Z])|([A-Z])(?: WITH .*)?)")


# The only ASCII characters the confusables data maps (checked by a test against the data):
# plain ASCII never needs the table loaded.
ASCII_CONFUSABLES = {"|": "l", "1": "l", "0": "o", "I": "l"}
_ASCII_TABLE = str.maketrans(ASCII_CONFUSABLES)


#: Each character's skeleton (its mapping, decomposed, marks dropped), computed once: a
#: lookalike domain is a few characters repeated across many inputs. Bounded: characters past
#: the cap are computed each time, so made-up input cannot grow it without limit.
_CHAR_SKELETONS: dict[str, str] = {}
_CHAR_CACHE_CAP = 20_000


def _char_skeleton(ch: str) -> str:
    mapping = _char_map()
    mapped = mapping.get(ch)
    if mapped is None:
        # Some small letters are listed only through their capital (Cyrillic "т" via "Т").
        low = ch.lower()
        mapped = mapping.get(low) or (None if ch.isascii() else mapping.get(ch.upper())) or low
    # Decomposed after mapping, so precomposed and decomposed forms both end as base letters;
    # per character, as NFKD decomposes each code point on its own (marks are dropped anyway).
    out = "".join(c for c in unicodedata.normalize("NFKD", mapped) if not unicodedata.combining(c))
    if len(_CHAR_SKELETONS) < _CHAR_CACHE_CAP:
        _CHAR_SKELETONS[ch] = out
    return out


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """Lower-case ASCII skeleton: confusables mapped to the letter they imitate."""
    if text.isascii():
        lowered = text.translate(_ASCII_TABLE).lower()
    else:
        known = _CHAR_SKELETONS
        lowered = "".join([known[ch] if ch in known else _char_skeleton(ch) for ch in unicodedata.normalize("NFKC", text)])
    for seq, letter in _SEQUENCES:
        if seq in lowered:
            lowered = lowered.replace(seq, letter)
    return lowered


def scripts(text: str) -> frozenset[str]:
    """The scripts of the letters in ``text`` (digits and punctuation are ignored)."""
    from confusable_homoglyphs import categories

    found = set()
    for ch in text:
        if ch.isalpha():
            found.add(categories.alias(ch))
    return frozenset(found)


def is_mixed_script(text: str) -> bool:
    """Letters from more than one script, Latin+Han (e.g. "tp钱包") excepted as ordinary."""
    found = scripts(text) - {"COMMON", "INHERITED"}
    if found <= {"LATIN", "HAN"} or found <= {"LATIN", "HAN", "HIRAGANA", "KATAKANA"} or found <= {"LATIN", "HANGUL"}:
        return False
    return len(found) > 1


# A looser, ASCII-only reading for whole-name comparison: letters that blur together at a
# glance or in small type (dnstwist's ASCII glyph table): "tokcnpockct", "t0lcenpocket",
# "tokempoclcet" all read as "tokenpocket".
# "d" is first spelt out as the "cl" it looks like, so a "cl" that came from a "k" ("lc") can be
# read back: "tokenpodcet" → "tokcnpoclcct" → "tokcnpockct", the loose reading of the name.
_LOOSE_CHARS_FIRST = str.maketrans(
    {"i": "l", "1": "l", "|": "l", "0": "o", "5": "s", "e": "c", "v": "u", "q": "g", "d": "cl"}
)
_LOOSE_SEQUENCES = (("lc", "k"), ("cl", "d"), ("uu", "w"), ("rn", "m"), ("nn", "m"), ("rr", "m"))
_LOOSE_CHARS_LAST = str.maketrans({"m": "n", "r": "n"})


@lru_cache(maxsize=65536)
def loose_skeleton(text: str) -> str:
    """``skeleton`` with visually close ASCII letters merged; for names of 5+ letters only."""
    out = skeleton(text).translate(_LOOSE_CHARS_FIRST)
    for seq, letter in _LOOSE_SEQUENCES:
        out = out.replace(seq, letter)
    return out.translate(_LOOSE_CHARS_LAST)
