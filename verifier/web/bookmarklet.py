"""The bookmarklet: ``static/bookmarklet.src.js`` made into a ``javascript:`` URL for one origin.

The readable source has two placeholders, filled here: ``__ORIGIN__`` (this service's origin,
where the bookmarklet opens the checker) and ``__SECRET_TERMS__`` (the words of
:data:`verifier.page.SECRET_TERMS`, so the bookmarklet and the page analysis agree). The
minifier is deliberately simple: it drops comment lines and indentation and joins the lines,
so the source must end every statement with ``;`` or a brace (the browser test runs the
result, so a mistake fails a test, not a user).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from verifier.page import SECRET_TERMS

SOURCE = Path(__file__).with_name("static") / "bookmarklet.src.js"
# Characters left as they are in the javascript: URL; everything else is percent-encoded
# (the browser decodes the URL once before running it, so a literal % must become %25).
_SAFE = "!$&'()*+,-./:;=?@_~[]{}<>|^\"`"
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+")


def minify(source: str) -> str:
    """Drop ``//`` comment lines, ``/* */`` blocks and indentation; join the lines."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    lines = (line.strip() for line in source.splitlines())
    return "".join(line for line in lines if line and not line.startswith("//"))


def origin_of(url_root: str) -> str:
    """``scheme://host[:port]`` of the service, from Flask's ``request.url_root``."""
    parts = urlsplit(url_root)
    origin = f"{parts.scheme}://{parts.netloc}"
    if not _ORIGIN.fullmatch(origin):
        raise ValueError(f"not a plain http(s) origin: {origin!r}")
    return origin


@lru_cache(maxsize=16)
def script(origin: str) -> str:
    """The minified JavaScript of the bookmarklet for ``origin``."""
    source = SOURCE.read_text(encoding="utf-8")
    source = source.replace("__ORIGIN__", json.dumps(origin)).replace(
        "__SECRET_TERMS__", json.dumps(list(SECRET_TERMS), ensure_ascii=True)
    )
    return minify(source)


def href(origin: str) -> str:
    """The ``javascript:`` URL to drag to the bookmarks bar."""
    return "javascript:" + quote(script(origin), safe=_SAFE)
