"""A strict JSON loader, for the signed registry and for request bodies of the HTTP API.

``json.loads`` is lenient in ways that matter here (SECURITY.md #4): it accepts ``NaN`` and
``Infinity`` (and turns ``1e400`` into ``inf``), keeps the last of two duplicate keys, lets a
lone surrogate such as ``"\\ud800"`` through (which later breaks a UTF-8 write), and meets
deep nesting with a ``RecursionError``. :func:`loads_strict` refuses all of these with a
:class:`StrictJSONError` whose ``reason`` is one of:

=============  ================================================================
reason         refused input
=============  ================================================================
encoding       bytes that are not UTF-8, or that start with a byte-order mark
syntax         anything ``json`` itself cannot parse (incl. integers over 4300 digits)
constant       ``NaN``, ``Infinity``, ``-Infinity``, or a number that overflows to infinity
duplicate_key  an object with the same key twice
surrogate      a string or key holding a lone UTF-16 surrogate (U+D800..U+DFFF)
too_deep       arrays/objects nested deeper than ``max_depth``
=============  ================================================================
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from verifier.errors import InvalidInputError

DEFAULT_MAX_DEPTH = 64

# Strings are skipped whole so brackets inside them do not count towards the depth.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictJSONError(InvalidInputError):
    """JSON refused by :func:`loads_strict`; also a ``ValueError``. ``reason`` says why."""

    code = "bad_json"
    status = 400  # malformed request body: a client error before any field is read

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def loads_strict(data: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Parse one JSON document strictly (see the module docstring for what is refused)."""
    text = _decode(data)
    _check_depth(text, max_depth)
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_pairs,
        )
    except StrictJSONError:
        raise
    except json.JSONDecodeError as exc:
        raise StrictJSONError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", reason="syntax") from None
    except RecursionError:
        # the depth pre-check should make this unreachable; kept so nothing deep ever escapes
        raise StrictJSONError(f"JSON nested deeper than {max_depth} levels", reason="too_deep") from None
    except ValueError as exc:  # e.g. an integer literal over sys.get_int_max_str_digits()
        raise StrictJSONError(f"invalid JSON: {exc}", reason="syntax") from None
    _check_strings(value)
    return value


def _decode(data: bytes | str) -> str:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raise StrictJSONError("JSON starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", reason="encoding")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StrictJSONError(f"JSON is not valid UTF-8 (byte offset {exc.start}: {exc.reason})", reason="encoding") from None
    if data.startswith("\ufeff"):
        raise StrictJSONError("JSON starts with a byte-order mark (U+FEFF)", reason="encoding")
    return data


def _check_depth(text: str, max_depth: int) -> None:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > max_depth:
                raise StrictJSONError(
                    f"JSON nested deeper than {max_depth} levels (at character {match.start()})", reason="too_deep"
                )
        elif token == "]" or token == "}":
            depth -= 1  # unbalanced input is json's to report as a syntax error


def _reject_constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not allowed in JSON (use null or a finite number)", reason="constant")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise StrictJSONError(f"number {literal[:40]} overflows to infinity", reason="constant")
    return value


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise StrictJSONError(f"duplicate key {_show(key)} in a JSON object", reason="duplicate_key")
        obj[key] = value
    return obj


def _check_strings(value: Any) -> None:
    # Recursion is bounded: the depth check above already limited nesting to max_depth.
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise StrictJSONError(f"string {_show(value)} contains a lone surrogate", reason="surrogate")
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                raise StrictJSONError(f"key {_show(key)} contains a lone surrogate", reason="surrogate")
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def _show(text: str) -> str:
    # ascii() escapes surrogates, so the message itself is always safe to log as UTF-8
    return ascii(text if len(text) <= 40 else text[:40] + "...")
