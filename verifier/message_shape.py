"""Whether refused text is a whole message rather than one channel gone wrong.

A pasted chat message sent where one value is expected ("Hi, I am TokenPocket support, mail
me at help@tp-support.com") is refused by its first recogniser (here ``invalid_email``: it
has an ``@``), and that refusal's words ("not a valid email address") send the person looking
for a typo. :class:`verifier.check.Verifier` asks :func:`looks_like_message` about text it
refused for its shape, and answers ``looks_like_message`` instead (presenters point to the
scanner: ``POST /api/v1/scan``, ``verifier scan``).

The principle, not a list of strings — text is a message when it has what one value never has:

* several lines with a word on them (a letter or digit; control characters are no text);
* three or more words (whitespace-separated tokens with a letter or digit in them);
* two words and sentence punctuation (``, . ! ? ; :`` before a space or at the end, or any of
  ``，。！？；：、``), or two words in a long text (``LONG_CHARS``);
* Chinese (CJK) text: ``CJK_SENTENCE`` ideographs or more, or fewer next to something else
  (an address, a link, a number: CJK text around an address, which has no spaces).

One value with a typo ("support@@tokenpocket.pro", "john doe@example.com", "!!!") is none of
these, and keeps its own refusal.

Pure: no Flask, no network.
"""

from __future__ import annotations

import re

#: Two words this long are a sentence (the web page's threshold for a message too).
LONG_CHARS = 80
#: This many ideographs are Chinese text on their own ("我是官方客服请联系": nine).
CJK_SENTENCE = 6
#: Fewer ideographs still make a message when something else stands next to them.
CJK_AROUND = 2

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_SENTENCE_PUNCT = re.compile(r"[,.!?;:](?=\s|$)|[，。！？；：、]")
_WORD = re.compile(r"\w", re.UNICODE)
# Something that is not Chinese text: an address, a link, a number, a Latin word.
_OTHER = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._:/\-]{2,}")


def looks_like_message(text: str) -> bool:
    """True when ``text`` has the shape of a message (see the module's principle)."""
    stripped = text.strip()
    if not stripped:
        return False
    if sum(1 for line in stripped.splitlines() if _WORD.search(line)) >= 2:
        return True
    words = [token for token in stripped.split() if _WORD.search(token)]
    if len(words) >= 3:
        return True
    if len(words) == 2 and (_SENTENCE_PUNCT.search(stripped) or len(stripped) >= LONG_CHARS):
        return True
    ideographs = len(_CJK.findall(stripped))
    if ideographs >= CJK_SENTENCE:
        return True
    return ideographs >= CJK_AROUND and _OTHER.search(stripped) is not None
