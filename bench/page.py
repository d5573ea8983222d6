"""`make bench`, deep check part: how long reading a typical 200 KB page takes (HTML → page
summary → reasons), without the network: the page is built here, realistic in shape (a
navigation bar, many paragraphs and links, images, inline scripts, a form).

Then the parser comparison of issue 12: ms to parse each 2 MiB hostile page of
:data:`HOSTILE` into a tree (and to find its inputs) with html.parser (BeautifulSoup, what the
deep check used), lxml and selectolax (Lexbor, what it uses now), and the deep check's whole
reading (``read_html``, with its caps). "inputs" shows what each parser saw of the page: lxml
(libxml2) stops building the tree at a depth of 256 without a word.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def typical_page(target_bytes: int = 200 * 1024) -> bytes:
    head = ("<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>TokenPocket 官方客服中心</title>"
            "<meta name='description' content='TP钱包 在线客服'><link rel='icon' href='/tokenpocket-logo.ico'>"
            "<script>window.dataLayer=[];function approve(){ethereum.request({method:'eth_requestAccounts'})}</script>"
            "</head><body><nav>" + "".join(f"<a href='/section/{i}'>栏目 {i}</a>" for i in range(40)) + "</nav>")
    block = ("<article><h2>钱包安全小贴士 Wallet safety</h2><p>" + "区块链钱包的资产由私钥控制。" * 20 +
             "</p><p>" + "Keep your wallet software up to date and check every address twice. " * 12 +
             "</p><img src='/img/banner.png' alt='banner'><a href='https://t.me/tp_kefu_888'>客服</a>"
             "<a href='https://example-news.com/a'>news</a></article>")
    form = ("<form action='https://collect.example-drop.net/s' method='post'>" +
            "".join(f"<input type='text' name='w{i}'>" for i in range(12)) + "<input type='password'></form>")
    body = head.encode()
    while len(body) < target_bytes - 2000:
        body += block.encode()
    return body + form.encode() + b"<p>\xe8\xaf\xb7\xe8\xbe\x93\xe5\x85\xa5\xe5\x8a\xa9\xe8\xae\xb0\xe8\xaf\x8d</p></body></html>"


MiB = 1024 * 1024


def _fill(unit: bytes, size: int = 2 * MiB) -> bytes:
    head = b"<!doctype html><html><head><title>TokenPocket</title></head><body>"
    return head + unit * ((size - len(head)) // len(unit))


# 2 MiB each: what a hostile page can be made of.
HOSTILE: dict[str, bytes] = {
    "typical page, 2 MiB": typical_page(2 * MiB),
    "100k links": _fill(b"<a href='/x'>tp</a>"),
    "nested <div>s": _fill(b"<div>"),
    "inputs in nested <div>s": _fill(b"<div><input type=text>"),
    "unclosed <p><b><i>": _fill(b"<p><b><i>x"),
}
# html.parser on a page: seconds at most (it is run in a child process, which is stopped then).
SLOW_LIMIT = 60.0


def _parse(parser: str, body: bytes) -> int:
    """Parse ``body`` into a tree with ``parser``; the number of inputs it found."""
    if parser == "html.parser":
        from bs4 import BeautifulSoup

        return len(BeautifulSoup(body, "html.parser").find_all("input"))
    if parser == "lxml":
        import lxml.html

        return len(lxml.html.document_fromstring(body).findall(".//input"))
    from selectolax.lexbor import LexborHTMLParser

    return len(LexborHTMLParser(body.decode("utf-8", "replace")).css("input"))


def _timed_in_child(parser: str, name: str) -> tuple[float | None, int | None]:
    """(ms, inputs) of one parse in a fresh process (no cache or heap shared between parsers),
    or (None, None) past SLOW_LIMIT."""
    import subprocess

    code = ("import sys, time; sys.path.insert(0, %r); sys.path.insert(0, %r); import page; body = page.HOSTILE[%r]; "
            "s = time.perf_counter(); n = page._parse(%r, body); print((time.perf_counter() - s) * 1000, n)"
            % (str(ROOT), str(Path(__file__).parent), name, parser))
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=SLOW_LIMIT, check=True)
    except subprocess.TimeoutExpired:
        return None, None
    ms, inputs = out.stdout.split()
    return float(ms), int(inputs)


def parser_comparison() -> None:
    from verifier.deep.page_html import read_html

    print("\ndeep check: parsing a 2 MiB hostile page (ms to a tree; inputs found), and the whole reading")
    print(f"  {'page':26s} {'html.parser':>16s} {'lxml':>16s} {'selectolax':>16s} {'read_html (caps)':>22s}")
    for name, body in HOSTILE.items():
        cells = []
        for parser in ("html.parser", "lxml", "selectolax"):
            ms, inputs = _timed_in_child(parser, name)
            cells.append(f"{ms:9.0f} ({inputs:>5d})" if ms is not None else f">{SLOW_LIMIT:.0f} s".rjust(16))
        start = time.perf_counter()
        reading = read_html(body, "https://help-desk-24.top/")
        took = (time.perf_counter() - start) * 1000
        cut = f"cut: {reading.cut}" if reading.cut else "whole"
        print(f"  {name:26s} {cells[0]:>16s} {cells[1]:>16s} {cells[2]:>16s} {took:9.0f} ms {cut:>11s}")


def main() -> int:
    from verifier import page
    from verifier.check import Verifier
    from verifier.deep.page_html import summarise_html
    from verifier.registry.schema import parse_registry

    registry = parse_registry(json.loads((ROOT / "data" / "official_channels.json").read_text(encoding="utf-8")))
    moment = registry.issued_at + timedelta(days=1)
    verifier = Verifier(registry, clock=lambda: moment)
    html = typical_page()
    summarise, analyse = [], []
    for _ in range(7):
        start = time.perf_counter()
        summary = summarise_html(html, "https://help-desk-24.top/")
        middle = time.perf_counter()
        reasons = page.analyse_summary(summary, "help-desk-24.top", verifier)
        summarise.append(middle - start)
        analyse.append(time.perf_counter() - middle)
    print("\ndeep check: reading a typical page (no network)")
    print(f"  page size                                {len(html) / 1024:8.0f} KB")
    print(f"  HTML -> page summary (median of 7)        {statistics.median(summarise) * 1000:8.1f} ms")
    print(f"  summary -> reasons (median of 7)          {statistics.median(analyse) * 1000:8.1f} ms")
    print(f"  signs found: {', '.join(r.code for r in reasons)}")
    parser_comparison()
    return 0


if __name__ == "__main__":
    sys.exit(main())
