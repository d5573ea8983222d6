"""The tricks real campaigns use, as tables: each class with positives and the near names that
must stay as they are, side by side, through the core, in English and Chinese.

The names here are written for these tests (invented fakes of the same shapes, and real
legitimate sites); none is taken from the benchmark's real-world dev set, which only measures.
"""

from __future__ import annotations

import pytest

FLAGGED = ("impersonation", "suspicious")

# (input, verdict, reason code that must explain it)
TRICKS = [
    # two edits in a long name: two slips, a slip and an unrelated letter, two unrelated letters
    ("tokenpoxkex.com", "impersonation", "typosquat_domain"),  # two neighbouring keys
    ("tokanpockat.net", "impersonation", "typosquat_domain"),  # two vowels
    ("tokenpozkit.org", "impersonation", "typosquat_domain"),  # an unrelated letter and a vowel
    ("tokenqwcket.top", "suspicious", "typosquat_domain"),  # two unrelated letters
    ("tkenpcket.app", "impersonation", "typosquat_domain"),  # two letters dropped
    ("otkenpocekt.io", "impersonation", "typosquat_domain"),  # two swaps
    # a misspelt brand inside a longer name, with or without bait words
    ("tokenpockeet-wallet.com", "impersonation", "brand_combosquat"),  # misspelt, with a bait word
    ("mytokenpockte.xyz", "impersonation", "brand_combosquat"),
    ("tokeenpocketnode.org", "impersonation", "typosquat_domain"),
    # short forms of the brand next to support words
    ("tppocket-help.com", "impersonation", "brand_combosquat"),
    ("tppocketservice.net", "impersonation", "brand_combosquat"),
    # support ids with numbers, and pinyin of 钱包
    ("@tp_kefu88", "impersonation", "brand_in_handle"),
    ("telegram:tpwallet_support2025", "impersonation", "brand_in_handle"),
    ("@TPqianbao_kf", "impersonation", "brand_in_handle"),
    # a misspelling on free hosting, with a random suffix
    ("tokenpockt-a81f3c.herokuapp.com", "impersonation", "brand_on_free_hosting"),
    ("https://tokenpokcet-app.vercel.app/", "impersonation", "brand_on_free_hosting"),
    # a platform's host in front of another site, the official account in the path
    ("https://x.com.login-verify.top/TokenPocket_TP", "impersonation", "platform_host_in_subdomain"),
    ("https://t.me.support-desk.example/tokenpocket_cn", "impersonation", "platform_host_in_subdomain"),
    ("https://www.facebook.com.secure-page.net/TokenPocket", "impersonation", "platform_host_in_subdomain"),
    ("https://github.com.release-download.top/TP-Lab", "impersonation", "platform_host_in_subdomain"),
    ("https://twitter.com.safe-link.example/someone", "suspicious", "platform_host_in_subdomain"),
    # Discord vanity invites naming the brand
    ("discord.gg/tokenpocket-support", "impersonation", "brand_in_handle"),
    ("https://discord.com/invite/tpwallet-help", "impersonation", "brand_in_handle"),
    # mailto: links that add recipients (RFC 6068), in any case, percent-encoded
    ("mailto:service@tokenpocket.pro?bcc=collector@gmail.com", "impersonation", "mail_extra_recipients"),
    ("mailto:service@tokenpocket.pro?subject=Help&CC=a%40evil.example%2Cb%40evil.example", "impersonation", "mail_extra_recipients"),
    ("MAILTO:service@tokenpocket.pro,copy@evil.example", "impersonation", "mail_extra_recipients"),
    ("mailto:?to=service@tokenpocket.pro&to=desk@evil.example", "impersonation", "mail_extra_recipients"),
    # a quoted local part: the official address is only a mailbox's name elsewhere
    ('"service@tokenpocket.pro"@evil.example', "impersonation", "quoted_local_part_spoof"),
    ('Support <"service@tokenpocket.pro"@mail-desk.example>', "impersonation", "quoted_local_part_spoof"),
    # invisible characters browsers drop (Default_Ignorable_Code_Point), not only zero-widths
    ("tokenpocket.pro\u034f", "suspicious", "hidden_characters"),
    ("token\u180bpocket.pro", "suspicious", "hidden_characters"),
    ("tokenpocket\ufe0f.pro", "suspicious", "hidden_characters"),
    ("tokenpocket.pro\U000e0100", "suspicious", "hidden_characters"),
    ("tokenpocket\u2062.pro", "suspicious", "hidden_characters"),
    ("\u3164tokenpocket.pro", "suspicious", "hidden_characters"),
    ("tokenpocket.pro\uffa0", "suspicious", "hidden_characters"),
    ("https://t.me/tokenpocket_cn\u115f", "suspicious", "hidden_characters"),
]

# Near names that are not TokenPocket, and TokenPocket's own: they stay as they are.
NEAR_NAMES = [
    ("tpwalkie.com", "not_official"),
    ("tokenview.io", "not_official"),
    ("tokensniffer.com", "not_official"),
    ("pocketcasts.com", "not_official"),
    ("tpbank.com.vn", "not_official"),
    ("tplinkcloud.com", "not_official"),
    ("getpocket.com", "not_official"),
    ("tokenbucket.io", "not_official"),
    ("rocketpocket.com", "not_official"),
    ("cptool.com", "not_official"),
    ("tp.xyz", "not_official"),
    ("tptool.pro", "official"),
    ("tpwallet.io", "official"),
    ("discord.gg/cryptochat", "not_official"),
    ("https://twitter.com/someone", "not_official"),
    ("mailto:service@tokenpocket.pro?subject=Help", "official"),
    ("mailto:service@tokenpocket.pro?cc=service@tokenpocket.pro", "official"),
    ('"hello"@example.org', "not_official"),
    ("tp_kefu_is_not_here@example.org", "not_official"),
]


@pytest.mark.parametrize(("text", "verdict", "code"), TRICKS)
def test_real_tricks_are_caught_and_explained(core, text, verdict, code):
    result = core.check(text).to_dict()
    assert result["verdict"] == verdict, result
    assert code in [r["code"] for r in result["reasons"]], result
    zh = core.check(text).to_dict("zh")
    message = next(r["message"] for r in zh["reasons"] if r["code"] == code)
    assert message and not message.startswith(code), message


@pytest.mark.parametrize(("text", "verdict"), NEAR_NAMES)
def test_near_names_stay_as_they_are(core, text, verdict):
    result = core.check(text).to_dict()
    assert result["verdict"] == verdict, result
    assert result["lookalike_of"] is None or verdict == "official"


@pytest.mark.parametrize("text", ["tpwalkie.com", "tokenp0cket.pro", "tpwa11et.io", "tokempoclcet.pro", "tokenpabket.com"])
def test_an_ascii_name_is_never_said_to_use_other_alphabets(core, text):
    for lang in ("en", "zh"):
        result = core.check(text).to_dict(lang)
        assert "homoglyph_domain" not in [r["code"] for r in result["reasons"]], result
        assert not any("other alphabets" in r["message"] or "其他文字" in r["message"] for r in result["reasons"])


def test_the_extra_recipients_are_named_in_both_languages(core):
    text = "mailto:service@tokenpocket.pro?Bcc=Collector%40Gmail.com"
    for lang in ("en", "zh"):
        reason = next(r for r in core.check(text).to_dict(lang)["reasons"] if r["code"] == "mail_extra_recipients")
        assert "collector@gmail.com" in reason["message"]


def test_two_unrelated_edits_say_two_letters_changed(core):
    en = core.check("tokenqwcket.top").to_dict()
    zh = core.check("tokenqwcket.top").to_dict("zh")
    assert "two letters changed" in en["reasons"][0]["message"]
    assert "改了两个字母" in zh["reasons"][0]["message"]


# Whole messages: the wording real scripts use, and the advice that must give no signal.
SCAM_MESSAGES = [
    ("您好，我是TP钱包客服，需支付恢复费 0.1 ETH 发到 0x52908400098527886E0F7030069857D2E4169EE7 以恢复资产",
     "impersonation", {"asks_for_fee", "promises_recovery"}),
    ("请转0.1 ETH到这个地址验证：0x52908400098527886E0F7030069857D2E4169EE7", "suspicious", {"asks_for_fee"}),
    ("您的账户需要缴纳保证金才能解冻，客服QQ：123456789", "impersonation", {"asks_for_fee", "offers_support_contact"}),
    ("提现失败，请先交500U通道费", "suspicious", {"asks_for_fee"}),
    ("账户解冻请联系我们", "suspicious", {"promises_recovery"}),
    ("人工客服微信：tpkf8888", "impersonation", {"claims_official_support", "offers_support_contact"}),
    ("Our support WhatsApp is +1 555 0100, message us to unlock your wallet", "impersonation", {"offers_support_contact"}),
]
ADVICE = [
    "TokenPocket 官方客服不会通过QQ联系你，也没有电话客服。",
    "忘记密码可以用助记词恢复钱包。",
    "官方客服绝不会要求你支付任何费用。",
    "TokenPocket has no phone support and never asks for a fee.",
]


@pytest.mark.parametrize(("text", "verdict", "codes"), SCAM_MESSAGES)
def test_scam_wording_is_read(core, text, verdict, codes):
    from verifier.scan import scan

    result = scan(text, core).to_dict("zh")
    assert result["verdict"] == verdict, result
    assert codes <= {s["code"] for s in result["signals"]}, result


@pytest.mark.parametrize("text", ADVICE)
def test_advice_gives_no_signal(core, text):
    from verifier.scan import scan

    result = scan(text, core).to_dict()
    assert result["signals"] == [] and result["verdict"] == "not_official", result


def test_a_support_qq_number_is_named_as_a_qq_account(core):
    from verifier.scan import scan

    item = scan("客服QQ：123456789", core).items[0]
    assert (item.kind, item.platform, item.verdict) == ("handle", "qq", "not_official")


def _platform_hosts():
    from verifier import platforms

    return [(p.key, host) for p in platforms.PLATFORMS for host in sorted(p.hosts) if host.count(".") >= 1][:200]


@pytest.mark.parametrize(("platform", "host"), _platform_hosts())
def test_every_platform_host_in_front_of_another_site_is_caught(core, platform, host):
    """The platform table, not a list of examples: each platform's host written as a subdomain."""
    result = core.check(f"https://{host}.account-check.example/somebody").to_dict("zh")
    assert result["verdict"] in FLAGGED, result
    reason = next(r for r in result["reasons"] if r["code"] == "platform_host_in_subdomain")
    assert host in reason["message"] and "account-check.example" in reason["message"]
