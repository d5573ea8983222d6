"""The platform table: profile URLs → canonical handles, typed handles, keys and aliases."""

from __future__ import annotations

import ada_url
import pytest

from verifier import platforms
from verifier.platforms import PLATFORMS, canonical_handle, get_platform, handle_from_url, handle_key, platform_for_host

# (url, platform key, canonical value or None, key)
PROFILE_URLS = [
    # TokenPocket's real channels (CHANNELS.md)
    ("https://t.me/tokenPocket_en", "telegram", "tokenPocket_en", "tokenpocket_en"),
    ("https://t.me/tokenpocket_cn", "telegram", "tokenpocket_cn", "tokenpocket_cn"),
    ("https://t.me/tokenpocket_kor", "telegram", "tokenpocket_kor", "tokenpocket_kor"),
    ("https://telegram.me/tokenpocket_cn", "telegram", "tokenpocket_cn", "tokenpocket_cn"),
    ("https://telegram.dog/tokenpocket_cn", "telegram", "tokenpocket_cn", "tokenpocket_cn"),
    ("https://t.me/s/tokenpocket_cn", "telegram", "tokenpocket_cn", "tokenpocket_cn"),
    ("https://t.me/tokenpocket_cn/12345", "telegram", "tokenpocket_cn", "tokenpocket_cn"),
    ("https://tokenpocket_en.t.me/", "telegram", "tokenpocket_en", "tokenpocket_en"),
    ("https://t.me/+AbCdEf123456", "telegram", "+AbCdEf123456", "+AbCdEf123456"),
    ("https://t.me/joinchat/AbCdEf123456", "telegram", "+AbCdEf123456", "+AbCdEf123456"),
    ("https://twitter.com/TokenPocket_TP", "twitter", "TokenPocket_TP", "tokenpocket_tp"),
    ("https://x.com/TokenPocket_TP", "twitter", "TokenPocket_TP", "tokenpocket_tp"),
    ("https://mobile.twitter.com/TokenPocket_TP", "twitter", "TokenPocket_TP", "tokenpocket_tp"),
    ("https://x.com/TokenPocket_TP/status/1903042220086923529", "twitter", "TokenPocket_TP", "tokenpocket_tp"),
    ("https://discord.com/invite/NKPM8TXFQk", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk"),
    ("https://discord.gg/NKPM8TXFQk", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk"),
    ("https://discordapp.com/invite/NKPM8TXFQk", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk"),
    ("https://www.youtube.com/channel/UCudaS5hcbqUaMtOGHmQ2e0A", "youtube", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A"),
    ("https://m.youtube.com/channel/UCudaS5hcbqUaMtOGHmQ2e0A/videos", "youtube", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A"),
    ("https://www.youtube.com/@TokenPocket", "youtube", "@TokenPocket", "@tokenpocket"),
    ("https://www.youtube.com/c/TokenPocket", "youtube", "c/TokenPocket", "c/tokenpocket"),
    ("https://www.youtube.com/user/TokenPocket", "youtube", "user/TokenPocket", "user/tokenpocket"),
    ("https://www.facebook.com/TokenPocket", "facebook", "TokenPocket", "tokenpocket"),
    ("https://m.facebook.com/TokenPocket/", "facebook", "TokenPocket", "tokenpocket"),
    ("https://www.facebook.com/profile.php?id=100064538170040", "facebook", "id:100064538170040", "id:100064538170040"),
    ("https://github.com/TP-Lab", "github", "TP-Lab", "tp-lab"),
    ("https://github.com/TP-Lab/tp-js-sdk", "github", "TP-Lab", "tp-lab"),
    ("https://github.com/orgs/TP-Lab/repositories", "github", "TP-Lab", "tp-lab"),
    ("https://medium.com/@tokenpocket.gm", "medium", "tokenpocket.gm", "tokenpocket-gm"),
    ("https://medium.com/@tokenpocket-gm/fraud-prevention-class-2eb3cd3e69e", "medium", "tokenpocket-gm", "tokenpocket-gm"),
    ("https://tokenpocket-gm.medium.com/fraud-prevention-class-2eb3cd3e69e", "medium", "tokenpocket-gm", "tokenpocket-gm"),
    ("https://tokenpocket-gm.medium.com/", "medium", "tokenpocket-gm", "tokenpocket-gm"),
    # other platforms in the table
    ("https://www.instagram.com/tokenpocket/", "instagram", "tokenpocket", "tokenpocket"),
    ("https://www.reddit.com/r/TokenPocket/", "reddit", "r/TokenPocket", "r/tokenpocket"),
    ("https://old.reddit.com/user/Some_User", "reddit", "u/Some_User", "u/some_user"),
    ("https://new.reddit.com/u/Some_User", "reddit", "u/Some_User", "u/some_user"),
    ("https://www.tiktok.com/@tokenpocket", "tiktok", "tokenpocket", "tokenpocket"),
    ("https://weibo.com/u/1234567890", "weibo", "u/1234567890", "u/1234567890"),
    ("https://weibo.com/tokenpocket", "weibo", "tokenpocket", "tokenpocket"),
    ("https://m.weibo.cn/profile/1234567890", "weibo", "u/1234567890", "u/1234567890"),
    ("https://www.linkedin.com/company/tokenpocket/", "linkedin", "company/tokenpocket", "company/tokenpocket"),
    ("https://www.linkedin.com/in/Some-Person", "linkedin", "in/Some-Person", "in/some-person"),
    ("https://wa.me/8613800138000", "whatsapp", "8613800138000", "8613800138000"),
    ("https://api.whatsapp.com/send?phone=+8613800138000", "whatsapp", "8613800138000", "8613800138000"),
    ("https://chat.whatsapp.com/AbCdEfGhIjKlMn", "whatsapp", "invite/AbCdEfGhIjKlMn", "invite/AbCdEfGhIjKlMn"),
    # platform hosts, but no account in the path
    ("https://x.com/home", "twitter", None, None),
    ("https://x.com/i/flow/login", "twitter", None, None),
    ("https://x.com/search?q=tokenpocket", "twitter", None, None),
    ("https://twitter.com/intent/tweet?text=hi", "twitter", None, None),
    ("https://x.com/", "twitter", None, None),
    ("https://t.me/", "telegram", None, None),
    ("https://t.me/joinchat", "telegram", None, None),
    ("https://t.me/share/url?url=x", "telegram", None, None),
    ("https://t.me/tok", "telegram", None, None),  # shorter than any username
    ("https://t.me/tokenpocket%5Fen", "telegram", None, None),  # encoded: never decoded, never matched
    ("https://discord.com/channels/1/2", "discord", None, None),
    ("https://discord.com/NKPM8TXFQk", "discord", None, None),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", None, None),
    ("https://youtu.be/dQw4w9WgXcQ", "youtube", None, None),
    ("https://www.facebook.com/groups/123456", "facebook", None, None),
    ("https://www.facebook.com/sharer/sharer.php?u=x", "facebook", None, None),
    ("https://www.instagram.com/p/Cabc123/", "instagram", None, None),
    ("https://github.com/features/actions", "github", None, None),
    ("https://github.com/", "github", None, None),
    ("https://medium.com/tag/crypto", "medium", None, None),
    ("https://help.medium.com/hc/en-us", "medium", None, None),
    ("https://www.linkedin.com/feed/", "linkedin", None, None),
    ("https://www.reddit.com/", "reddit", None, None),
]


@pytest.mark.parametrize("url, platform_key, value, key", PROFILE_URLS)
def test_handle_from_url(url, platform_key, value, key):
    parsed = ada_url.parse_url(url)
    platform = platform_for_host(parsed["hostname"])
    assert platform is not None and platform.key == platform_key
    found = handle_from_url(platform, parsed["hostname"], parsed["pathname"], parsed["search"])
    assert found == value
    if value is not None:
        assert handle_key(platform_key, found) == key


# Registry values (data/official_channels.json) and the keys user input must reach.
@pytest.mark.parametrize(
    "platform_key, value, key",
    [
        ("telegram", "tokenPocket_en", "tokenpocket_en"),
        ("telegram", "tokenpocket_cn", "tokenpocket_cn"),
        ("telegram", "tokenpocket_C", "tokenpocket_c"),
        ("telegram", "Larva_l", "larva_l"),
        ("telegram", "+AbCdEf123456", "+AbCdEf123456"),
        ("discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk"),
        ("youtube", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A"),
        ("youtube", "@TokenPocket", "@tokenpocket"),
        ("youtube", "TokenPocket", "@tokenpocket"),
        ("twitter", "TokenPocket_TP", "tokenpocket_tp"),
        ("twitter", "@TokenPocket_TP", "tokenpocket_tp"),
        ("x", "TokenPocket_TP", "tokenpocket_tp"),
        ("github", "TP-Lab", "tp-lab"),
        ("medium", "tokenpocket.gm", "tokenpocket-gm"),
        ("medium", "@tokenpocket.gm", "tokenpocket-gm"),
        ("medium", "tokenpocket-gm", "tokenpocket-gm"),
        ("facebook", "TokenPocket", "tokenpocket"),
        ("facebook", "id:100064538170040", "id:100064538170040"),
        ("reddit", "r/TokenPocket", "r/tokenpocket"),
        ("qq", "12345678", "12345678"),
        (None, "@TokenPocket_TP", "tokenpocket_tp"),
    ],
)
def test_handle_key(platform_key, value, key):
    assert handle_key(platform_key, value) == key


def test_telegram_invite_hashes_differ_only_by_case():
    assert handle_key("telegram", "+AbCdEf123456") != handle_key("telegram", "+abcdef123456")
    assert handle_key("discord", "invite/NKPM8TXFQk") != handle_key("discord", "invite/nkpm8txfqk")


# (platform name or alias, typed text, canonical value or None)
TYPED = [
    ("telegram", "tokenpocket_en", "tokenpocket_en"),
    ("tg", "@tokenPocket_en", "tokenPocket_en"),
    ("telegram", "+AbCdEf123456", "+AbCdEf123456"),
    ("telegram", "joinchat/AbCdEf123456", "+AbCdEf123456"),
    ("telegram", "tok", None),
    ("telegram", "1tokenpocket", None),
    ("x", "@TokenPocket_TP", "TokenPocket_TP"),
    ("twitter", "TokenPocket_TP", "TokenPocket_TP"),
    ("twitter", "this_is_far_too_long", None),
    ("discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk"),
    ("discord", "NKPM8TXFQk", "invite/NKPM8TXFQk"),  # mixed case: cannot be a username
    ("discord", "tokenpocket", "tokenpocket"),
    ("youtube", "UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A"),
    ("youtube", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A"),
    ("yt", "@TokenPocket", "@TokenPocket"),
    ("youtube", "TokenPocket", "@TokenPocket"),
    ("fb", "TokenPocket", "TokenPocket"),
    ("facebook", "id:100064538170040", "id:100064538170040"),
    ("gh", "TP-Lab", "TP-Lab"),
    ("github", "-TP-Lab", None),
    ("medium", "@tokenpocket.gm", "tokenpocket.gm"),
    ("reddit", "r/TokenPocket", "r/TokenPocket"),
    ("reddit", "/u/someone", "u/someone"),
    ("reddit", "user/someone", "u/someone"),
    ("reddit", "someone", "u/someone"),
    ("linkedin", "company/tokenpocket", "company/tokenpocket"),
    ("linkedin", "tokenpocket", None),  # company or person? ambiguous: refused
    ("微信", "tokenpocket_wx", "tokenpocket_wx"),
    ("vx", "tokenpocket_wx", "tokenpocket_wx"),
    ("wx", "tp", None),
    ("qq", "12345", "12345"),
    ("qq", "01234", None),
    ("whatsapp", "+86 138 0013 8000", "8613800138000"),
]


@pytest.mark.parametrize("name, text, value", TYPED)
def test_canonical_handle(name, text, value):
    platform = get_platform(name)
    assert platform is not None
    assert canonical_handle(platform, text) == value


@pytest.mark.parametrize(
    "alias, key",
    [
        ("x", "twitter"), ("X", "twitter"), ("Twitter", "twitter"), ("推特", "twitter"),
        ("tg", "telegram"), ("电报", "telegram"), ("dc", "discord"), ("fb", "facebook"), ("ig", "instagram"),
        ("yt", "youtube"), ("gh", "github"), ("微信", "wechat"), ("vx", "wechat"), ("wx", "wechat"),
        ("weixin", "wechat"), ("QQ", "qq"), ("微博", "weibo"), ("wa", "whatsapp"), ("领英", "linkedin"),
        (" telegram ", "telegram"),
    ],
)
def test_get_platform_aliases(alias, key):
    platform = get_platform(alias)
    assert platform is not None and platform.key == key


@pytest.mark.parametrize("name", ["", None, "myspace", "http", "https", "mailto"])
def test_get_platform_unknown(name):
    assert get_platform(name) is None


@pytest.mark.parametrize(
    "host, key",
    [
        ("x.com", "twitter"), ("www.twitter.com", "twitter"), ("t.me", "telegram"), ("tokenpocket_en.t.me", "telegram"),
        ("discord.gg", "discord"), ("fb.com", "facebook"), ("youtu.be", "youtube"), ("tokenpocket-gm.medium.com", "medium"),
        ("old.reddit.com", "reddit"), ("weibo.cn", "weibo"), ("wa.me", "whatsapp"),
        ("tokenpocket.pro", None), ("x.com.evil.example", None), ("evilx.com", None), ("t.me.evil.example", None),
        ("a.b.medium.com", None),
    ],
)
def test_platform_for_host(host, key):
    found = platform_for_host(host)
    assert (found.key if found else None) == key


def test_table_is_consistent():
    keys = [p.key for p in PLATFORMS]
    assert len(set(keys)) == len(keys) == 15
    owners: dict[str, set[str]] = {}
    for p in PLATFORMS:
        for name in (p.key, *p.aliases):
            owners.setdefault(name.casefold(), set()).add(p.key)
    assert all(len(keys) == 1 for keys in owners.values()), "an alias names two platforms"
    hosts = [h for p in PLATFORMS for h in p.hosts]
    assert len(set(hosts)) == len(hosts), "a host serves two platforms"
    for p in PLATFORMS:
        assert p.key == p.key.lower() and p.name and p.name_zh and p.example
        assert all(h == h.lower() and not h.endswith(".") for h in p.hosts)
        assert all(ns.regex is not None for ns in p.namespaces)
        assert p.default_prefix is None or p.namespace(p.default_prefix) is not None


def test_module_exports():
    assert platforms.PLATFORMS is PLATFORMS
    assert get_platform("telegram").name == "Telegram"
