"""Lookalike detectors: a table of real cases per detector (positive and negative), through
the core and the CLI, and the promise that unrelated sites and accounts stay unflagged."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.cli.main import main
from verifier.heuristics.lookalike import strip_baits
from verifier.heuristics.skeleton import is_mixed_script, skeleton
from verifier.heuristics.typos import candidates, max_cost, max_distance, slip_cost

# (input, verdict, reason code, id of the imitated registry entry or None)
POSITIVE = [
    # homoglyphs and IDN, in Unicode and in punycode, any case
    ("tоkenpocket.pro", "impersonation", "homoglyph_domain", "web-tokenpocket-pro"),
    ("xn--tokenpcket-jvi.pro", "impersonation", "homoglyph_domain", "web-tokenpocket-pro"),
    ("XN--TOKENPCKET-JVI.PRO", "impersonation", "homoglyph_domain", "web-tokenpocket-pro"),
    # ASCII look-alike characters are a misspelling, never "letters from other alphabets"
    ("https://tokenp0cket.pro/", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),
    ("tpwa11et.io", "impersonation", "typosquat_domain", "web-tpwallet-io"),
    ("tokenpocĸet.com", "impersonation", "homoglyph_domain", "web-tokenpocket-pro"),  # kra, not in confusables
    # a ligature for two letters, a hooked v doubled for "w", a schwa for "a" (dnstwist's glyphs)
    ("xn--tokenpket-qzb.pro", "impersonation", "homoglyph_domain", "web-tokenpocket-pro"),  # tokenpœket
    ("xn--tpallet-zt2ca.io", "impersonation", "homoglyph_domain", "web-tpwallet-io"),  # tpᶌᶌallet
    ("tpwəllet.io", "impersonation", "homoglyph_domain", "web-tpwallet-io"),
    ("tokenpodcet.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # k → "lc", then "cl" → "d"
    # typosquats, one per fuzzer
    ("tokenpoket.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # omission
    ("tokenpockket.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # repetition
    ("tokenpokcet.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # transposition
    ("tokenpocker.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # replacement
    ("tokenpoclket.io", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # insertion
    ("tokenpocjet.com", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # bitsquatting/adjacent
    ("tokenpacket.com", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # vowel swap
    ("token-pocket.com", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # hyphenation
    ("tokenpocketz.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # addition
    ("tokenrnpocket.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),  # edit distance
    ("tpwalet.io", "impersonation", "typosquat_domain", "web-tpwallet-io"),
    ("tp-wallet.help", "impersonation", "typosquat_domain", "web-tpwallet-io"),
    ("tptools.pro", "impersonation", "typosquat_domain", "tools-tptool-pro"),
    # the official name under another ending
    ("tokenpocket.com", "impersonation", "official_name_other_tld", "web-tokenpocket-pro"),
    ("https://tokenpocket.app/download", "impersonation", "official_name_other_tld", "web-tokenpocket-pro"),
    ("tpwallet.com", "impersonation", "official_name_other_tld", "web-tpwallet-io"),
    ("tptool.com", "impersonation", "official_name_other_tld", "tools-tptool-pro"),
    # combosquats, both orders, with and without separators, Chinese and pinyin bait
    ("tokenpocket-support.com", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("support-tokenpocket.top", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("tokenpocketsupport.xyz", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("tokenpocketrecovery.net", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("https://tpwallet-kefu.cn/", "impersonation", "brand_combosquat", "web-tpwallet-io"),
    ("tokenpocket-airdrop-claim.com", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("mytokenpocket.com", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("tokenpcket-support.com", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("tp钱包客服.com", "impersonation", "brand_combosquat", None),
    ("tokenpocketfans.club", "suspicious", "brand_in_domain", "web-tokenpocket-pro"),
    # brand in a subdomain of another domain
    ("tokenpocket.pro.cn", "impersonation", "brand_in_subdomain", "web-tokenpocket-pro"),
    # userinfo: an official domain before the "@", found wherever it sits among other labels
    ("https://tokenpocket.pro@evil.example/login", "impersonation", "userinfo_trick", "web-tokenpocket-pro"),
    ("https://www.tpwallet.io.secure@evil.example/", "impersonation", "userinfo_trick", "web-tpwallet-io"),
    ("https://help.tokenpocket.pro:8443@evil.example/", "impersonation", "userinfo_trick", "help-tokenpocket-pro"),
    ("https://tokenpocket.pro.evil.example/login", "impersonation", "brand_in_subdomain", "web-tokenpocket-pro"),
    ("https://tokenpocket.evil.example/", "impersonation", "brand_in_subdomain", "web-tokenpocket-pro"),
    ("help-tokenpocket.secure-login.top", "impersonation", "brand_in_subdomain", "web-tokenpocket-pro"),
    ("tpwallet.io.wallet-verify.com", "impersonation", "brand_in_subdomain", "web-tpwallet-io"),
    # free hosting: the public suffix list's private section makes these registrable
    ("tokenpocket-pro.web.app", "impersonation", "brand_on_free_hosting", "web-tokenpocket-pro"),
    ("https://tpwallet.github.io/", "impersonation", "brand_on_free_hosting", "web-tpwallet-io"),
    ("tokenpocket-support.vercel.app", "impersonation", "brand_on_free_hosting", "web-tokenpocket-pro"),
    ("tokenpocket.pages.dev", "impersonation", "brand_on_free_hosting", "web-tokenpocket-pro"),
    ("https://tp-wallet.netlify.app/", "impersonation", "brand_on_free_hosting", "web-tpwallet-io"),
    # the brand in the path of a shared host
    ("https://sites.google.com/view/tokenpocket-help", "suspicious", "brand_in_shared_host_path", "web-tokenpocket-pro"),
    ("https://linktr.ee/tokenpocket_support", "suspicious", "brand_in_shared_host_path", "web-tokenpocket-pro"),
    ("https://docs.google.com/forms/d/e/1FAIpQLSd/viewform?usp=tokenpocket", "suspicious", "brand_in_shared_host_path", "web-tokenpocket-pro"),
    # mixed scripts on a name that imitates nothing official
    ("pаypal-wallet.com", "suspicious", "mixed_script", None),
    # e-mail addresses
    ("tokenpocket.support@gmail.com", "impersonation", "brand_at_free_mail", "email-service"),
    ("tpwallet_kefu@qq.com", "impersonation", "brand_at_free_mail", "email-service"),
    ("tp.service@163.com", "impersonation", "brand_at_free_mail", "email-service"),
    ("tokenpocket@proton.me", "impersonation", "brand_at_free_mail", "email-service"),
    ("\"TokenPocket 客服\" <helpdesk2024@outlook.com>", "impersonation", "brand_at_free_mail", "email-service"),
    ("tokenpocket.pro@evil-site.com", "impersonation", "brand_in_local_part", "web-tokenpocket-pro"),
    ("tokenpocket_support@hk-wallet-service.com", "impersonation", "brand_in_local_part", "web-tokenpocket-pro"),
    ("https://ipfs.io/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/tokenpocket-verify.html", "suspicious", "brand_in_shared_host_path", "web-tokenpocket-pro"),
    ("https://x.com/TPWallet_Support_", "suspicious", "brand_in_shared_host_path", "web-tpwallet-io"),
    ("tok.enpocket.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),
    ("to.kenpocket.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),
    ("tokempoclcet.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),
    ("xn--80ak5ahd85fa53d.io", "impersonation", "homoglyph_domain", "web-tpwallet-io"),
    ("help@tokenpocket-support.com", "impersonation", "brand_combosquat", "web-tokenpocket-pro"),
    ("service@tokenpockets.pro", "impersonation", "typosquat_domain", "web-tokenpocket-pro"),
    ("service@xn--tokenpcket-jvi.pro", "impersonation", "homoglyph_domain", "web-tokenpocket-pro"),
    # handles: variants, misspellings, brand + bait, per platform and without one
    ("telegram:Token_Pocket_EN", "impersonation", "handle_lookalike", "telegram-en"),
    ("telegram:tokenpocket_cm", "impersonation", "handle_lookalike", "telegram-cn"),
    ("https://t.me/tokenpocket_cnn", "impersonation", "handle_lookalike", "telegram-cn"),
    ("x:T0kenPocket_TP", "impersonation", "handle_lookalike", "x-tokenpocket-tp"),
    ("https://x.com/TokenPocketTP", "impersonation", "handle_lookalike", "x-tokenpocket-tp"),
    ("github:TPLab", "impersonation", "handle_lookalike", "github-tp-lab"),
    ("telegram:tokenpocket_support", "impersonation", "brand_in_handle", "telegram-en"),
    ("https://t.me/TPWallet_Kefu", "impersonation", "brand_in_handle", "telegram-en"),
    ("x:TPWallet_Help", "impersonation", "brand_in_handle", "x-tokenpocket-tp"),
    ("x:TokenPocket_CS", "impersonation", "brand_in_handle", "x-tokenpocket-tp"),
    ("facebook:TokenPocket.Official", "impersonation", "brand_in_handle", "facebook-tokenpocket"),
    ("github:TP-Lab-Support", "impersonation", "brand_in_handle", "github-tp-lab"),
    ("wechat:tokenpocket_kefu", "impersonation", "brand_in_handle", None),
    ("@TokenPocket_Support", "impersonation", "brand_in_handle", None),
    ("@Token_Pocket_TP", "impersonation", "handle_lookalike", "x-tokenpocket-tp"),
]

# Unrelated sites, addresses and accounts: plainly "not official", never flagged.
NEGATIVE = [
    "getpocket.com", "https://www.tp-link.com/", "tplink.com", "token.im", "tokenterminal.com", "httptoolkit.tech",
    "google.com", "baidu.com", "binance.com", "okx.com", "trustwallet.com", "metamask.io", "safepal.com",
    "pocket.com", "tokensoft.io", "pockethost.io", "tokenbucket.io", "xn--80ak6aa92e.com", "github.com",
    "https://sites.google.com/view/my-bakery", "https://linktr.ee/somebody", "someone.github.io",
    "gitbook.io",
    "telegram:crypto_news_daily", "x:elonmusk", "@binance", "github:torvalds", "wechat:alice_wang88",
    "alice.wang@gmail.com", "support@binance.com", "help@example.org",
]


def _codes(result):
    return [r["code"] for r in result["reasons"]]


@pytest.mark.parametrize(("text", "verdict", "code", "imitated"), POSITIVE)
def test_detector_catches(core, text, verdict, code, imitated):
    result = core.check(text).to_dict()
    assert result["verdict"] == verdict, result
    assert code in _codes(result), result
    assert (result["lookalike_of"] or {}).get("id") == imitated
    assert result["risk"] >= 60


@pytest.mark.parametrize("text", NEGATIVE)
def test_unrelated_stays_unflagged(core, text):
    result = core.check(text).to_dict()
    assert result["verdict"] == "not_official", result
    assert result["risk"] <= 45
    assert result["lookalike_of"] is None


@pytest.mark.parametrize(
    ("text", "imitated"),
    [("tokenpоcket.pro", "web-tokenpocket-pro"), ("xn--tokenpcket-jvi.pro", "web-tokenpocket-pro")],
)
def test_idn_answers_show_both_forms(core, text, imitated):
    result = core.check(text).to_dict("zh")
    assert result["details"]["host"] == "xn--tokenpcket-jvi.pro"
    assert result["details"]["host_unicode"] == "tokenpоcket.pro"
    message = next(r["message"] for r in result["reasons"] if r["code"] == "homoglyph_domain")
    assert "xn--tokenpcket-jvi.pro" in message and "tokenpоcket.pro" in message


def test_official_channels_are_never_flagged_by_the_heuristics(core, shipped_registry):
    for channel in shipped_registry.channels:
        if not channel.active:
            continue
        text = f"{channel.platform}:{channel.value}" if channel.kind == "handle" else channel.value
        result = core.check(text)
        assert result.verdict == "official", (text, result.to_dict())
        assert [r.code for r in result.reasons if r.code not in ("official_channel", "official_subdomain")] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("tоkenpοcket", "tokenpocket"), ("ｔｏｋｅｎｐｏｃｋｅｔ", "tokenpocket"), ("T0kenPocket", "tokenpocket"),
     ("tpwaIIet", "tpwallet"), ("tokenpócket", "tokenpocket"), ("tokenrnpocket", "tokenmpocket")],
)
def test_skeleton(text, expected):
    assert skeleton(text) == expected


def _whole_string_skeleton(text: str) -> str:
    """The skeleton as first written: map each character, then decompose the whole string."""
    import unicodedata

    from verifier.heuristics import skeleton as module

    mapping = module._char_map()
    chars = []
    for ch in unicodedata.normalize("NFKC", text):
        mapped = mapping.get(ch)
        if mapped is None:
            low = ch.lower()
            mapped = mapping.get(low) or (None if ch.isascii() else mapping.get(ch.upper())) or low
        chars.append(mapped)
    lowered = "".join(c for c in unicodedata.normalize("NFKD", "".join(chars)) if not unicodedata.combining(c))
    for seq, letter in module._SEQUENCES:
        lowered = lowered.replace(seq, letter)
    return lowered


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=24))
def test_the_per_character_skeleton_equals_the_whole_string_one(text):
    """The skeleton caches each character's reading; decomposing per character must read as
    decomposing the whole string did (NFKD works code point by code point; marks are dropped)."""
    skeleton.cache_clear()
    assert skeleton(text) == _whole_string_skeleton(text)


@pytest.mark.parametrize(("text", "mixed"), [("tоkenpocket", True), ("tokenpocket", False), ("tp钱包", False), ("раура", False), ("раураl", True)])
def test_mixed_script(text, mixed):
    assert is_mixed_script(text) is mixed


@pytest.mark.parametrize(
    ("text", "core", "baits"),
    [("tokenpocketsupport", "tokenpocket", ("support",)), ("kefutpwallet2024", "tpwallet", ("digits", "kefu")),
     ("tokenpocket", "tokenpocket", ())],
)
def test_strip_baits(text, core, baits):
    assert strip_baits(text, frozenset({"tokenpocket", "tpwallet"})) == (core, baits)


def test_typo_candidates_are_named_by_their_fuzzer():
    made = candidates("tokenpocket")
    assert made["tokenpoket"] == "omission"
    assert made["tokenpokcet"] == "transposition"
    assert made["token-pocket"] == "hyphenation"
    assert made["tokenp0cket"] == "homoglyph"
    assert "tokenpocket" not in made


def test_tolerance_grows_with_the_length_of_the_name():
    # edits a person in a hurry reads through: none on 4 letters, one from 5, two from 9
    assert [max_distance(n) for n in (4, 5, 8, 9, 11, 12)] == [0, 1, 1, 2, 2, 2]
    # below 8 letters only a slip counts; from 9, two unrelated edits
    assert [max_cost(n) for n in (4, 6, 8, 11)] == [0.0, 0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    ("typed", "official", "cost"),
    [
        ("tokennpocket", "tokenpocket", 0.5),  # a doubled letter
        ("tokenpoket", "tokenpocket", 0.5),  # a dropped letter
        ("tokenpockte", "tokenpocket", 0.5),  # two neighbours swapped
        ("tokenpoxket", "tokenpocket", 0.5),  # the key beside c
        ("tokenp0cket", "tokenpocket", 0.5),  # a look-alike glyph
        ("tokenpacket", "tokenpocket", 0.5),  # a vowel for a vowel
        ("tokenpzcket", "tokenpocket", 1.0),  # an unrelated letter
        ("tokenpazket", "tokenpocket", 1.5),  # a vowel and an unrelated letter
        ("tokenpbbket", "tokenpocket", 2.0),  # two unrelated letters
        ("cptool", "tptool", 1.0),  # one unrelated letter on a short name: too common to count
        ("tpotol", "tptool", 0.5),
    ],
)
def test_slips_weigh_less_than_unrelated_edits(typed, official, cost):
    assert slip_cost(typed, official) == cost

@pytest.mark.parametrize(("text", "verdict", "code", "imitated"), POSITIVE[::4])
def test_cli_explains_lookalikes(settings_env, capsys, text, verdict, code, imitated):
    assert main(["check", "--json", text]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == verdict and code in _codes(result)


def test_ascii_fast_path_agrees_with_the_confusables_data():
    """The hand-kept ASCII table is exactly the data's ASCII pairs that land on a letter or
    digit, read straight from the shipped confusables file (not from the map built with it)."""
    from importlib import resources

    from verifier.heuristics.skeleton import ASCII_CONFUSABLES

    raw = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    pairs = {
        (char, entry["c"])
        for char, entries in raw.items()
        if len(char) == 1 and char.isascii()
        for entry in entries
        if len(entry["c"]) == 1 and entry["c"].isascii()
    }
    # either direction of a pair, onto a lower-case letter or a digit, from a non-letter or "I"
    expected = {}
    for a, b in pairs:
        for src, dst in ((a, b), (b, a)):
            if (not src.isalpha() or src == "I") and dst.isalnum():
                expected.setdefault(src, dst.lower())
    assert ASCII_CONFUSABLES == expected
