"""Data tables the lookalike detectors read: bait words, mail providers, shared hosts, keyboard.

Data beside code (STYLE.md #3): adding a bait word or a provider is adding a string here.
"""

from __future__ import annotations

# Words scammers put next to the brand to look like support ("tokenpocket-support.com",
# "TP钱包客服", "tpwallet_kefu"). Lower case; Chinese and pinyin included.
BAIT_WORDS: frozenset[str] = frozenset(
    {
        # support
        "support", "service", "services", "help", "helpdesk", "helpcenter", "desk", "care", "customer",
        "customerservice", "cs", "contact", "live", "livechat", "chat", "online", "agent", "assist",
        "assistance", "team", "admin", "admins", "official", "offical", "officials", "hotline", "center",
        "centre", "ticket", "tickets",
        # recovery and money
        "recovery", "recover", "restore", "rescue", "refund", "refunds", "unlock", "unfreeze", "fix",
        "repair", "claim", "claims", "reward", "rewards", "bonus", "airdrop", "airdrops", "giveaway",
        "gift", "free", "event", "promo",
        # verification and security
        "verify", "verification", "verified", "validate", "validation", "secure", "security", "safe",
        "auth", "authentication", "login", "signin", "sync", "connect", "dapp", "dapps", "web3",
        "update", "upgrade", "migrate", "migration",
        # product words
        "app", "apps", "download", "downloads", "apk", "ios", "android", "wallet", "wallets", "pro",
        "global", "io", "net", "web", "site", "www", "cn", "hk", "vip", "new", "org", "my", "get", "go",
        # Chinese and pinyin
        "客服", "人工", "人工客服", "在线客服", "官方", "官网", "找回", "退款", "解冻", "钱包", "下载", "验证",
        "kefu", "kf", "rengong", "guanfang", "guanwang", "zhaohui", "tuikuan", "jiedong", "qianbao", "xiazai",
    }
)

# Words that make a short alias ("tp") a claim to be support: "tp-kefu", "tp.service".
SUPPORT_BAITS: frozenset[str] = frozenset(
    {
        "support", "service", "services", "help", "helpdesk", "customerservice", "cs", "admin", "official",
        "recovery", "refund", "verify", "kefu", "kf", "客服", "人工", "人工客服", "在线客服", "官方", "钱包", "wallet",
    }
)
# Short names of the brand that count only next to those words.
SHORT_BRAND_ALIASES: frozenset[str] = frozenset({"tp"})

# Free-mail and disposable providers: official support never writes from them.
FREE_MAIL: frozenset[str] = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me",
        "gmx.com", "gmx.net", "gmx.de", "mail.com", "zoho.com", "zohomail.com", "yandex.com", "yandex.ru",
        "mail.ru", "tutanota.com", "tuta.io", "fastmail.com", "hushmail.com",
        "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com",
        "aliyun.com", "139.com", "189.cn", "tom.com", "21cn.com", "naver.com", "daum.net", "hanmail.net",
    }
)
DISPOSABLE_MAIL: frozenset[str] = frozenset(
    {
        "mailinator.com", "guerrillamail.com", "guerrillamail.info", "sharklasers.com", "10minutemail.com",
        "temp-mail.org", "tempmail.com", "tempmail.net", "yopmail.com", "trashmail.com", "getnada.com",
        "dispostable.com", "maildrop.cc", "throwawaymail.com", "emailondeck.com", "mohmal.com", "fakemail.net",
    }
)

# Hosts where anyone can publish under a path: the brand in the path is the tell.
SHARED_HOSTS: frozenset[str] = frozenset(
    {
        "sites.google.com", "docs.google.com", "drive.google.com", "forms.gle", "forms.office.com",
        "linktr.ee", "linktree.com", "beacons.ai", "bio.link", "taplink.cc", "telegra.ph", "notion.so",
        "www.notion.so", "tinyurl.com", "bit.ly", "t.co", "rebrand.ly", "cutt.ly", "is.gd", "shorturl.at",
        "jotform.com", "form.jotform.com", "typeform.com", "wix.com", "wixsite.com", "weebly.com",
        "medium.com", "pastebin.com", "gist.github.com", "raw.githubusercontent.com", "dropbox.com",
        "mega.nz", "mp.weixin.qq.com", "wj.qq.com", "docs.qq.com", "shimo.im", "jinshuju.net",
        "ipfs.io", "dweb.link", "cloudflare-ipfs.com", "gateway.pinata.cloud", "ipfs.fleek.co", "arweave.net",
    }
)

# Keyboard neighbours, for replacement and insertion typos (dnstwist's keyboard model): the
# layouts most people type on, QWERTY, German QWERTZ and French AZERTY (a French "tmtool" is
# a slip of "tptool": m sits under p).
QWERTY_ROWS = ("1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm")
QWERTZ_ROWS = ("1234567890-", "qwertzuiop", "asdfghjkl", "yxcvbnm")
AZERTY_ROWS = ("1234567890-", "azertyuiop", "qsdfghjklm", "wxcvbn")
LAYOUTS = (QWERTY_ROWS, QWERTZ_ROWS, AZERTY_ROWS)


def _neighbours() -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for rows in LAYOUTS:
        grid = {ch: (r, c) for r, row in enumerate(rows) for c, ch in enumerate(row)}
        for ch, (r, c) in grid.items():
            near = out.setdefault(ch, [])
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if (dr, dc) != (0, 0) and 0 <= rr < len(rows) and 0 <= cc < len(rows[rr]):
                        if rows[rr][cc] not in near:
                            near.append(rows[rr][cc])
    return {ch: "".join(near) for ch, near in out.items()}


KEYBOARD_NEIGHBOURS: dict[str, str] = _neighbours()
VOWELS = "aeiou"
HOSTNAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"

# ASCII look-alikes a typist or a font makes of one another (dnstwist's "homoglyph" for ASCII).
ASCII_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("o", "0"), ("l", "1"), ("i", "1"), ("l", "i"), ("m", "rn"), ("w", "vv"), ("d", "cl"), ("e", "3"),
    ("a", "4"), ("s", "5"), ("b", "6"), ("g", "9"), ("q", "9"), ("u", "v"), ("n", "m"), ("k", "lc"),
)
