"""The fast path gives the full pipeline's answer: whenever it clears a name, `Verifier.check`
says not_official, risk 20, the one reason not_in_registry. Checked by property over names
generated near and far from the brand, on the real fakes, and on the head of the Tranco list
(the whole list: `make bench`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.errors import InvalidInputError
from verifier.fastpath import CLEAR_RISK, CLEAR_VERDICT, FastPath, _pieces

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"


@pytest.fixture(scope="module")
def fast(core) -> FastPath:
    return FastPath(core)


def _agrees(core, fast: FastPath, name: str) -> bool:
    """False only when the fast path cleared a name that the full pipeline answers otherwise."""
    if not fast.clear(name):
        return True
    try:
        result = core.check(name)
    except InvalidInputError:
        return False
    return (result.verdict, result.risk, [r.code for r in result.reasons]) == (CLEAR_VERDICT, CLEAR_RISK, ["not_in_registry"])


OFFICIAL = ["tokenpocket", "tpwallet", "tptool", "tppocket", "tp", "token", "pocket", "wallet"]
BAITS = ["", "support", "kefu", "help", "app", "wallet", "official", "cs", "-", "io", "pro", "2024", "my", "get"]
SUFFIXES = ["com", "pro", "io", "net", "top", "xyz", "co.uk", "com.cn", "web.app", "github.io", "vercel.app",
            "pages.dev", "gitbook.io", "vip", "org", "app", "za", "co.za", "me", "t.me", "medium.com"]
GLYPHS = [("o", "0"), ("l", "1"), ("m", "rn"), ("w", "vv"), ("d", "cl"), ("k", "lc"), ("e", "c"), ("i", "l")]
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"


@st.composite
def edited(draw, word: str) -> str:
    """``word`` with up to three slips: a letter changed, dropped, added, swapped, or a glyph."""
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["sub", "del", "ins", "swap", "glyph"]))
        at = draw(st.integers(0, max(len(word) - 1, 0)))
        letter = draw(st.sampled_from(ALPHABET))
        if how == "sub" and word:
            word = word[:at] + letter + word[at + 1 :]
        elif how == "del" and len(word) > 1:
            word = word[:at] + word[at + 1 :]
        elif how == "ins":
            word = word[:at] + letter + word[at:]
        elif how == "swap" and len(word) > at + 1:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif how == "glyph":
            a, b = draw(st.sampled_from(GLYPHS))
            word = word.replace(a, b, 1) if draw(st.booleans()) else word.replace(b, a, 1)
    return word


@st.composite
def near_names(draw) -> str:
    core = draw(edited(draw(st.sampled_from(OFFICIAL))))
    before, after = draw(st.sampled_from(BAITS)), draw(st.sampled_from(BAITS))
    joiner = draw(st.sampled_from(["", "-", "."]))
    label = joiner.join(p for p in (before, core, after) if p).strip("-.")
    subdomain = draw(st.sampled_from(["", "www.", "login.", "x.com.", "t.me.", "support.", "tokenpocket.", "tp."]))
    name = f"{subdomain}{label or 'a'}.{draw(st.sampled_from(SUFFIXES))}"
    return name.upper() if draw(st.integers(0, 9)) == 0 else name


far_names = st.builds(
    lambda labels, suffix: ".".join(labels + [suffix]),
    st.lists(st.text(ALPHABET, min_size=1, max_size=20), min_size=1, max_size=3),
    st.sampled_from(SUFFIXES),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_names())
def test_names_near_the_brand_agree(core, fast, name):
    assert _agrees(core, fast, name), name


@settings(max_examples=800, deadline=None)
@given(far_names)
def test_names_far_from_the_brand_agree(core, fast, name):
    assert _agrees(core, fast, name), name


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_agrees(core, fast, text):
    assert _agrees(core, fast, text), text


def test_real_fakes_are_never_cleared(fast):
    hosts = [line.split("\t")[0] for line in (DATA / "real_fakes_dev.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert len(hosts) >= 200
    assert [h for h in hosts if fast.clear(h)] == []


def test_the_head_of_tranco_agrees_and_mostly_takes_the_fast_path(core, fast):
    names = (DATA / "tranco_top100k.txt").read_text(encoding="utf-8").split()[:4000]
    cleared = [n for n in names if fast.clear(n)]
    assert len(cleared) >= 0.95 * len(names)  # a fast path that clears nothing would be no use
    assert [n for n in cleared if not _agrees(core, fast, n)] == []


@pytest.mark.parametrize("name", ["tokenpocket.pro", "help.tokenpocket.pro", "foo.tokenpocket.pro", "tphelp.gitbook.io",
                                  "mytokenpocket.vip", "tokenpocket-gm.medium.com", "name.t.me", "x.com.login-verify.top",
                                  "tok.enpocket.com", "tokenpocket.xn--p1ai", "xn--tkenpocket-evi.pro", "1.2.3.4",
                                  "tokenpocket.pro.", "tp-kefu.com", "tokenpcket.net", "tptoo1.com", "tpwallett.org"])
def test_names_the_registry_or_a_detector_speaks_for_are_never_cleared(fast, name):
    assert not fast.clear(name)


@settings(max_examples=500, deadline=None)
@given(st.text("abcdetkop", min_size=1, max_size=14), st.integers(0, 2), st.data())
def test_some_piece_survives_any_k_edits(word, k, data):
    """The lemma the filter rests on: k edits leave one of the k + 1 pieces whole."""
    pieces = _pieces(word, k)
    if not pieces:
        assert len(word) - k < k + 1
        return
    edited_word = data.draw(_k_edits(word, k))
    assert any(p in edited_word for p in pieces), (word, k, pieces, edited_word)


@st.composite
def _k_edits(draw, word: str, k: int) -> str:
    for _ in range(k):
        how = draw(st.sampled_from(["sub", "del", "ins", "swap"]))
        at = draw(st.integers(0, max(len(word) - 1, 0)))
        letter = draw(st.sampled_from("abcdetkopxyz"))
        if how == "sub" and word:
            word = word[:at] + letter + word[at + 1 :]
        elif how == "del" and word:
            word = word[:at] + word[at + 1 :]
        elif how == "ins":
            word = word[:at] + letter + word[at:]
        elif how == "swap" and len(word) > at + 1:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def test_a_registry_with_a_very_short_name_turns_the_fast_path_off(shipped_doc, inside_validity):
    import json

    from verifier.check import Verifier
    from verifier.registry.schema import parse_registry

    doc = json.loads(json.dumps(shipped_doc))
    channel = dict(next(c for c in doc["channels"] if c["value"] == "tptool.pro"), id="web-tk", value="tk.pro")
    doc["channels"].append(channel)
    fast = FastPath(Verifier(parse_registry(doc, path="test"), clock=lambda: inside_validity))
    assert not fast.enabled and not fast.clear("example.com")
