"""normalize_host: the host a browser resolves, with every trick reported, and the caps that
come before any IDNA work (SECURITY.md #1, #3, #5)."""

from __future__ import annotations

import pytest

from verifier.errors import InvalidInputError
from verifier.hostnames import HIDDEN_CHARACTERS, normalize_host, public_suffix, visible

CYRILLIC_O = "\u043e"

# (text, ascii, unicode, registrable, suffix, is_ip, observation codes)
HOSTS = [
    # the official sites in every spelling a person pastes
    ("tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ()),
    ("TokenPocket.pro", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ()),
    ("www.TokenPocket.pro.", "www.tokenpocket.pro", "www.tokenpocket.pro", "tokenpocket.pro", "pro", False, ("trailing_dot",)),
    ("help.tokenpocket.pro", "help.tokenpocket.pro", "help.tokenpocket.pro", "tokenpocket.pro", "pro", False, ()),
    ("tpwallet.io", "tpwallet.io", "tpwallet.io", "tpwallet.io", "io", False, ()),
    ("approval.tptool.pro", "approval.tptool.pro", "approval.tptool.pro", "tptool.pro", "pro", False, ()),
    # private PSL section on: a GitHub Pages site is its own registrable domain (GitBook is not listed)
    ("tphelp.gitbook.io", "tphelp.gitbook.io", "tphelp.gitbook.io", "gitbook.io", "io", False, ()),
    ("tokenpocket.github.io", "tokenpocket.github.io", "tokenpocket.github.io", "tokenpocket.github.io", "github.io", False, ()),
    ("tokenpocket-gm.medium.com", "tokenpocket-gm.medium.com", "tokenpocket-gm.medium.com", "medium.com", "com", False, ()),
    # fullwidth letters and ideographic dots: what the browser visits is not what was shown
    ("ＴＯＫＥＮＰＯＣＫＥＴ。pro", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ("mapped_characters",)),
    ("ｔｏｋｅｎｐｏｃｋｅｔ．ｐｒｏ", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ("mapped_characters",)),
    ("tokenpocket.pro。", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ("trailing_dot",)),
    # percent-encoding in a host is decoded by browsers
    ("tokenp%6Fcket.pro", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ("percent_encoded_host",)),
    ("tokenpocket%2epro", "tokenpocket.pro", "tokenpocket.pro", "tokenpocket.pro", "pro", False, ("percent_encoded_host",)),
    # IDN homograph (Cyrillic о) and its punycode: the same host, shown both ways
    (f"tokenp{CYRILLIC_O}cket.pro", "xn--tokenpcket-jvi.pro", f"tokenp{CYRILLIC_O}cket.pro", "xn--tokenpcket-jvi.pro", "pro", False, ("idn",)),
    ("xn--tokenpcket-jvi.pro", "xn--tokenpcket-jvi.pro", f"tokenp{CYRILLIC_O}cket.pro", "xn--tokenpcket-jvi.pro", "pro", False, ("idn",)),
    ("XN--TOKENPCKET-JVI.PRO", "xn--tokenpcket-jvi.pro", f"tokenp{CYRILLIC_O}cket.pro", "xn--tokenpcket-jvi.pro", "pro", False, ("idn",)),
    ("tp钱包.com", "xn--tp-1z5cr40w.com", "tp钱包.com", "xn--tp-1z5cr40w.com", "com", False, ("idn",)),
    ("xn--zz.com", "xn--zz.com", "xn--zz.com", "xn--zz.com", "com", False, ("invalid_punycode",)),
    # IP literals in every notation getaddrinfo accepts
    ("127.0.0.1", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("2130706433", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("0177.0.0.1", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("0x7f.1", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("0x7F000001", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("127.1", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("017700000001", "127.0.0.1", "127.0.0.1", None, "", True, ("ip_literal",)),
    ("8.8.8.8", "8.8.8.8", "8.8.8.8", None, "", True, ("ip_literal",)),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1", "::ffff:7f00:1", None, "", True, ("ip_literal",)),
    ("[::1]", "::1", "::1", None, "", True, ("ip_literal",)),
    ("2001:DB8::1", "2001:db8::1", "2001:db8::1", None, "", True, ("ip_literal",)),
    # no registrable domain: a bare suffix, a single label
    ("co.uk", "co.uk", "co.uk", None, "co.uk", False, ()),
    ("localhost", "localhost", "localhost", None, "", False, ()),
]


@pytest.mark.parametrize("text, ascii_, unicode_, registrable, suffix, is_ip, codes", HOSTS)
def test_normalize_host(text, ascii_, unicode_, registrable, suffix, is_ip, codes):
    host, observations = normalize_host(text)
    assert host.ascii == ascii_
    assert host.unicode == unicode_
    assert host.registrable == registrable
    assert host.suffix == suffix
    assert host.is_ip is is_ip
    assert host.is_idn is (ascii_ != unicode_)
    assert sorted(o.code for o in observations) == sorted(codes)


@pytest.mark.parametrize(
    "text, detail",
    [
        ("2130706433", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        (f"tokenp{CYRILLIC_O}cket.pro", f"tokenp{CYRILLIC_O}cket.pro"),
        ("ＴＯＫＥＮＰＯＣＫＥＴ。pro", "ＴＯＫＥＮＰＯＣＫＥＴ。pro -> tokenpocket.pro"),
        ("tokenp%6Fcket.pro", "tokenp%6Fcket.pro"),
    ],
)
def test_observation_details_carry_the_evidence(text, detail):
    _, observations = normalize_host(text)
    assert observations[-1].detail == detail


def test_private_suffix_flag():
    assert normalize_host("tokenpocket.github.io")[0].is_private_suffix
    assert not normalize_host("tokenpocket.pro")[0].is_private_suffix


LONG_LABEL = "a" * 64 + ".com"
INVALID = [
    "",
    ".",
    "..",
    "a..b",
    ".tokenpocket.pro",
    LONG_LABEL,
    "a" * 300,
    ("a" * 60 + ".") * 5 + "com",  # 308 characters, labels fine
    "\u0660" * 20000,
    "\u0660" * 300,
    "\u0660" * 64 + ".com",
    "tokenpocket.pro/x",
    "tokenpocket.pro:443",
    "evil.example\\@tokenpocket.pro",
    "tokenpocket.pro@evil.example",
    "token pocket.pro",
    "token\u200bpocket.pro",
    "1.2.3.999",
    "ex%00ample.com",
    "[1.2.3.4]",
    "[::g]",
    "a#b",
]


@pytest.mark.parametrize("text", INVALID)
def test_not_a_host(text):
    with pytest.raises(InvalidInputError) as caught:
        normalize_host(text)
    assert caught.value.code == "invalid_host"
    assert "expected" in caught.value.message


def test_huge_idn_is_refused_by_the_cap():
    # CVE-2026-45409: must be refused by the length cap, never reach IDNA.
    with pytest.raises(InvalidInputError):
        normalize_host("\u0660" * 20000)


def test_label_of_63_is_fine_and_64_is_not():
    assert normalize_host("a" * 63 + ".com")[0].ascii == "a" * 63 + ".com"
    with pytest.raises(InvalidInputError):
        normalize_host("a" * 64 + ".com")


def test_253_is_fine_and_254_is_not():
    name = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters
    assert len(name) == 253 and normalize_host(name)[0].ascii == name
    assert normalize_host(name + ".")[0].ascii == name  # the root dot is not counted
    with pytest.raises(InvalidInputError):
        normalize_host(name + "b")


@pytest.mark.parametrize(
    "text, shown",
    [
        ("token\u200bpocket.pro", "token<U+200B>pocket.pro"),
        ("\u202etokenpocket.pro", "<U+202E>tokenpocket.pro"),
        ("a\u00adb\ufeffc", "a<U+00AD>b<U+FEFF>c"),
        ("tab\there", "tab<U+0009>here"),
        ("c1\u0085", "c1<U+0085>"),
        ("plain.text", "plain.text"),
    ],
)
def test_visible(text, shown):
    assert visible(text) == shown


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
     "\u061c", "\x00", "\x1f", "\x7f", "\x80", "\x9f"],
)
def test_hidden_characters_table(char):
    assert char in HIDDEN_CHARACTERS


@pytest.mark.parametrize("char", ["a", " ", "\u3002", "\u00a0", "\u0430"])
def test_visible_characters_are_not_hidden(char):
    assert char not in HIDDEN_CHARACTERS


def test_public_suffix_offline_snapshot():
    assert public_suffix("help.tokenpocket.pro") == ("tokenpocket.pro", "pro", False)
    assert public_suffix("a.b.c.co.uk") == ("c.co.uk", "co.uk", False)


@pytest.mark.parametrize("value", ["tokenpocket.pro", "tpwallet.io", "help.tokenpocket.pro", "tphelp.gitbook.io", "mytokenpocket.vip"])
def test_registry_values_are_fixed_points(value):
    # The registry builder normalises its values with this same function.
    host, observations = normalize_host(value)
    assert host.ascii == value and observations == ()
