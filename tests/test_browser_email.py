"""The e-mail mode in a real browser (Debian's chromium through Playwright, as tests/test_browser.py):
a forged "TokenPocket security notice" pasted on the zh page shows the verdict and why; a
genuine signed one uploaded as an .eml file shows official_sender. Keys and DMARC come from the
loopback DNS server of tests/mail_fixtures.py; nothing reaches the internet."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mail_fixtures import MAIL_DOMAIN, OFFICIAL_ADDRESS, LoopbackDNS, mail, rsa_key, sign
from registry_fixtures import make_key, sign_doc
from test_browser import Served, browser, context, shot  # noqa: F401 - fixtures and helpers shared
from test_email import add_mail_domains
from verifier.config import Settings
from verifier.registry.schema import format_timestamp


@pytest.fixture(scope="module")
def mail_key():
    return rsa_key("s2026", MAIL_DOMAIN)


@pytest.fixture(scope="module")
def mail_checker(tmp_path_factory, shipped_doc, mail_key):
    from verifier.web import create_app

    dns = LoopbackDNS({mail_key.name: [mail_key.record], f"_dmarc.{MAIL_DOMAIN}": ["v=DMARC1; p=reject"]})
    key = make_key()
    doc = add_mail_domains(shipped_doc)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc["issued_at"] = format_timestamp(now - timedelta(hours=1))
    doc["expires_at"] = format_timestamp(now + timedelta(days=59))
    raw, sig = sign_doc(doc, key)
    directory = tmp_path_factory.mktemp("browser-mail")
    (directory / "official_channels.json").write_bytes(raw)
    (directory / "official_channels.json.minisig").write_bytes(sig)
    settings = Settings(registry_path=directory / "official_channels.json", data_dir=directory / "var",
                        dns_nameservers=(dns.address,))
    served = Served(create_app({"SETTINGS": settings}, trusted_keys=(key.trusted,)))
    yield f"http://127.0.0.1:{served.port}", directory
    served.close()
    dns.close()


NOTICE = "您的 TokenPocket 账户存在异常登录，请在 24 小时内点击链接完成验证。"


def test_a_forged_notice_pasted_on_the_zh_page(context, mail_checker):
    base, _ = mail_checker
    page = context.new_page()
    page.goto(f"{base}/?lang=zh")
    with page.expect_navigation():
        page.click("#email-mode a")
    forged = mail(sender=f"TokenPocket 安全中心 <{OFFICIAL_ADDRESS}>", subject="TokenPocket 安全通知", body=NOTICE)
    page.fill("textarea#message", forged.decode("utf-8"))
    with page.expect_navigation():
        page.click("#email-form button[type=submit]")
    verdict = page.locator("#email-verdict .verdict-text")
    assert verdict.get_attribute("data-verdict") == "forged"
    assert verdict.inner_text().startswith("伪造")
    why = page.locator("#email-why").inner_text()
    assert OFFICIAL_ADDRESS in why and "没有任何 DKIM 签名" in why
    assert page.locator("#email-why li[data-code=forged_official_sender]").count() == 1
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, "email-forged-zh")
    assert not context.console.csp_violations()


def test_a_genuine_notice_uploaded_as_eml(context, mail_checker, mail_key):
    base, directory = mail_checker
    path = directory / "notice.eml"
    path.write_bytes(sign(mail(sender=f"TokenPocket <{OFFICIAL_ADDRESS}>", body="Your login was confirmed."), mail_key))
    page = context.new_page()
    page.goto(f"{base}/email?lang=en")
    page.set_input_files("input#eml", str(path))
    with page.expect_navigation():
        page.click("#email-form button[type=submit]")
    assert page.locator("#email-verdict .verdict-text").get_attribute("data-verdict") == "official_sender"
    assert page.locator("#email-dkim li[data-result=pass]").count() == 1
    assert "does not prove the content is safe" in page.locator("#email-proves").inner_text()
    shot(page, "email-official-en")
    assert not context.console.csp_violations()
