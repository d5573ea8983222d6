"""The labelled evaluation set for the lookalike heuristics (issue 3, "Done when" bullet 2).

Every case is a real-looking input a user could paste, labelled with what the verifier must
answer:

* ``official`` — an entry of the shipped registry, in a form people paste: must be ``official``;
* ``flag``     — an impersonation pattern: must be ``impersonation`` or ``suspicious``;
* ``clean``    — unrelated to the brand: must be ``not_official`` (neither flagged nor official).

Groups, and where their cases come from:

* ``domain_typo``   dnstwist's permutations of the official domains (subgroup: dnstwist's fuzzer);
* ``domain_combo``  hand-written combosquats, brand-in-subdomain, free hosting, shared-host paths,
                    the official name on another TLD, userinfo tricks, IDN homoglyphs (Unicode and
                    punycode);
* ``email``         lookalike-domain addresses, brand at free mail, display-name claims; negatives;
* ``handle``        lookalikes of the official handles per platform, the official name on the
                    wrong platform, the registry's known fakes; negatives;
* ``message``       scam chat messages and e-mails (zh/en) and harmless ones, for ``scan``;
* ``official``      every active registry channel in every pasted form;
* ``popular_clean`` ``data/popular_domains.txt`` (popular sites of the web), the issue's
                    must-not-flag list, other wallets and exchanges, similar-sounding names.

Honesty rules: a ``flag`` case must be a pattern a scammer uses to pass for TokenPocket; a
``clean`` case must have nothing to do with it. Doubtful inputs (e.g. ``tp.xyz``, claimed by
TokenPocket but not corroborated; ``tokenpocket.gitbook.io``, which may be theirs) are left out.
Retired channels (``mytokenpocket.vip``) are left out too: their answer is ``retired``.

``build()`` is deterministic and offline. dnstwist is an optional dependency (``.[bench]``):
without it the ``domain_typo`` group is empty unless ``require_dnstwist=True``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_PATH = ROOT / "data" / "official_channels.json"
POPULAR_PATH = Path(__file__).resolve().parent / "data" / "popular_domains.txt"

EXPECTED = ("official", "flag", "clean")
GROUPS = ("domain_typo", "domain_combo", "email", "handle", "message", "official", "popular_clean")


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled input. ``subgroup`` says which pattern (or fuzzer) made it."""

    input: str
    group: str
    expected: str
    subgroup: str = ""

    def __post_init__(self) -> None:
        if self.expected not in EXPECTED:
            raise ValueError(f"{self.input!r}: expected must be one of {EXPECTED}, got {self.expected!r}")
        if self.group not in GROUPS:
            raise ValueError(f"{self.input!r}: group must be one of {GROUPS}, got {self.group!r}")


def load_registry_doc(path: Path = REGISTRY_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --- official ---------------------------------------------------------------------------

# Profile URL templates per platform, for the official handles ({v}: the registry value).
_PROFILE_FORMS: dict[str, tuple[str, ...]] = {
    "twitter": ("https://x.com/{v}", "https://twitter.com/{v}", "x.com/{v}", "https://mobile.twitter.com/{v}",
                "https://x.com/{v}/status/1903042220086923529", "@{v} (x)"),
    "telegram": ("https://t.me/{v}", "t.me/{v}", "https://telegram.me/{v}", "tg:{v}"),
    "discord": ("https://discord.com/{v}", "https://discord.gg/{code}", "discord.gg/{code}"),
    "medium": ("https://medium.com/@{v}", "https://{dash}.medium.com/", "{dash}.medium.com",
               "https://{dash}.medium.com/fraud-prevention-class-2eb3cd3e69e"),
    "youtube": ("https://www.youtube.com/{v}", "https://youtube.com/{v}", "youtube.com/{v}/videos"),
    "facebook": ("https://www.facebook.com/{v}", "https://facebook.com/{v}", "https://m.facebook.com/{v}", "fb:{v}"),
    "github": ("https://github.com/{v}", "github.com/{v}", "https://github.com/{v}/tp-js-sdk", "https://github.com/orgs/{v}"),
}


def official_cases(doc: dict) -> Iterator[Case]:
    """Every active channel in the forms people paste."""
    for ch in doc["channels"]:
        if ch["status"] != "active":
            continue
        kind, value = ch["kind"], ch["value"]
        if kind == "domain":
            forms = [value, f"https://{value}", f"https://{value}/", f"{value}/", f"https://{value}/en/",
                     f"https://{value}/cn/security-knowledge/?utm_source=x", value.upper()]
            if ch.get("include_subdomains"):
                forms += [f"www.{value}", f"https://www.{value}/", f"https://www.{value}/download/pc"]
            sub = "domain"
        elif kind == "email":
            forms = [value, f"mailto:{value}", f"TokenPocket <{value}>", f"\"TokenPocket Support\" <{value}>",
                     f"TP钱包客服 <{value}>"]
            sub = "email"
        else:
            platform = ch["platform"]
            code = value.split("/", 1)[1] if "/" in value else value
            forms = [f"{platform}:{value}"]
            forms += [t.format(v=value, code=code, dash=value.replace(".", "-")) for t in _PROFILE_FORMS.get(platform, ())]
            forms = [f for f in forms if not f.endswith(" (x)")]  # a bare "@name" has no platform: ambiguous
            sub = f"handle:{platform}"
        for form in forms:
            yield Case(form, "official", "official", sub)


# --- domain_typo: dnstwist ----------------------------------------------------------------

TYPO_SOURCES = ("tokenpocket.pro", "tpwallet.io", "tptool.pro")
# dnstwist's dictionary fuzzer appends/prepends these words; its tld-swap uses these TLDs.
TYPO_DICTIONARY = ("support", "help", "service", "official", "app", "wallet", "login", "verify", "download", "kefu")
TYPO_TLDS = ("com", "net", "org", "io", "app", "pro", "xyz", "top", "cc", "vip", "co", "me", "cn", "info", "online", "site")


def _official_hosts(doc: dict) -> tuple[set[str], set[str]]:
    """(exact official hosts, zones whose subdomains are official), retired ones included:
    a candidate that the registry knows answers official/retired and is no typo."""
    exact = {c["value"].lower() for c in doc["channels"] if c["kind"] == "domain"}
    zones = {c["value"].lower() for c in doc["channels"] if c["kind"] == "domain" and c.get("include_subdomains")}
    return exact, zones


def _is_official_host(host: str, exact: set[str], zones: set[str]) -> bool:
    host = host.lower().rstrip(".")
    return host in exact or any(host.endswith("." + z) for z in zones)


def typo_cases(doc: dict, *, require_dnstwist: bool = False) -> Iterator[Case]:
    """dnstwist's permutations of the official domains; subgroup = the fuzzer's name.

    Only what dnstwist itself keeps (its ``generate`` drops names failing its FQDN check and
    encodes IDN candidates in punycode); the original and anything the registry lists is dropped.
    """
    try:
        import dnstwist
    except ImportError:
        if require_dnstwist:
            raise RuntimeError("dnstwist is missing: pip install -e '.[bench]' (or make bench)") from None
        return
    exact, zones = _official_hosts(doc)
    for source in TYPO_SOURCES:
        fuzzer = dnstwist.Fuzzer(source, dictionary=list(TYPO_DICTIONARY), tld_dictionary=list(TYPO_TLDS))
        fuzzer.generate()
        for perm in fuzzer.permutations():
            name, domain = perm["fuzzer"], perm["domain"]
            if name == "*original" or not domain or _is_official_host(domain, exact, zones):
                continue
            yield Case(domain, "domain_typo", "flag", name)


# --- domain_combo -------------------------------------------------------------------------

BRANDS = ("tokenpocket", "tpwallet", "token-pocket", "tp-wallet")
BAIT_WORDS = ("support", "service", "help", "official", "recovery", "refund", "verify", "claim", "airdrop",
              "app", "download", "wallet", "kefu", "helpdesk", "customer", "online", "secure", "login")
COMBO_TLDS = ("com", "net", "org", "top", "xyz", "vip", "cc", "app", "io", "pro", "shop", "site", "online",
              "info", "cn", "com.cn", "hk", "me", "live", "club", "co", "icu", "asia", "ltd")


def _idna(host: str) -> str:
    """The punycode (ASCII) form of a Unicode host, via the ``idna`` package (IDNA 2008/UTS 46)."""
    import idna

    return idna.encode(host, uts46=True).decode("ascii")


def combo_cases() -> Iterator[Case]:
    tld_i = 0

    def next_tld() -> str:
        nonlocal tld_i
        tld_i += 1
        return COMBO_TLDS[tld_i % len(COMBO_TLDS)]

    # brand + bait word, both orders, with and without a hyphen, TLDs rotating.
    for brand in BRANDS:
        for bait in BAIT_WORDS:
            if bait == "wallet" and "wallet" in brand:
                continue
            for label in (f"{brand}{bait}", f"{brand}-{bait}", f"{bait}{brand}", f"{bait}-{brand}"):
                if "--" in label:
                    continue
                yield Case(f"{label}.{next_tld()}", "domain_combo", "flag", "brand+bait")
    # Forms seen in the wild: brand + bait + bait, "pro"/"io" glued in, URLs with paths.
    for host in ("tokenpocket-pro.com", "tokenpocketpro.com", "tokenpocket-pro.net", "tpwallet-io.com", "tpwalletio.com",
                 "tokenpocket-support-center.com", "tokenpocket-official-support.net", "tpwallet-help-center.top",
                 "tp-wallet-kefu.vip", "tokenpocket-wallet-recovery.com", "tpwallet-refund-claim.xyz",
                 "tokenpocket-app-download.cn", "download-tokenpocket-app.com", "tokenpocket-airdrop-claim.site",
                 "tpwalletapp.net", "tp-walletapp.com", "tpwallet-app.vip", "tokenpocket-web.com", "tokenpocketweb.app",
                 "tpwallet-extension.com", "tokenpocket-extension.net", "tpwalletofficial.cc", "officialtpwallet.com",
                 "tokenpocket-kf.com", "tpwalletkf.com", "tp-wallet-help.com", "tokenpocketwallet.org",
                 "tp-wallet-verify.io", "verify-tpwallet.io", "verify-tokenpocket.pro"):
        yield Case(host, "domain_combo", "flag", "brand+bait")
    for url in ("https://tokenpocket-support.com/login", "https://www.tpwallet-help.top/#/recover",
                "http://tokenpocket-kefu.vip/chat?lang=zh", "https://tpwallet-refund.com/claim?id=88231",
                "https://tokenpocket-app.cn/download/TokenPocket-v2.4.1.apk"):
        yield Case(url, "domain_combo", "flag", "brand+bait url")

    # Bait words in Chinese (IDN), each in Unicode and in punycode.
    for unicode_host in ("tokenpocket客服.com", "tp钱包客服.com", "tp钱包.com", "tp钱包官网.net", "tokenpocket钱包.com",
                         "tokenpocket官方.top", "tp钱包找回.xyz", "tokenpocket退款.com", "tpwallet人工客服.vip",
                         "客服-tokenpocket.com"):
        yield Case(unicode_host, "domain_combo", "flag", "brand+bait idn (unicode)")
        yield Case(_idna(unicode_host), "domain_combo", "flag", "brand+bait idn (punycode)")

    # The official name on another TLD or registrable domain.
    for host in ("tokenpocket.com", "tokenpocket.app", "tokenpocket.io", "tokenpocket.net", "tokenpocket.org",
                 "tokenpocket.co", "tokenpocket.xyz", "tokenpocket.vip", "tokenpocket.top", "tokenpocket.cc",
                 "tokenpocket.cn", "tokenpocket.pro.cn", "tokenpocket.com.cn", "tokenpocket.co.uk", "tokenpocket.me",
                 "tpwallet.com", "tpwallet.pro", "tpwallet.app", "tpwallet.net", "tpwallet.cn", "tpwallet.vip",
                 "tpwallet.io.cn", "tptool.com", "tptool.io", "token-pocket.pro", "tp-wallet.io", "token-pocket.com",
                 "tp-wallet.com", "tokenpocket.pro.com", "tpwallet.io.vip"):
        yield Case(host, "domain_combo", "flag", "official name, other tld")

    # The brand in a subdomain of another domain.
    for host in ("tokenpocket.pro.secure-login.top", "tokenpocket.pro.verify-wallet.com", "tpwallet.io.claim-reward.xyz",
                 "www.tokenpocket.pro.account-check.net", "tokenpocket.secure-login.top", "tokenpocket.kefu-online.com",
                 "tpwallet.help-desk.cc", "help-tokenpocket.secure-login.top", "tokenpocket-support.web-service.site",
                 "service.tokenpocket.pro-support.net", "tokenpocket.pro-verify.com", "tpwallet.io-app.com",
                 "help.tokenpocket.pro.gov-cn.top", "tp-wallet.cloud-desk.live", "tokenpocket.wallet-sync.info",
                 "https://tokenpocket.pro.evil-site.com/", "https://verify.tpwallet.io.ssl-check.org/index.html"):
        yield Case(host, "domain_combo", "flag", "brand in subdomain")

    # The brand as the account label of a free hosting service (PSL private section).
    for host in ("tokenpocket-pro.web.app", "tpwallet.github.io", "tokenpocket-support.vercel.app", "tokenpocket.pages.dev",
                 "tp-wallet.netlify.app", "tokenpocket-help.firebaseapp.com", "tokenpocket.herokuapp.com",
                 "tpwallet-kefu.glitch.me", "tokenpocket-support.blogspot.com", "tokenpocket-recovery.replit.app",
                 "tpwallet.onrender.com", "tokenpocket.surge.sh", "tokenpocket-io.webflow.io", "tokenpocket-support.notion.site",
                 "tpwallet-help.gitlab.io", "tokenpocket-wallet.weebly.com", "https://tokenpocket-verify.pages.dev/connect",
                 "https://tpwallet-support.web.app/recover.html", "tokenpocket.wixsite.com", "tpwallet-claim.framer.website"):
        yield Case(host, "domain_combo", "flag", "brand on free hosting")

    # The brand in the path of a shared host.
    for url in ("https://sites.google.com/view/tokenpocket-help", "https://linktr.ee/tokenpocket_support",
                "https://docs.google.com/forms/d/e/1FAIpQLSfTq9Xw2/viewform?tokenpocket",
                "https://docs.google.com/forms/d/e/1FAIpQLSc8rT/viewform?usp=sf_link&title=TokenPocket+Wallet+Recovery",
                "https://sites.google.com/view/tpwallet-support/home", "https://www.dropbox.com/s/x8k2pq/TokenPocket.apk?dl=1",
                "https://telegra.ph/TokenPocket-Official-Support-05-12", "https://www.notion.so/TokenPocket-Support-Center-7f3a9b",
                "https://tokenpocket.wixsite.com/support", "https://linktr.ee/tpwallet.kefu",
                "https://bit.ly/tokenpocket-kefu", "https://ipfs.io/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/tokenpocket-verify.html",
                "https://drive.google.com/uc?export=download&id=1Zx&name=tokenpocket-v2.4.1.apk",
                "https://pastebin.com/raw/tokenpocket-support"):
        yield Case(url, "domain_combo", "flag", "brand in shared-host path")

    # Userinfo and parser tricks: the link shows an official name, the browser goes elsewhere.
    for url in ("https://tokenpocket.pro@evil-site.com/", "https://tokenpocket.pro@evil-site.com/login",
                "https://www.tokenpocket.pro:443@phish-secure.top/recover", "https://tpwallet.io@185.199.110.153/",
                "http://service:tokenpocket.pro@wallet-sync.xyz/", "https://help.tokenpocket.pro%2Fcn@kefu-center.vip/",
                "https://evil-site.com\\@tokenpocket.pro", "https://tokenpocket.pro\u200b.evil-site.com/",
                "tokenpocket.pro@evil-site.com"):
        yield Case(url, "domain_combo", "flag", "userinfo/parser trick")

    # IDN homoglyphs of the official names (Cyrillic/Greek/Latin-extended), Unicode and punycode.
    for unicode_host in ("t\u043ekenpocket.pro",            # Cyrillic о
                         "tokenp\u043ecket.pro",
                         "token\u0440ocket.pro",            # Cyrillic р
                         "tok\u0435npocket.pro",            # Cyrillic е
                         "tokenpo\u0441ket.pro",            # Cyrillic с
                         "t\u03bfkenpocket.pro",            # Greek ο
                         "tokenpocke\u0163.pro",            # ţ
                         "tokenpock\u00e9t.pro",            # é
                         "tpw\u0430llet.io",                # Cyrillic а
                         "tpwa\u04cf\u04cfet.io",           # Cyrillic palochka ӏ
                         "t\u0440wallet.io",
                         "tpt\u043e\u043el.pro",
                         "www.t\u043ekenpocket.pro"):
        yield Case(unicode_host, "domain_combo", "flag", "idn homoglyph (unicode)")
        yield Case(_idna(unicode_host), "domain_combo", "flag", "idn homoglyph (punycode)")
    yield Case("XN--TKENPOCKET-JKG.PRO", "domain_combo", "flag", "idn homoglyph (punycode)")


# --- email ----------------------------------------------------------------------------------

def email_cases() -> Iterator[Case]:
    flag = {
        "lookalike domain": (
            "service@tokenpocket.com", "service@tokenpockets.pro", "service@tokenpocket-pro.com", "support@tpwallet.com",
            "service@tpwallet.io.cn", "kefu@tokenpocket-support.com", "help@tokenpocket-support.com",
            "service@t0kenpocket.pro", "service@tokenpockt.pro", "bd@tokenpocket.app", "service@tokenpocket.pro.cn",
            "legalsupport@tokenpocket-legal.com", "noreply@tpwallet-verify.io", "service@xn--tkenpocket-jkg.pro",
            "service@t\u043ekenpocket.pro", "security@tokenpocket-alert.com", "service@tpwallet-kefu.vip",
            "admin@tokenpocket.pro.verify-mail.com",
        ),
        "brand at free mail": (
            "tokenpocket.support@gmail.com", "tpwallet_kefu@qq.com", "tp.service@163.com", "tokenpocket@proton.me",
            "tokenpocket.service@outlook.com", "tokenpocketofficial@hotmail.com", "tpwallet.help@gmail.com",
            "tokenpocket_kefu@126.com", "tokenpocket-refund@yahoo.com", "tpwallet@protonmail.com",
            "tokenpocket+support@gmail.com", "support.tokenpocket@aol.com", "tokenpocketwallet@icloud.com",
            "tp-wallet.kefu@sina.com", "tokenpocket.recovery@mail.ru", "service.tokenpocket@yandex.com",
        ),
        "display-name claim": (
            "\"TokenPocket Support\" <x@gmail.com>", "\"service@tokenpocket.pro\" <x@outlook.com>",
            "TokenPocket <no-reply@wallet-notice.com>", "\"TP钱包客服\" <88412345@qq.com>",
            "\"TokenPocket 官方客服\" <kefu2024@163.com>", "\"TP Wallet Security Team\" <alert@secure-mail.top>",
            "\"tokenpocket.pro\" <support@help-desk.xyz>", "\"TokenPocket Official\" <tp.refund@proton.me>",
            "\"service@tokenpocket.pro via Support\" <helpdesk@outlook.com>", "TPWallet Service <service@mailbox.org>",
        ),
    }
    for sub, values in flag.items():
        for value in values:
            yield Case(value, "email", "flag", sub)
    for value in ("alice.wang@gmail.com", "12345678@qq.com", "john.smith@outlook.com", "zhangwei1988@163.com",
                  "li.na@126.com", "support@github.com", "noreply@binance.com", "service@paypal.com",
                  "hello@example.org", "\"Alice Wang\" <alice.wang@gmail.com>", "\"GitHub\" <noreply@github.com>",
                  "marketing@tp-link.com", "bob+newsletter@gmail.com", "pocketmoney2020@yahoo.com",
                  "tokensale.info@fastmail.com", "support@metamask.io"):
        yield Case(value, "email", "clean", "unrelated")


# --- handle ---------------------------------------------------------------------------------

def handle_cases() -> Iterator[Case]:
    flag: dict[str, tuple[str, ...]] = {
        # Variants that are not the official account (these platforms fold case, so no case-only variants).
        "lookalike x": (
            "x:TokenPocket_T", "x:TokenPocketTP", "x:Token_Pocket_TP", "x:TokenPocket__TP", "x:TokenPocket_TP_",
            "x:TokenPocket_TP1", "x:TokenPocketHelp", "x:TokenPocket_Sup", "x:TokenPocket_Off",
            "x:TokenPocket_CS", "x:TokenP0cket_TP", "x:T0kenPocket_TP", "x:TokenPocket_TPP", "x:TokenPoket_TP",
            "https://x.com/TokenPocketHelp", "https://twitter.com/TokenPocketTP", "https://x.com/TPWallet_Support",
            "x:tpwallet_kefu",
        ),
        "lookalike telegram": (
            "telegram:tokenpocket_support", "telegram:tokenpocket_en1", "telegram:tokenpocketen", "telegram:token_pocket_en",
            "telegram:tokenpocket__en", "telegram:tokenpocket_cn_official", "telegram:tokenpocketcn", "telegram:tokenpocket_cnn",
            "telegram:tokenpocket_kefu", "telegram:T0kenPocket_en", "telegram:tokenp0cket_cn", "telegram:tokenpocket_korea",
            "telegram:tokenpocket_kr", "telegram:tpwallet_support", "telegram:tp_wallet_help", "telegram:TokenPocketHelpDesk",
            "https://t.me/tokenpocket_support", "https://t.me/tokenpocket_cs", "t.me/tokenpocket_kefu2",
            "https://t.me/tpwallet_official", "tg:tokenpocket_admin", "telegram:tokenpocket_c",
        ),
        "lookalike facebook": (
            "facebook:TokenPocketOfficial", "facebook:TokenPocketWallet", "facebook:TokenPocketSupport",
            "facebook:TokenP0cket", "facebook:TokenPockett", "https://www.facebook.com/TokenPocket.Help",
            "https://facebook.com/tpwallet.support",
        ),
        "lookalike github": (
            "github:TP-Labs", "github:TPLab", "github:TP-Lab-Official", "github:TP-1ab", "github:tokenpocket-support",
            "https://github.com/TP-Lab-Support", "https://github.com/tpwallet-official/tp-android",
        ),
        "lookalike medium": (
            "medium:tokenpocket.support", "medium:tokenpocket.official", "medium:tokenpocket.gm1", "medium:tokenpocket.gmm",
            "https://medium.com/@tokenpocket.help", "https://tokenpocket-support.medium.com/",
        ),
        # The official name (or another official handle) on a platform where it is not official.
        "official name, wrong platform": (
            "telegram:TokenPocket_TP", "x:tokenpocket_cn", "x:tokenPocket_en", "x:tokenpocket_kor", "telegram:TokenPocket",
            "github:TokenPocket", "github:TokenPocket-TP", "facebook:TokenPocket.TP", "instagram:tokenpocket",
            "instagram:TokenPocket_TP", "tiktok:tokenpocket", "https://t.me/TokenPocket_TP", "https://x.com/tokenpocket_cn",
            "https://www.instagram.com/tokenpocket_official/", "wechat:tokenpocket_kefu", "youtube:@TokenPocket_TP",
        ),
        # Confirmed fakes listed in the registry (TokenPocket's own warning).
        "known fake": ("telegram:tokenpocket_C", "https://t.me/Larva_l", "telegram:Larva_l"),
    }
    for sub, values in flag.items():
        for value in values:
            yield Case(value, "handle", "flag", sub)
    for value in ("telegram:crypto_news_daily", "x:elonmusk", "@binance", "x:VitalikButerin", "github:torvalds",
                  "telegram:durov", "https://t.me/binance_announcements", "https://x.com/MetaMask",
                  "facebook:NatGeo", "medium:@vitalik", "github:MetaMask", "x:TrustWallet", "telegram:okx_en",
                  "https://github.com/bitcoin/bitcoin", "https://www.facebook.com/groups/cryptotraders",
                  "x:pocketgamer", "telegram:token_terminal", "x:tplinkus", "https://t.me/s/cointelegraph",
                  "youtube:@Bankless"):
        yield Case(value, "handle", "clean", "unrelated")


# --- message --------------------------------------------------------------------------------

SCAM_MESSAGES: tuple[tuple[str, str], ...] = (
    ("zh", "您好，我是TokenPocket官方客服，检测到您的钱包存在异常，请立即提供助记词进行验证，否则资产将被冻结。"),
    ("zh", "TP钱包客服通知：您的账户涉嫌违规，需要在24小时内完成验证，请访问 https://tokenpocket-kefu.vip 输入私钥解冻。"),
    ("zh", "被盗的币可以追回！我们是TokenPocket技术团队，专业找回被盗资产，先支付500 USDT手续费即可启动退款流程。"),
    ("zh", "亲，TP钱包官方人工客服在这里，请加微信 tpkefu888 或者QQ 88412345 详细沟通，电报不方便。"),
    ("zh", "【TokenPocket】您的钱包版本过低，即将停止服务，请尽快下载最新版本：http://tpwallet-app.vip/download 并导入助记词。"),
    ("zh", "我是TP官方客服，您提交的工单已受理，请将12个助记词按顺序发给我，我们帮您同步资产。"),
    ("zh", "恭喜您获得TokenPocket空投奖励 2000 USDT，请在 tokenpocket-airdrop.top 连接钱包并授权领取，仅限今天！"),
    ("zh", "你好，你的钱包被盗了吗？我们可以帮您冻结黑客地址并追回资金，TokenPocket官方合作律师团队，需先缴纳保证金。"),
    ("zh", "官方客服：您的资产已被风控冻结，需要转账 0.1 ETH 到验证地址 0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE 完成解冻。"),
    ("zh", "TP钱包客服热线 400-820-8820，7x24小时为您服务，退款、找回、解冻请直接致电。"),
    ("en", "Hello, this is TokenPocket Support. We detected unusual activity on your wallet. Please verify your seed phrase at https://tokenpocket-verify.pages.dev within 24 hours or your funds will be locked."),
    ("en", "Hi! I'm an admin of the TokenPocket group. I saw your question. Please DM me your 12-word recovery phrase so I can sync your wallet manually."),
    ("en", "Your TP Wallet has been flagged. To unfreeze it you must pay a verification fee of 200 USDT to our official address. Contact service@tokenpocket-support.com"),
    ("en", "We can recover your stolen crypto! TokenPocket recovery team, 100% success. Contact us on Telegram @tokenpocket_recovery now."),
    ("en", "Dear user, TokenPocket is migrating to a new chain. Import your private key at https://tokenpocket.pro@wallet-migrate.xyz/ to keep your balance."),
    ("en", "Congratulations! You are eligible for the TokenPocket airdrop. Claim 500 TPT before it expires: https://tokenpocket-claim.com. Connect your wallet and approve."),
    ("en", "From: \"TokenPocket Security\" <security@tokenpocket-alert.com>\nSubject: Urgent: wallet verification required\n\nPlease reply with your keystore file and password to complete KYC."),
    ("en", "Support here. Let's move this chat to WhatsApp +1 415 555 0132, Telegram is not secure. Have your mnemonic ready."),
    ("zh", "TokenPocket 官方通知：检测到您的钱包存在安全风险，请立即点击 https://t.me/tokenpocket_kefu 联系人工客服处理。"),
    ("en", "I'm from TokenPocket customer service, I can help you get your refund. First send 50 USDT gas fee to 0x8894E0a0c962CB723c1976a4421c95949bE2D4E3."),
)
HARMLESS_MESSAGES: tuple[tuple[str, str], ...] = (
    ("zh", "明天下午三点开会，记得带上周的报表。"),
    ("zh", "晚上一起吃火锅吗？我订了七点的位子。"),
    ("zh", "快递已经放在小区门口的丰巢柜里了，取件码 382910。"),
    ("zh", "这篇文章讲比特币减半讲得挺清楚的，你有空看看。"),
    ("zh", "周末去爬山吗？天气预报说是晴天。"),
    ("en", "Hey, are we still on for lunch tomorrow at noon?"),
    ("en", "The quarterly report is attached. Let me know if you have questions before Friday."),
    ("en", "Happy birthday! Hope you have a great day."),
    ("en", "I pushed the fix to the repo, can you review the pull request on GitHub when you have a minute?"),
    ("en", "The train is delayed by 20 minutes, I'll be a bit late."),
    ("en", "Reminder: the library closes at 6 pm on Sundays."),
    ("zh", "我刚在 https://www.bilibili.com 上看了一个做饭的视频，挺有意思的。"),
)


def message_cases() -> Iterator[Case]:
    for lang, text in SCAM_MESSAGES:
        yield Case(text, "message", "flag", f"scam ({lang})")
    for lang, text in HARMLESS_MESSAGES:
        yield Case(text, "message", "clean", f"harmless ({lang})")


# --- popular_clean --------------------------------------------------------------------------

# The must-not-flag list, then other wallets and exchanges, then names that share a
# word with the brand but are unrelated (TP-Link, Pocket, token.im ...).
MUST_NOT_FLAG = ("getpocket.com", "tp-link.com", "token.im", "tokenterminal.com")
OTHER_WALLETS = ("metamask.io", "trustwallet.com", "imtoken.com", "okx.com", "binance.com", "coinbase.com", "bitget.com",
                 "safepal.com", "phantom.app", "exodus.com", "ledger.com", "trezor.io", "bitkeep.com", "web3.bitget.com",
                 "rabby.io", "rainbow.me", "argent.xyz", "zerion.io", "mathwallet.org", "onekey.so", "keplr.app",
                 "tronlink.org", "atomicwallet.io", "bybit.com", "kraken.com", "huobi.com", "htx.com", "gate.io",
                 "kucoin.com", "crypto.com", "uniswap.org", "pancakeswap.finance", "etherscan.io", "tronscan.org",
                 "blockchain.com", "coinmarketcap.com", "coingecko.com", "walletconnect.com")
SIMILAR_UNRELATED = ("tplink.com", "tp-link.com.cn", "tokensoft.io", "pockethost.io", "pocketcasts.com", "pocket-lint.com",
                     "tokenomist.ai", "tpg.com.au", "tp.edu.sg", "pocketbase.io", "pocketgamer.com", "wallet.google.com",
                     "tokeninsight.com", "pocketoption.com", "tokenmetrics.com")


def popular_domains(path: Path = POPULAR_PATH) -> list[str]:
    """The hand-written list of popular domains (one per line, ``#`` comments)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def popular_cases() -> Iterator[Case]:
    for host in popular_domains():
        yield Case(host, "popular_clean", "clean", "popular")
    for host in MUST_NOT_FLAG:
        yield Case(host, "popular_clean", "clean", "must-not-flag (issue)")
    for host in OTHER_WALLETS:
        yield Case(host, "popular_clean", "clean", "other wallets/exchanges")
    for host in SIMILAR_UNRELATED:
        yield Case(host, "popular_clean", "clean", "similar-sounding, unrelated")
    for url in ("https://www.google.com/search?q=tokenpocket", "https://www.baidu.com/s?wd=tp%E9%92%B1%E5%8C%85",
                "https://en.wikipedia.org/wiki/Cryptocurrency_wallet", "https://www.tp-link.com/us/support/download/",
                "https://getpocket.com/explore"):
        yield Case(url, "popular_clean", "clean", "popular (url)")


# --- the whole set --------------------------------------------------------------------------

def build(*, require_dnstwist: bool = False, doc: dict | None = None) -> list[Case]:
    """All cases, in group order, without duplicates.

    An input produced twice with the same label is kept once (the first group wins: the
    official and hand-written groups come first, so ``tokenpocket.com`` stays in
    ``domain_combo``); the same input with two *different* labels is a bug in this file.
    """
    doc = doc or load_registry_doc()
    sources: Iterable[Iterable[Case]] = (
        official_cases(doc), combo_cases(), email_cases(), handle_cases(), message_cases(), popular_cases(),
        typo_cases(doc, require_dnstwist=require_dnstwist),
    )
    seen: dict[str, Case] = {}
    for source in sources:
        for case in source:
            first = seen.get(case.input)
            if first is None:
                seen[case.input] = case
            elif first.expected != case.expected:
                raise ValueError(f"{case.input!r} is labelled {first.expected} in {first.group} and {case.expected} in {case.group}")
    return list(seen.values())


def by_group(cases: Iterable[Case]) -> dict[str, list[Case]]:
    out: dict[str, list[Case]] = {g: [] for g in GROUPS}
    for case in cases:
        out[case.group].append(case)
    return out


if __name__ == "__main__":
    from collections import Counter

    all_cases = build(require_dnstwist=True)
    print(Counter((c.group, c.expected) for c in all_cases))
