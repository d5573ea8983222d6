"""Typosquat candidates of a name, dnstwist-style: small named fuzzers over data tables.

Each fuzzer yields the misspellings one kind of slip produces; the fuzzer's name travels with
the candidate and becomes the detail of the reason ("omission", "bitsquatting", ...). They
run once per official name when the registry loads; a check is then a dictionary lookup.
Edit distance (``near``) catches what no fuzzer generated, with a threshold scaled to length.
"""

from __future__ import annotations

from typing import Callable, Iterator

from rapidfuzz.distance import DamerauLevenshtein

from verifier.heuristics.tables import ASCII_LOOKALIKES, HOSTNAME_ALPHABET, KEYBOARD_NEIGHBOURS, VOWELS

Fuzzer = Callable[[str], Iterator[str]]


def addition(name: str) -> Iterator[str]:
    for ch in HOSTNAME_ALPHABET:
        yield name + ch


def bitsquatting(name: str) -> Iterator[str]:
    for i, ch in enumerate(name):
        for bit in range(8):
            flipped = chr(ord(ch) ^ (1 << bit)).lower()
            if flipped in HOSTNAME_ALPHABET and flipped != ch:
                yield name[:i] + flipped + name[i + 1 :]


def homoglyph_ascii(name: str) -> Iterator[str]:
    for a, b in ASCII_LOOKALIKES:
        for src, dst in ((a, b), (b, a)):
            start = name.find(src)
            while start != -1:
                yield name[:start] + dst + name[start + len(src) :]
                start = name.find(src, start + 1)


def hyphenation(name: str) -> Iterator[str]:
    for i in range(1, len(name)):
        if name[i - 1] != "-" and name[i] != "-":
            yield name[:i] + "-" + name[i:]


def insertion(name: str) -> Iterator[str]:
    for i, ch in enumerate(name):
        for near in KEYBOARD_NEIGHBOURS.get(ch, ""):
            yield name[:i] + near + name[i:]
            yield name[: i + 1] + near + name[i + 1 :]


def omission(name: str) -> Iterator[str]:
    for i in range(len(name)):
        yield name[:i] + name[i + 1 :]


def repetition(name: str) -> Iterator[str]:
    for i, ch in enumerate(name):
        if ch.isalnum():
            yield name[:i] + ch + name[i:]


def replacement(name: str) -> Iterator[str]:
    for i, ch in enumerate(name):
        for near in KEYBOARD_NEIGHBOURS.get(ch, ""):
            yield name[:i] + near + name[i + 1 :]


def transposition(name: str) -> Iterator[str]:
    for i in range(len(name) - 1):
        if name[i] != name[i + 1]:
            yield name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def vowel_swap(name: str) -> Iterator[str]:
    for i, ch in enumerate(name):
        if ch in VOWELS:
            for other in VOWELS:
                if other != ch:
                    yield name[:i] + other + name[i + 1 :]


def dehyphenation(name: str) -> Iterator[str]:
    if "-" in name:
        yield name.replace("-", "")


# Order matters only for naming: the first fuzzer to produce a candidate names it.
FUZZERS: tuple[tuple[str, Fuzzer], ...] = (
    ("homoglyph", homoglyph_ascii),
    ("transposition", transposition),
    ("omission", omission),
    ("repetition", repetition),
    ("vowel_swap", vowel_swap),
    ("hyphenation", hyphenation),
    ("replacement", replacement),
    ("insertion", insertion),
    ("dehyphenation", dehyphenation),
    ("bitsquatting", bitsquatting),
    ("addition", addition),
)


def candidates(name: str) -> dict[str, str]:
    """Every misspelling of ``name`` the fuzzers produce → the fuzzer that made it."""
    out: dict[str, str] = {}
    for fuzzer_name, fuzzer in FUZZERS:
        for candidate in fuzzer(name):
            if candidate and candidate != name and _valid_label(candidate):
                out.setdefault(candidate, fuzzer_name)
    return out


def _valid_label(label: str) -> bool:
    return not label.startswith("-") and not label.endswith("-") and all(c in HOSTNAME_ALPHABET for c in label)


def max_distance(length: int) -> int:
    """Edits tolerated for a name of this length: short names must match more closely.

    A person in a hurry reads an 11-letter name with two letters changed as the name
    ("tokenpabket"), an 8-letter one with one, a 4-letter one with none. How much those edits
    may weigh is :func:`max_cost`.
    """
    if length >= 9:
        return 2
    if length >= 5:
        return 1
    return 0


def max_cost(length: int) -> float:
    """The weight of edits (:func:`slip_cost`) tolerated for a name of this length.

    Below 8 letters one *unrelated* letter makes another ordinary word ("cptool" is not
    "tptool"): only a slip counts there (a neighbouring key, a look-alike glyph, a vowel for a
    vowel, a doubled, dropped or swapped letter).
    """
    if length >= 9:
        return 2.0
    if length >= 8:
        return 1.0
    if length >= 5:
        return SLIP
    return 0.0


#: What one slip weighs against an unrelated edit (1.0).
SLIP = 0.5
#: Up to this weight a misspelling is answered ``impersonation``: one unrelated edit, or one
#: unrelated edit and a slip. Two unrelated edits on a long name are ``suspicious``.
IMPERSONATION_COST = 1.5

_LOOKALIKE_PAIRS = frozenset((a, b) for a, b in ASCII_LOOKALIKES if len(a) == len(b) == 1) | frozenset(
    (b, a) for a, b in ASCII_LOOKALIKES if len(a) == len(b) == 1
)


def _substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if b in KEYBOARD_NEIGHBOURS.get(a, "") or (a, b) in _LOOKALIKE_PAIRS or (a in VOWELS and b in VOWELS):
        return SLIP
    return 1.0


def _insertion_cost(inserted: str, before: str, after: str) -> float:
    """An extra letter next to itself ("tokennpocket") or next to its key neighbour is a slip."""
    for near in (before, after):
        if near and (inserted == near or inserted in KEYBOARD_NEIGHBOURS.get(near, "")):
            return SLIP
    return 1.0


def slip_cost(typed: str, official: str) -> float:
    """Weighted optimal-string-alignment distance from ``official`` to ``typed``.

    Slips weigh :data:`SLIP`: a neighbouring key or look-alike glyph for a letter, a vowel for
    a vowel, a doubled or keyboard-adjacent extra letter, a dropped letter, two adjacent
    letters swapped. Any other edit weighs 1. Called only on names already within
    :func:`max_distance`, so its quadratic cost is paid rarely.
    """
    n, m = len(official), len(typed)
    prev2: list[float] = []
    prev = [j * 1.0 for j in range(m + 1)]
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + _insertion_cost(typed[j - 1], typed[j - 2] if j > 1 else "", official[0] if n else "")
    for i in range(1, n + 1):
        row = [prev[0] + SLIP] + [0.0] * m
        for j in range(1, m + 1):
            a, b = official[i - 1], typed[j - 1]
            best = min(
                prev[j] + SLIP,  # official letter dropped
                row[j - 1] + _insertion_cost(b, typed[j - 2] if j > 1 else "", a),  # extra letter typed
                prev[j - 1] + _substitution_cost(a, b),
            )
            if i > 1 and j > 1 and a == typed[j - 2] and official[i - 2] == b and a != b:
                best = min(best, prev2[j - 2] + SLIP)  # adjacent letters swapped
            row[j] = best
        prev2, prev = prev, row
    return prev[m]


def deletes(name: str, depth: int = 1) -> set[str]:
    """The name and its deletions of up to ``depth`` characters: a symmetric-delete key set
    (SymSpell). Index official names at depth 2 and look inputs up at depth 1: any two names
    within edit distance 2 then share a key, and lookup cost does not grow with the registry.
    """
    keys = {name}
    frontier = {name}
    for _ in range(depth):
        frontier = {n[:i] + n[i + 1 :] for n in frontier for i in range(len(n))}
        keys |= frontier
    return keys


def distance(a: str, b: str) -> int:
    return int(DamerauLevenshtein.distance(a, b))
