"""`scan`: whole messages → items, scam-script signals, one verdict (verifier/scan.py).

Tables of real-looking scam messages (zh/en) with the signals and items they must give, and
harmless messages that must give no signal; then extraction, the verdict rules, the limits,
pathological inputs, and the `verifier scan` command.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_core_purity import CORE, closure, FORBIDDEN
from verifier import extract, messages
from verifier.cli.main import main
from verifier.errors import InvalidInputError
from verifier.scan import MAX_BYTES, PRECEDENCE, ScanResult, combine, scan
from verifier.scan_phrases import PHRASES, Signal, find_signals

ROOT = Path(__file__).resolve().parent.parent
FLAGGED = {"impersonation", "suspicious"}
USDT_TRC20 = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"

# (message, signal codes exactly, the least verdict the signals alone give, items (kind, platform, normalized))
SCAMS = [
    # --- fake customer service asking for the seed phrase
    ("您好，我是TP钱包官方客服，系统检测到您的钱包存在异常交易，请立即提供您的12位助记词进行身份验证，否则资产将在24小时内被冻结。",
     {"claims_official_support", "urgency", "asks_for_secret"}, "impersonation", []),
    ("【tpWallet人工客服】亲，您的工单已受理，麻烦把助记词截图发给我，我们帮您同步链上资产。",
     {"claims_official_support", "asks_for_secret"}, "impersonation", []),
    ("Hello, this is TokenPocket official support. To fix the pending transaction please enter your 12-word recovery "
     "phrase in the form below.",
     {"claims_official_support", "asks_for_secret"}, "impersonation", []),
    ("Hi, I'm an admin of the TokenPocket group. I saw your question, send me your private key and I will check the "
     "issue manually.",
     {"claims_official_support", "asks_for_secret"}, "impersonation", []),
    ("客服专员：请提供助\u200b记\u200b词完成核验。",  # zero-width spaces hide the word from filters
     {"claims_official_support", "asks_for_secret"}, "impersonation", []),
    # --- "recovery" for a fee
    ("被盗的USDT可以追回！我们是专业资产追回团队，与TP钱包官方合作，先支付10%保证金即可启动追回流程。联系QQ: 2837465910",
     {"promises_recovery", "claims_official_support", "asks_for_fee", "moves_chat"}, "impersonation",
     [("handle", "qq", "2837465910")]),
    ("We can recover your stolen crypto from TP Wallet within 72 hours. A refundable recovery fee of 300 USDT is "
     "required. WhatsApp: +44 7700 900123",
     {"promises_recovery", "urgency", "asks_for_fee"}, "impersonation", [("phone", None, "+447700900123")]),
    (f"钱包被盗别着急，我们可以帮您冻结黑客地址并追回资金，需先缴纳解冻费 500U 到 {USDT_TRC20}",
     {"promises_recovery", "asks_for_fee"}, "impersonation", [("wallet_address", "tron", USDT_TRC20)]),
    ("I'm from TokenPocket customer service, I can help you get your refund. First send 50 USDT gas fee to "
     "0x8894E0a0c962CB723c1976a4421c95949bE2D4E3.",
     {"claims_official_support", "promises_recovery", "asks_for_fee"}, "impersonation",
     [("wallet_address", "evm", "0x8894E0a0c962CB723c1976a4421c95949bE2D4E3")]),
    ("TP钱包客服热线 400-820-8820，7x24小时为您服务，退款、找回、解冻请直接致电。",
     {"claims_official_support", "promises_recovery", "offers_support_contact"}, "impersonation", [("phone", None, "+864008208820")]),
    # --- fake "verification" with a link
    ("TP钱包安全中心通知：您的钱包未完成验证，请在24小时内访问 https://tokenpocket-verify.vip/auth 完成钱包验证，逾期将冻结账户。",
     {"urgency", "asks_to_connect_or_authorize"}, "suspicious", [("url", None, "tokenpocket-verify.vip")]),
    ("Dear user, your TokenPocket wallet must be validated. Validate your wallet at hxxps://tpwallet-validate[.]com "
     "immediately or your funds will be locked.",
     {"asks_to_connect_or_authorize", "obfuscated_link", "urgency"}, "suspicious", [("url", None, "tpwallet-validate.com")]),
    ("From: \"TokenPocket Security\" <security@tokenpocket-alert.com>\nSubject: Urgent: wallet verification required\n\n"
     "Please reply with your keystore file and password to complete KYC.",
     {"urgency", "asks_to_connect_or_authorize", "asks_for_secret"}, "impersonation",
     [("email", None, "security@tokenpocket-alert.com")]),
    # --- airdrop / connect the wallet
    ("🎉 恭喜您获得TokenPocket空投奖励 2000 USDT！请在 tokenpocket-airdrop.top 连接钱包并授权领取，仅限今天！",
     {"asks_to_connect_or_authorize", "urgency"}, "suspicious", [("domain", None, "tokenpocket-airdrop.top")]),
    ("Congratulations! You are eligible for the TPT airdrop 🚀 Claim your reward at "
     "https://tokenpocket.pro.claim-airdrop.xyz/ — connect your wallet and approve the transaction.",
     {"asks_to_connect_or_authorize"}, "suspicious", [("url", None, "tokenpocket.pro.claim-airdrop.xyz")]),
    # --- moving the chat to WhatsApp / QQ / WeChat / Telegram, with the IDs
    ("TP钱包官方客服在线，有问题请加微信：tpkefu_888 或者 QQ号 88412345，私聊处理。",
     {"claims_official_support", "moves_chat"}, "suspicious", [("handle", "wechat", "tpkefu_888"), ("handle", "qq", "88412345")]),
    ("Support here. Let's move this chat to WhatsApp +1 415 555 0132, Telegram is not secure. DM me on Telegram: "
     "@tp_support_desk if WhatsApp fails.",
     {"claims_official_support", "moves_chat"}, "suspicious",
     [("phone", None, "+14155550132"), ("handle", "telegram", "tp_support_desk")]),
    ("亲，我是TP钱包客服专员，电报不方便说，加V tpwallet_kf 详细沟通，或者联系电报 @TokenPocket_Support_CN",
     {"claims_official_support", "moves_chat"}, "suspicious",
     [("handle", "wechat", "tpwallet_kf"), ("handle", "telegram", "TokenPocket_Support_CN")]),
    ("Need help with TP Wallet? Add me on WeChat: tpsupport_lee or call 13800138000, official admin.",
     {"moves_chat", "claims_official_support"}, "suspicious", [("handle", "wechat", "tpsupport_lee"), ("phone", None, "+8613800138000")]),
    # --- disguised links: the official domain and a lookalike, both read
    ("官方最新地址 tokenpocket[.]pro ，旧域名已停用，请勿使用 tokenpocket-support[.]com 。",
     {"obfuscated_link"}, "not_official", [("domain", None, "tokenpocket.pro"), ("domain", None, "tokenpocket-support.com")]),
    ("TokenPocket客服提醒：请访问 tokenpocket-support(.)com 进行钱包同步，否则资产冻结",
     {"claims_official_support", "obfuscated_link", "asks_to_connect_or_authorize", "urgency"}, "suspicious",
     [("domain", None, "tokenpocket-support.com")]),
    ("Your wallet needs to be synced. Go to tokenpocket-support [.] com and sync your wallet.",
     {"obfuscated_link", "asks_to_connect_or_authorize"}, "suspicious", [("domain", None, "tokenpocket-support.com")]),
    ("请复制链接到浏览器打开：tokenpocket-app 。vip/download 下载新版本并导入助记词",
     {"obfuscated_link", "asks_for_secret"}, "impersonation", [("url", None, "tokenpocket-app.vip")]),
]

# (message, items (kind, platform, normalized)): no scam signal, never flagged by the signals.
HARMLESS = [
    ("Hey! This is the wallet I told you about: https://tokenpocket.pro — grab it from there, not from a random app "
     "store mirror 😊", [("url", None, "tokenpocket.pro")]),
    ("兄弟，TP钱包官网是 https://tokenpocket.pro ，帮助中心在 help.tokenpocket.pro，你自己去下。",
     [("url", None, "tokenpocket.pro"), ("domain", None, "help.tokenpocket.pro")]),
    ("TokenPocket, a multi-chain self-custodial wallet, said on Tuesday that it has added two more networks. Users can "
     "download the app at tokenpocket.pro. The company reminded users that its staff will never ask for a seed phrase "
     "or private key.", [("domain", None, "tokenpocket.pro")]),
    ("据报道，TokenPocket（TP钱包）近日发布新版本，支持更多公链。官方提醒：官方客服不会主动私聊，不会索要助记词或私钥，"
     "请通过 tokenpocket.pro 下载。", [("domain", None, "tokenpocket.pro")]),
    # TokenPocket's own warnings (CHANNELS.md 2.3), pasted as they are
    ("If you have any questions, please don't trust anyone who sends messages to you first and don't give your private "
     "key or mnemonic to anyone! You may send emails to official supports: service@tokenpocket.pro",
     [("email", None, "service@tokenpocket.pro")]),
    ("主动私聊的都是骗子。TokenPocket并未通过短信，邮箱等形式发布钱包更新提醒。请不要相信任何自称是官方客服的人。"
     "任何给你发私信的人都是骗子! 不要与任何人分享私钥和助记词", []),
    ("谨防假冒客服！骗子会以“验证钱包”为名索要助记词，并要求支付手续费。", []),
    ("Never share your seed phrase with anyone. TokenPocket support will never DM you first.", []),
    ("Scammers promise to recover your stolen funds for a fee. Don't pay them.", []),
    ("TokenPocket 推出授权检测工具 https://approval.tptool.pro/ ，可以帮你查看并取消风险授权。",
     [("url", None, "approval.tptool.pro")]),
    # unrelated chats
    ("晚上一起吃火锅吗？我马上到，七点的位子，顺便帮我要一杯可乐 🍻", []),
    ("Did you see the match last night? ok. me too, let's grab coffee at 10.Thanks!", []),
    ("我的淘宝订单申请退款了，客服说三天内处理，快递单号 SF1234567890。", []),
    ("Remember to back up your 12 words on paper and keep them offline.", []),
    ("我刚在 https://www.bilibili.com 上看了一个做饭的视频，挺有意思的。", [("url", None, "www.bilibili.com")]),
]


def _items(result: ScanResult) -> list[tuple[str, str | None, str]]:
    return [(r.kind, r.platform, r.normalized) for r in result.items]


def _rank(verdict: str) -> int:
    return PRECEDENCE.index(verdict)


@pytest.mark.parametrize(("text", "codes", "least", "items"), SCAMS)
def test_scam_messages(core, text, codes, least, items):
    result = scan(text, core)
    assert set(result.signal_codes) == codes, [(s.code, s.match) for s in result.signals]
    assert _items(result) == items
    assert _rank(result.verdict) <= _rank(least)
    if least != "not_official":
        assert result.verdict in FLAGGED
        assert result.risk >= 60
    for signal in result.signals:  # the phrase as found, where it was found
        assert text[signal.start : signal.end] == signal.match


@pytest.mark.parametrize(("text", "items"), HARMLESS)
def test_harmless_messages_give_no_signal(core, text, items):
    result = scan(text, core)
    assert result.signals == (), [(s.code, s.match) for s in result.signals]
    assert _items(result) == items
    assert result.verdict == "not_official"
    assert result.risk == (0 if all(r.verdict == "official" for r in result.items) else max(r.risk for r in result.items))


def test_official_items_keep_their_own_verdict(core):
    result = scan("官方最新地址 tokenpocket[.]pro ，请勿使用 tokenpocket-support[.]com 。", core)
    official, fake = result.items
    assert official.verdict == "official"
    assert fake.verdict != "official"


# --- extraction ------------------------------------------------------------------------------

# (text, items (kind, platform, normalized)) through extract + classify
EXTRACTION = [
    # links ending at Chinese text and fullwidth punctuation, trailing punctuation not swallowed
    ("访问https://tokenpocket.pro。然后下载", [("url", None, "tokenpocket.pro")]),
    ("官网：tokenpocket.pro，邮箱：service@tokenpocket.pro。", [("domain", None, "tokenpocket.pro"), ("email", None, "service@tokenpocket.pro")]),
    ("see (https://tokenpocket.pro/download), or www.tpwallet.io.", [("url", None, "tokenpocket.pro"), ("domain", None, "www.tpwallet.io")]),
    ("下载地址tokenpocket.pro/download请收好", [("url", None, "tokenpocket.pro")]),
    ("“https://tokenpocket.pro”", [("url", None, "tokenpocket.pro")]),
    ("官网（tokenpocket.pro）", [("domain", None, "tokenpocket.pro")]),
    ("ＴＯＫＥＮＰＯＣＫＥＴ．ＰＲＯ", [("domain", None, "tokenpocket.pro")]),
    # t.me and other profile links become handles
    ("群：t.me/tokenpocket_cn 和 https://t.me/tokenpocket_C", [("handle", "telegram", "tokenpocket_cn"), ("handle", "telegram", "tokenpocket_C")]),
    ("follow https://x.com/TokenPocket_TP!", [("handle", "twitter", "TokenPocket_TP")]),
    ("打开 tg://resolve?domain=tokenpocket_cn 即可", [("handle", "telegram", "tokenpocket_cn")]),
    ("mailto:service@tokenpocket.pro", [("email", None, "service@tokenpocket.pro")]),
    # disguises
    ("tokenpocket[.]pro", [("domain", None, "tokenpocket.pro")]),
    ("tokenpocket(.)pro", [("domain", None, "tokenpocket.pro")]),
    ("tokenpocket 。pro", [("domain", None, "tokenpocket.pro")]),
    ("tokenpocket。pro", [("domain", None, "tokenpocket.pro")]),
    ("tokenpocket dot pro", [("domain", None, "tokenpocket.pro")]),
    ("tokenpocket【点】pro", [("domain", None, "tokenpocket.pro")]),
    ("hxxps://tokenpocket-support[.]com/verify", [("url", None, "tokenpocket-support.com")]),
    ("https[:]//evil-tp[.]xyz", [("url", None, "evil-tp.xyz")]),
    # e-mail, with a display name (the name is evidence: display_name_spoof)
    ("From: \"TokenPocket Support\" <help@tp-wallet-support.com>", [("email", None, "help@tp-wallet-support.com")]),
    ("TokenPocket Support <service@tokenpocket.pro>", [("email", None, "service@tokenpocket.pro")]),
    ("write to service@tokenpocket.pro.", [("email", None, "service@tokenpocket.pro")]),
    # handles and labelled IDs
    ("ping @tokenpocket_en", [("handle", None, "tokenpocket_en")]),  # no platform given: placed nowhere (platform_unknown)
    ("TG: @tp_kefu_01", [("handle", "telegram", "tp_kefu_01")]),
    ("电报 @tpkefu", [("handle", "telegram", "tpkefu")]),
    ("Telegram @tokenpocket_cn", [("handle", "telegram", "tokenpocket_cn")]),
    ("QQ: 123456789", [("handle", "qq", "123456789")]),
    ("QQ号 123456789", [("handle", "qq", "123456789")]),
    ("扣扣：123456789", [("handle", "qq", "123456789")]),
    ("微信: tp_wallet01", [("handle", "wechat", "tp_wallet01")]),
    ("WeChat: tpwallet_cs", [("handle", "wechat", "tpwallet_cs")]),
    ("vx：tpkf8888", [("handle", "wechat", "tpkf8888")]),
    ("加V tpkf8888", [("handle", "wechat", "tpkf8888")]),
    ("TG: https://t.me/tokenpocket_cn", [("handle", "telegram", "tokenpocket_cn")]),
    # phones
    ("+86 138 0013 8000", [("phone", None, "+8613800138000")]),
    ("手机13800138000微信同号", [("phone", None, "+8613800138000")]),
    ("热线 400-820-8820", [("phone", None, "+864008208820")]),
    ("call +1 (415) 555-0132 now", [("phone", None, "+14155550132")]),
    # wallets; Solana only when labelled
    ("0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE", [("wallet_address", "evm", "0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE")]),
    (f"转到{USDT_TRC20}", [("wallet_address", "tron", USDT_TRC20)]),
    ("BTC: bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", [("wallet_address", "bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")]),
    ("SOL地址：So11111111111111111111111111111111111111112", [("wallet_address", "solana", "So11111111111111111111111111111111111111112")]),
    ("So11111111111111111111111111111111111111112", []),
    # not links
    ("ok. me too, it . Net result, done.So what", []),
    ("version 6.3.8 or 2.4.1", []),
    ("Telegram group is great, WeChat account too", []),
]


@pytest.mark.parametrize(("text", "items"), EXTRACTION)
def test_extraction(core, text, items):
    assert _items(scan(text, core)) == items


def test_obfuscation_is_a_signal_with_the_link_as_found(core):
    text = "请访问 tokenpocket-support[.]com 或 hxxps://tp-wallet[.]xyz/a"
    result = scan(text, core)
    (signal,) = result.signals
    assert (signal.code, signal.match) == ("obfuscated_link", "tokenpocket-support[.]com")
    assert text[signal.start : signal.end] == signal.match
    assert [o.match for o in extract.extract(text).obfuscations] == ["tokenpocket-support[.]com", "hxxps://tp-wallet[.]xyz/a"]


def test_plain_links_are_not_obfuscated():
    assert extract.deobfuscate("https://tokenpocket.pro and tokenpocket.pro.") == ("https://tokenpocket.pro and tokenpocket.pro.", ())


def test_fold_keeps_positions():
    text = "ＱＱ：１２３４５　官网：tokenpocket.pro"
    assert len(extract.fold(text)) == len(text)
    assert extract.fold(text).startswith("QQ:12345 ")


def test_items_are_deduplicated_in_order_of_first_appearance(core):
    text = "tokenpocket.pro, TokenPocket.pro, evil-wallet.com, https://tokenpocket.pro/x, tokenpocket.pro."
    assert _items(scan(text, core)) == [
        ("domain", None, "tokenpocket.pro"), ("domain", None, "evil-wallet.com"), ("url", None, "tokenpocket.pro")
    ]


def test_same_id_on_two_platforms_is_two_items(core):
    assert _items(scan("微信: tpkf888 TG: @tpkf888", core)) == [("handle", "wechat", "tpkf888"), ("handle", "telegram", "tpkf888")]


def test_unclassifiable_candidates_are_skipped(core):
    # a 3000-character link is over the link limit: skipped, not an error
    result = scan("https://example.com/" + "x" * 3000 + " and tokenpocket.pro", core)
    assert _items(result) == [("domain", None, "tokenpocket.pro")]


def test_item_count_is_capped(core):
    text = " ".join(f"site{i}.example.com" for i in range(250))
    result = scan(text, core)
    assert len(result.items) == 200 and result.truncated
    assert result.to_dict()["truncated"] is True
    small = scan("a1.com a2.com a3.com a1.com", core, max_items=2)
    assert [r.normalized for r in small.items] == ["a1.com", "a2.com"] and small.truncated
    exact = scan("a1.com a2.com a1.com", core, max_items=2)
    assert len(exact.items) == 2 and not exact.truncated


# --- signals ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("enter your words to continue", "asks_for_secret"),
        ("We need your seed phrase to restore access", "asks_for_secret"),
        ("把私钥发给我", "asks_for_secret"),
        ("请输入恢复短语", "asks_for_secret"),
        ("上传Keystore文件", "asks_for_secret"),
        ("pay the activation fee", "asks_for_fee"),
        ("需要缴纳激活费", "asks_for_fee"),
        ("转账验证后即可提现", "asks_for_fee"),
        ("需要转账 0.1 ETH 到验证地址", "asks_for_fee"),
        ("we will get back your stolen funds", "promises_recovery"),
        ("专业挽回损失", "promises_recovery"),
        ("帮您解冻", "promises_recovery"),
        ("your account will be frozen", "urgency"),
        ("否则永久冻结", "urgency"),
        ("24小时内", "urgency"),
        ("contact us on WhatsApp", "moves_chat"),
        ("有事私聊", "moves_chat"),
        ("加我QQ", "moves_chat"),
        ("please connect your wallet", "asks_to_connect_or_authorize"),
        ("同步钱包", "asks_to_connect_or_authorize"),
        ("点击链接进行授权", "asks_to_connect_or_authorize"),
        ("官方客服", "claims_official_support"),
        ("人工客服", "claims_official_support"),
        ("在线客服", "claims_official_support"),
        ("技术支持", "claims_official_support"),
        ("I am TokenPocket customer service", "claims_official_support"),
    ],
)
def test_each_signal(text, code):
    assert [s.code for s in find_signals(text)] == [code]


@pytest.mark.parametrize(
    "text",
    [
        "官方客服不会索要助记词",
        "切勿向任何人提供助记词",
        "TokenPocket cannot refund or reverse transactions.",
        "Official support will never ask you to enter your seed phrase.",
        "骗子常说：请提供助记词。",  # the scam named before it, same sentence
        "不要轻信“帮您追回资金”的人",
        "找回密码",  # a password reset is not fund recovery
        "我马上到",  # "马上" alone is not pressure
    ],
)
def test_warnings_and_ordinary_words_are_no_signal(text):
    assert find_signals(text) == ()


def test_urgency_is_not_undone_by_a_condition():
    # "if you do not verify": the negation is the threat, not a warning
    assert [s.code for s in find_signals("If you do not verify, your wallet will be frozen.")] == ["urgency"]


def test_each_code_is_reported_once_at_its_first_match():
    signals = find_signals("请提供助记词。再次提醒，请提供助记词")
    assert [(s.code, s.start) for s in signals] == [("asks_for_secret", 1)]


def test_signal_positions_skip_hidden_characters():
    text = "请输入助\u200b记\u200b词"
    (signal,) = find_signals(text)
    assert signal.match == "输入助\u200b记\u200b词" == text[signal.start : signal.end]


# --- the verdict rules -----------------------------------------------------------------------

def _signal(code: str) -> Signal:
    return Signal(code, code, 0, len(code))


@pytest.mark.parametrize(
    ("codes", "verdict"),
    [
        ((), "not_official"),
        (("urgency",), "not_official"),  # one weak signal: only the risk moves
        (("claims_official_support",), "not_official"),
        (("obfuscated_link",), "not_official"),
        (("claims_official_support", "moves_chat"), "suspicious"),  # two weak ones
        (("asks_to_connect_or_authorize",), "suspicious"),  # one strong one
        (("asks_for_secret",), "suspicious"),
        (("asks_for_fee",), "suspicious"),
        (("promises_recovery",), "suspicious"),
        (("asks_for_secret", "urgency"), "impersonation"),  # a script
        (("asks_for_fee", "claims_official_support"), "impersonation"),
        (("promises_recovery", "asks_for_fee"), "impersonation"),
        (("asks_to_connect_or_authorize", "urgency"), "suspicious"),
    ],
)
def test_signals_alone(codes, verdict):
    signals = tuple(_signal(c) for c in codes)
    got, risk = combine((), signals)
    assert got == verdict
    if not codes:
        assert risk == 0
    else:
        weights = {p.code: p.weight for p in PHRASES}
        assert risk >= max(weights[c] for c in codes)
        assert risk >= {"impersonation": 90, "suspicious": 60}.get(verdict, 0)


def test_a_message_is_never_official_as_a_whole(core):
    only_official = scan("官网 https://tokenpocket.pro ，邮箱 service@tokenpocket.pro", core)
    assert [r.verdict for r in only_official.items] == ["official", "official"]
    assert (only_official.verdict, only_official.risk) == ("not_official", 0)
    nothing = scan("see you tomorrow", core)
    assert (nothing.verdict, nothing.risk, nothing.items) == ("not_official", 0, ())


def test_the_worst_item_decides_without_signals(core):
    result = scan("tokenpocket.pro and https://tokenpocket.pro@evil.example/x", core)
    assert [r.verdict for r in result.items] == ["official", "impersonation"]
    assert result.verdict == "impersonation"
    assert result.risk == max(r.risk for r in result.items)
    retired = scan("old site: mytokenpocket.vip", core)
    assert retired.verdict == "retired"


def test_more_signals_more_risk():
    one = combine((), (_signal("asks_for_secret"),))[1]
    two = combine((), (_signal("asks_for_secret"), _signal("urgency")))[1]
    three = combine((), (_signal("asks_for_secret"), _signal("urgency"), _signal("moves_chat")))[1]
    assert one < two < three <= 100


def test_expired_registry_items_are_unverified_and_the_message_not_official(core, shipped_registry):
    result = scan("官网 tokenpocket.pro", core, now=shipped_registry.expires_at)
    assert result.items[0].verdict == "unverified"
    assert result.verdict == "not_official"


# --- the shape -------------------------------------------------------------------------------

def test_to_dict_shape_in_both_languages(core):
    text = "我是官方客服，请提供助记词，访问 tokenpocket-support[.]com"
    result = scan(text, core)
    for lang in ("en", "zh"):
        data = result.to_dict(lang)
        assert set(data) == {"verdict", "risk", "items", "signals", "truncated"}
        assert all({"code", "message", "match"} <= set(s) for s in data["signals"])
        assert all(set(item) >= {"input", "kind", "normalized", "verdict", "risk", "reasons"} for item in data["items"])
        json.dumps(data, ensure_ascii=False)
    zh = result.to_dict("zh")["signals"]
    assert all(re.search(r"[\u4e00-\u9fff]", s["message"]) for s in zh)
    assert [s["match"] for s in zh] == ["我是官方", "提供助记词", "tokenpocket-support[.]com"]


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.code)
def test_every_signal_code_has_both_languages_and_docs(phrase):
    message = messages.MESSAGES[phrase.code]
    assert message.en.strip() and re.search(r"[\u4e00-\u9fff]", message.zh)
    assert not re.findall(r"{(\w+)}", message.en + message.zh)  # no facts: the match is shown beside it
    assert re.search(rf"^\| `{phrase.code}` \|", (ROOT / "docs" / "checking.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert phrase.level in ("suspicious", "note") and phrase.with_others in ("impersonation", "suspicious")


def test_scan_modules_are_pure():
    for name in ("verifier.scan", "verifier.extract", "verifier.scan_phrases"):
        assert name in CORE  # so the import-graph guard checks them
        assert not closure(name)[1] & FORBIDDEN, name


# --- limits and odd input ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_input"),
        ("  \n\t ", "empty_input"),
        ("a" * (MAX_BYTES + 1), "input_too_long"),
        ("测" * (MAX_BYTES // 3 + 1), "input_too_long"),  # 65,538 bytes of UTF-8
        ("请提供助记词 \ud800", "invalid_text"),  # a lone surrogate
        (b"bytes", "invalid_input"),
    ],
)
def test_invalid_messages(core, text, code):
    with pytest.raises(InvalidInputError) as caught:
        scan(text, core)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


def test_64_kib_boundary(core):
    assert scan("a" * MAX_BYTES, core).items == ()
    assert scan("测" * (MAX_BYTES // 3), core).verdict == "not_official"  # 65,535 bytes
    padded = "tokenpocket.pro " + "x" * (MAX_BYTES - 16)
    assert len(padded.encode()) == MAX_BYTES
    assert _items(scan(padded, core)) == [("domain", None, "tokenpocket.pro")]


def test_emoji(core):
    result = scan("🎁🎁 领取空投 👉 tokenpocket-gift.top 👈 🚀", core)
    assert _items(result) == [("domain", None, "tokenpocket-gift.top")]
    assert result.signal_codes == ("asks_to_connect_or_authorize",)


PATHOLOGICAL = {
    "dots": "a." * 30000,
    "labels": ("x" * 63 + ".") * 900,
    "at_signs": "@" * 60000,
    "long_local_part": "a" * 60000 + "@",
    "schemes": "http://" * 8500,
    "disguised_schemes": "hxxps://" * 7000,
    "brackets": "a[.]" * 15000,
    "spaced_dots": "tokenpocket 。" * 3900,
    "digits": "1" * 60000,
    "plus_digits": "+1 " * 20000,
    "base58": "1" + "A" * 60000,
    "hex": "0x" + "a" * 60000,
    "angles": ("<" + "a" * 60 + "@b.com") * 800,
    "quotes": '"' * 60000,
    "qq_labels": "QQ:" * 20000,
    "wechat_labels": "加微信 " * 6000,
    "verbs": "enter your " * 5000,
    "zh_verbs": "提供" * 10000,
    "far_apart": "send " + "x" * 60000 + " your seed phrase",
    "parens": "https://a.com/" + "(" * 60000,
    "spaces": " " * 60000 + "x",
    "same_link": "tokenpocket.pro " * 3750,
    "distinct_links": " ".join(f"a{i}.com" for i in range(6000)),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_inputs_complete(core, name):
    text = PATHOLOGICAL[name]
    assert 50_000 <= len(text.encode("utf-8")) <= MAX_BYTES
    result = scan(text, core)
    assert isinstance(result, ScanResult)
    assert len(result.items) <= 200


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=())),
        st.lists(
            st.sampled_from(
                list("aZ09.-_@:/\\?#%[]()<>\"' +。．：，\u200b\n")
                + ["https://", "hxxps://", "[.]", "tokenpocket", ".pro", "QQ:", "微信:", "TG: @", "t.me/", "助记词", "请提供",
                   "官方客服", "0x", "+86 ", "13800138000", "\ud800"]
            ),
            max_size=40,
        ).map("".join),
    )
)
def test_any_text_gives_a_result_or_invalid_input(core, text):
    try:
        result = scan(text, core)
    except InvalidInputError as exc:
        assert exc.code in ("empty_input", "input_too_long", "invalid_text")
    else:
        assert result.verdict in PRECEDENCE and result.verdict not in ("official", "unverified")
        assert 0 <= result.risk <= 100
        for signal in result.signals:
            assert text[signal.start : signal.end] == signal.match


# --- the command -------------------------------------------------------------------------------

SCAM_TEXT = "您好，我是TP钱包官方客服，请立即提供助记词验证。官网 tokenpocket[.]pro ，加微信 tpkf888"


def test_cli_json_from_a_file(settings_env, tmp_path, capsys):
    path = tmp_path / "message.txt"
    path.write_text(SCAM_TEXT, encoding="utf-8")
    assert main(["scan", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"verdict", "risk", "items", "signals", "truncated"}
    assert data["verdict"] == "impersonation"
    assert [s["code"] for s in data["signals"]] == [
        "claims_official_support", "urgency", "asks_for_secret", "obfuscated_link", "moves_chat"
    ]
    assert [(i["kind"], i["normalized"], i["verdict"]) for i in data["items"]] == [
        ("domain", "tokenpocket.pro", "official"), ("handle", "tpkf888", "impersonation")
    ]


def test_cli_json_from_stdin_in_chinese(settings_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SCAM_TEXT))
    assert main(["scan", "--json", "--lang", "zh"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "助记词" in data["signals"][2]["message"]


def test_cli_reads_stdin_bytes_as_utf8(settings_env, capsys, monkeypatch):
    raw = "\ufeff请提供助记词 tokenpocket.pro".encode("utf-8")  # with a BOM, as Windows writes it
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="latin-1"))
    assert main(["scan", "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["signals"][0]["match"] == "提供助记词"


def test_cli_text_output(settings_env, tmp_path, capsys):
    path = tmp_path / "m.txt"
    path.write_text(SCAM_TEXT, encoding="utf-8")
    assert main(["scan", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("✘ Not official: impersonation") and "risk 100/100" in lines[0]
    assert lines[1] == "Scam signals:"
    assert any(line.startswith("  - [asks_for_secret] ") and '"提供助记词"' in line for line in lines)
    assert "  ✔ official  domain  tokenpocket.pro  [official_channel]" in lines
    assert "  ✘ impersonation  handle:wechat  tpkf888  [brand_in_handle]" in lines
    assert main(["scan", "--lang", "zh", str(path)]) == 0
    assert capsys.readouterr().out.startswith("✘ 非官方：冒充")


def test_cli_harmless_text(settings_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("see you at noon"))
    assert main(["scan"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("✘ Not official   risk 0/100")
    assert "No scam phrases found." in out


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_input"),
        (b"\n\n", "empty_input"),
        (b"\xff\xfe bad bytes", "invalid_text"),
        (b"a" * (MAX_BYTES + 1), "input_too_long"),
    ],
)
def test_cli_invalid_input(settings_env, tmp_path, capsys, content, code):
    path = tmp_path / "m.txt"
    path.write_bytes(content)
    assert main(["scan", "--json", str(path)]) == 3
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {code}:")
    assert captured.out == "" and "Traceback" not in captured.err


def test_cli_exactly_64_kib_is_accepted(settings_env, tmp_path, capsys):
    path = tmp_path / "m.txt"
    path.write_bytes(b"x" * (MAX_BYTES - 16) + b" tokenpocket.pro")
    assert main(["scan", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["normalized"] == "tokenpocket.pro"


def test_cli_missing_file_is_a_usage_error(settings_env, tmp_path, capsys):
    assert main(["scan", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_refuses_a_tampered_registry(settings_env, tmp_path, capsys):
    path = settings_env.registry_path
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    message = tmp_path / "m.txt"
    message.write_text(SCAM_TEXT, encoding="utf-8")
    assert main(["scan", str(message)]) == 1
    assert capsys.readouterr().err.startswith("error: bad_signature:")
