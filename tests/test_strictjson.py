"""verifier.strictjson: what json.loads lets through and loads_strict refuses."""

from __future__ import annotations

import pytest

from verifier.errors import InvalidInputError
from verifier.strictjson import StrictJSONError, loads_strict



def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


ACCEPTED = [
    (b'{"a": 1, "b": [true, null, 1.5, "x"]}', {"a": 1, "b": [True, None, 1.5, "x"]}),
    ('{"zh": "官方"}'.encode(), {"zh": "官方"}),
    ('{"zh": "官方"}', {"zh": "官方"}),
    (b'"\\ud83d\\ude00"', "\U0001F600"),  # a proper surrogate pair is one character
    (b'"[[[{{{"', "[[[{{{"),  # brackets inside strings do not count as depth
    (b'"a\\"[["', 'a"[['),
    (b"[" * 64 + b"]" * 64, _nested(64)),
    (b"  1e308 ", 1e308),
    (b"-0", 0),
    (b'{"a": {"a": 1}}', {"a": {"a": 1}}),  # the same key at different levels is fine
]


@pytest.mark.parametrize(("data", "expected"), ACCEPTED)
def test_accepted(data, expected):
    assert loads_strict(data) == expected


REFUSED = [
    ("invalid utf-8", b'{"a": "\xff"}', "encoding"),
    ("encoded surrogate", b'"\xed\xa0\x80"', "encoding"),
    ("utf-8 bom", b'\xef\xbb\xbf{"a": 1}', "encoding"),
    ("str bom", '\ufeff{"a": 1}', "encoding"),
    ("latin-1", '{"a": "é"}'.encode("latin-1"), "encoding"),
    ("empty", b"", "syntax"),
    ("trailing comma", b'{"a": 1,}', "syntax"),
    ("single quotes", b"{'a': 1}", "syntax"),
    ("two documents", b"{} {}", "syntax"),
    ("unbalanced", b"[[", "syntax"),
    ("huge int", b"1" * 5000, "syntax"),
    ("NaN", b'{"a": NaN}', "constant"),
    ("Infinity", b"[Infinity]", "constant"),
    ("-Infinity", b"-Infinity", "constant"),
    ("overflow", b"[1e400]", "constant"),
    ("duplicate key", b'{"a": 1, "a": 1}', "duplicate_key"),
    ("nested duplicate", b'{"x": [{"k": 1, "k": 2}]}', "duplicate_key"),
    ("lone high surrogate", b'"\\ud800"', "surrogate"),
    ("lone low surrogate in array", b'["ok", "\\udc00"]', "surrogate"),
    ("surrogate in key", b'{"\\ud800": 1}', "surrogate"),
    ("reversed pair", b'"\\ude00\\ud83d"', "surrogate"),
    ("raw surrogate in str", '"\ud800"', "surrogate"),
    ("65 deep arrays", b"[" * 65 + b"]" * 65, "too_deep"),
    ("65 deep objects", b'{"a":' * 65 + b"1" + b"}" * 65, "too_deep"),
    ("100000 deep", b"[" * 100_000, "too_deep"),
]


@pytest.mark.parametrize(("data", "reason"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused(data, reason):
    with pytest.raises(StrictJSONError) as info:
        loads_strict(data)
    assert info.value.reason == reason
    assert info.value.message
    # messages are safe to log as UTF-8 (no lone surrogate echoed back)
    info.value.message.encode("utf-8")


def test_error_is_a_value_error_in_the_family():
    with pytest.raises(ValueError):
        loads_strict(b"{")
    assert issubclass(StrictJSONError, InvalidInputError)


@pytest.mark.parametrize(("depth", "limit", "ok"), [(3, 3, True), (4, 3, False), (1, 1, True), (2, 1, False)])
def test_max_depth_parameter(depth, limit, ok):
    data = "[" * depth + "]" * depth
    if ok:
        loads_strict(data, max_depth=limit)
    else:
        with pytest.raises(StrictJSONError, match="deeper than"):
            loads_strict(data, max_depth=limit)
