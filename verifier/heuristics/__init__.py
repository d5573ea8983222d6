"""The detector table: every heuristic is one row.

A :class:`Detector` has a stable ``code`` (also its reason code), the verdict ``level`` it
argues for, a ``risk`` weight, the input kinds it applies to, and a pure ``check`` that
returns the facts for its message (or ``None`` when it does not fire). ``DETECTORS`` is the
one ordered tuple the pipeline runs; adding a heuristic is adding a row.

Levels, strongest first: ``impersonation`` > ``suspicious`` > ``not_official`` > ``note``.
A ``note`` never changes a verdict; any other level also stops an exact registry match
from being answered ``official`` (fail closed) when ``blocks_official`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from verifier.model import Item
from verifier.registry.index import ChannelMatch, RegistryIndex
from verifier.registry.schema import Channel

if TYPE_CHECKING:  # pragma: no cover
    from verifier.heuristics.lookalike import LookalikeIndex

LEVELS = ("impersonation", "suspicious", "not_official", "note")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True, slots=True)
class Context:
    """What a detector may look at besides the item: the registry index and the exact match."""

    index: RegistryIndex
    match: ChannelMatch | None
    lookalikes: "LookalikeIndex"
    # Facts several rows need (a host's parts, a handle's judgement), computed once per check.
    memo: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def once(self, key: str, compute: Callable[[], object]) -> object:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    @property
    def official_match(self) -> bool:
        return self.match is not None and self.match.channel.active


@dataclass(frozen=True, slots=True)
class Hit:
    """What a detector's check returns when it fires: message facts and the imitated entry."""

    params: dict[str, str] = field(default_factory=dict)
    lookalike_of: Channel | None = None
    level: str | None = None  # overrides the detector's level (e.g. a stronger case)
    risk: int | None = None


@dataclass(frozen=True, slots=True)
class Detector:
    code: str
    level: str
    risk: int
    kinds: frozenset[str]
    check: Callable[[Item, Context], Hit | None]
    blocks_official: bool = True
    # Observation codes of which at least one must be present for the check to be worth
    # running: a cheap pre-filter (most inputs carry no observation at all).
    requires: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    level: str
    risk: int
    params: tuple[tuple[str, str], ...]
    lookalike_of: Channel | None
    blocks_official: bool


def run(detectors: Iterable[Detector], item: Item, context: Context) -> list[Finding]:
    """Run every detector that applies to the item's kind, in table order."""
    findings: list[Finding] = []
    observed = {o.code for o in item.observations}
    for detector in detectors:
        if item.kind not in detector.kinds:
            continue
        if detector.requires and not (detector.requires & observed):
            continue
        hit = detector.check(item, context)
        if hit is None:
            continue
        findings.append(
            Finding(
                code=detector.code,
                level=hit.level or detector.level,
                risk=hit.risk if hit.risk is not None else detector.risk,
                params=tuple(hit.params.items()),
                lookalike_of=hit.lookalike_of,
                blocks_official=detector.blocks_official,
            )
        )
    return findings


def detector_table() -> tuple[Detector, ...]:
    """All detectors, in the order they run (imported lazily to keep this module small)."""
    from verifier.heuristics import domains, handles, mail, structure

    # Structural tricks first (they explain the most), then names, then mail and handles.
    return structure.DETECTORS + domains.DETECTORS + mail.DETECTORS + handles.DETECTORS
