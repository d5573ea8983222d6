"""Ordinary words: a near name made of them is somebody's own name, not a misspelling.

Two edits from an 11-letter brand is usually a fake ("tokenpabket"), but not when the name
is the brand's own word beside another ordinary word: "tokenbucket" is a token bucket. The
frequencies come from ``wordfreq`` (maintained data from many corpora), read on the first
near name that needs them, so a start-up or a feed of unrelated names never loads them.
"""

from __future__ import annotations

from functools import lru_cache

#: Zipf frequency from which a word is ordinary (3 = once per million words: "bucket" 4.1,
#: "packet" 3.8; made-up fragments such as "pabket" are 0).
ORDINARY_ZIPF = 3.0
MIN_WORD = 3


@lru_cache(maxsize=4096)
def is_ordinary_word(word: str) -> bool:
    if len(word) < MIN_WORD or not word.isascii() or not word.isalpha():
        return False
    from wordfreq import zipf_frequency  # heavy data: only when a near name asks

    return zipf_frequency(word, "en", wordlist="small") >= ORDINARY_ZIPF


def made_of_words(name: str, brand_words: frozenset[str]) -> bool:
    """``name`` is two ordinary words, at least one of them not the brand's own
    ("token" + "bucket"), so its closeness to the brand is the closeness of two words."""
    for cut in range(MIN_WORD, len(name) - MIN_WORD + 1):
        head, tail = name[:cut], name[cut:]
        if (head in brand_words or is_ordinary_word(head)) and (tail in brand_words or is_ordinary_word(tail)):
            if not (head in brand_words and tail in brand_words):
                return True
    return False
