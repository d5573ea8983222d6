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

_PLAIN = re.compile(r"[a-z._-]*\Z")
# Multi-letter ASCII sequences a glance reads as one letter ("rn" → "m"), from the same data.
_SEQUENCES: tuple[tuple[str, str], ...] = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("nn", "m"))


@lru_cache(maxsize=1)
def _char_map() -> dict[str, str]:
    """Character → the ASCII letter or digit it is confusable with."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    table: dict[str, list[dict[str, str]]] = json.loads(raw)
    out: dict[str, str] = {}
    for char, entries in table.items():
        if len(char) != 1 or ("a" <= char <= "z"):
            continue
        # Direct pairs only, as in the data: a letter is confusable with what its row lists.
        targets = [e["c"].strip("\u200e").lower() for e in entries]
        ascii_targets = [t for t in targets if len(t) == 1 and t.isascii() and t.isalnum()]
        letters = [t for t in ascii_targets if t.isalpha()]
        if ascii_targets:
            out[char] = (letters or ascii_targets)[0]
    # Digits that read as letters: map them to the letter (the table links them both ways).
    out.update({"0": "o", "1": "l", "|": "l"})
    return out


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """Lower-case ASCII skeleton: confusables mapped to the letter they imitate."""
    lowered = text.lower()
    if not _PLAIN.match(text):
        mapping = _char_map()
        # Map before and after NFKD so both precomposed and decomposed forms are covered.
        chars = []
        for ch in unicodedata.normalize("NFKC", text):
            mapped = mapping.get(ch)
            if mapped is None:
                low = ch.lower()
                mapped = mapping.get(low, low)
            chars.append(mapped)
        lowered = "".join(chars)
        lowered = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
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
