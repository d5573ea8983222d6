"""A whole pasted message → every item in it checked, scam-script phrases found, one verdict.

    text ─ extract ──────> candidates ─ classify ─ Verifier.check_item ─> items (Results)
         ─ scan_phrases ─> signals (asks_for_secret, claims_official_support, ...)
         ─ combine ──────> verdict, risk

``scan(text, verifier)`` is what ``verifier scan`` and ``POST /api/v1/scan`` present; its
:meth:`ScanResult.to_dict` is their one shape (DESIGN.md: ``verdict``, ``risk``, ``items``,
``signals``; plus ``truncated``).

The message's verdict
---------------------

* The items: the worst item verdict by the precedence ``impersonation > suspicious > retired >
  not_official > unverified > official``.
* The signals (rows of :data:`verifier.scan_phrases.PHRASES`): each argues for its ``level``
  alone, or its ``with_others`` level when any other distinct signal is present. So a
  *script* — ``asks_for_secret``, ``asks_for_fee`` or ``promises_recovery`` together with any
  other signal — is at least ``impersonation``; one strong signal alone (those three, and
  ``asks_to_connect_or_authorize``) at least ``suspicious``; two weak ones together
  (``claims_official_support`` + ``moves_chat``) ``suspicious``; one weak one alone changes
  no verdict, only the risk.
* **A message is never ``official`` as a whole.** Its sender is unknown: a scammer can paste
  nothing but official links ("anyone who DMs you first is a scammer"), and the official
  verdicts stay visible on the items themselves. A message in which nothing is wrong — no
  signal, every item official, or no item at all — is ``not_official`` with risk 0. So the
  message's verdict is one of ``impersonation``, ``suspicious``, ``retired``, ``not_official``.

Risk (0-100): the largest of the item risks, the signal weights and the floor of the
signals' verdict (90 for ``impersonation``, 60 for ``suspicious``), plus 5 for each distinct
signal after the first.

Limits: at most :data:`MAX_BYTES` (64 KiB) of UTF-8 text (``input_too_long``), not empty
(``empty_input``), no lone surrogates (``invalid_text``); at most ``max_items`` distinct items
(``truncated``). Items are de-duplicated by (kind, platform, normalized value) — the platform
too, because ``tpkf888`` on WeChat and on Telegram are two different accounts — in order of
first appearance. A candidate that ``classify`` refuses is skipped, not an error.

Pure: no Flask, no network, no disk; the clock is ``now`` (or the verifier's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from verifier import extract
from verifier.check import Verifier
from verifier.classify import classify
from verifier.errors import InvalidInputError
from verifier.model import Result
from verifier.scan_phrases import BY_CODE, Signal, find_signals

MAX_BYTES = 64 * 1024
MAX_ITEMS = 200

# Worst first (DESIGN.md's verdicts, as the message's precedence).
PRECEDENCE: tuple[str, ...] = ("impersonation", "suspicious", "retired", "not_official", "unverified", "official")
_RANK = {verdict: rank for rank, verdict in enumerate(PRECEDENCE)}
# The least a message can be: never "official" or "unverified" as a whole (see the docstring).
BASELINE = "not_official"
RISK_FLOOR = {"impersonation": 90, "suspicious": 60}
RISK_PER_EXTRA_SIGNAL = 5

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The answer for a whole message.

    ``verdict``/``risk``: the message as a whole (never ``official``); ``items``: one
    :class:`Result` per distinct item, in order of first appearance; ``signals``: the first
    match of each scam-script phrase, in order of position; ``truncated``: more distinct items
    were found than ``max_items``.
    """

    verdict: str
    risk: int
    items: tuple[Result, ...]
    signals: tuple[Signal, ...]
    truncated: bool = False

    @property
    def signal_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.signals)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "risk": self.risk,
            "items": [item.to_dict(lang) for item in self.items],
            "signals": [signal.to_dict(lang) for signal in self.signals],
            "truncated": self.truncated,
        }


def validate(text: object) -> str:
    """The text if it can be scanned, else :class:`InvalidInputError` saying why."""
    if not isinstance(text, str):
        raise InvalidInputError("expected the text of a message", code="invalid_input")
    if len(text) > MAX_BYTES:
        raise InvalidInputError(
            f"a message of {len(text)} characters; at most {MAX_BYTES} bytes of UTF-8 allowed", code="input_too_long"
        )
    if _SURROGATE.search(text):
        raise InvalidInputError("the message holds invalid Unicode (a lone surrogate)", code="invalid_text")
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise InvalidInputError(f"a message of {size} bytes of UTF-8; at most {MAX_BYTES} allowed", code="input_too_long")
    if not text.strip():
        raise InvalidInputError("empty message; paste the text of the message to scan", code="empty_input")
    return text


def _worse(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


def signal_verdict(signals: tuple[Signal, ...]) -> str | None:
    """The verdict the signals argue for together, or None when they change no verdict."""
    codes = {s.code for s in signals}
    verdict: str | None = None
    for code in codes:
        phrase = BY_CODE[code]
        level = phrase.with_others if len(codes) > 1 else phrase.level
        if level != "note":
            verdict = level if verdict is None else _worse(verdict, level)
    return verdict


def combine(items: tuple[Result, ...], signals: tuple[Signal, ...]) -> tuple[str, int]:
    """The message's verdict and risk from its items and signals (rules: module docstring)."""
    verdict = BASELINE
    for item in items:
        verdict = _worse(verdict, item.verdict)
    from_signals = signal_verdict(signals)
    if from_signals is not None:
        verdict = _worse(verdict, from_signals)
    if verdict == BASELINE and not signals and all(item.verdict == "official" for item in items):
        return verdict, 0
    risks = [item.risk for item in items] + [BY_CODE[s.code].weight for s in signals]
    if from_signals is not None:
        risks.append(RISK_FLOOR.get(from_signals, 0))
    distinct = len({s.code for s in signals})
    risk = max(risks, default=0) + RISK_PER_EXTRA_SIGNAL * max(0, distinct - 1)
    return verdict, min(100, risk)


def _check_items(
    candidates: tuple[extract.Candidate, ...], verifier: Verifier, now: datetime | None, max_items: int
) -> tuple[tuple[Result, ...], bool]:
    results: list[Result] = []
    keys: set[tuple[str, str | None, str]] = set()
    tried: set[tuple[str, str | None]] = set()
    for candidate in candidates:
        attempt = (candidate.text, candidate.platform)
        if attempt in tried:
            continue
        tried.add(attempt)
        try:
            item = classify(candidate.text, platform=candidate.platform)
        except InvalidInputError:
            continue  # not something we can check: a fragment, a too-long link ...
        key = (item.kind, item.platform, item.normalized)
        if key in keys:
            continue
        if len(results) >= max_items:
            return tuple(results), True  # one more distinct item than allowed: say so, stop
        keys.add(key)
        results.append(verifier.check_item(item, now=now))
    return tuple(results), False


def scan(text: str, verifier: Verifier, *, now: datetime | None = None, max_items: int = MAX_ITEMS) -> ScanResult:
    """Scan a pasted message; raise :class:`InvalidInputError` when it cannot be scanned.

    ``now`` is the moment the registry's expiry is judged at (default: the verifier's clock).
    """
    validate(text)
    folded = extract.fold(text)
    phrases = find_signals(folded, shown=text)
    plain, disguises = extract.deobfuscate(folded)
    signals = list(phrases)
    if disguises:
        first = disguises[0]
        signals.append(Signal("obfuscated_link", text[first.start : first.end], first.start, first.end))
        signals.sort(key=lambda s: (s.start, s.code))
    items, truncated = _check_items(extract.find_candidates(plain), verifier, now, max_items)
    verdict, risk = combine(items, tuple(signals))
    return ScanResult(verdict, risk, items, tuple(signals), truncated)
