"""The pipeline: where an input becomes a verdict (DESIGN.md, "Data flow").

    text ─ classify ─> Item ─ exact lookup ─> match / known fake
                           ─ detectors ────> findings
                           ─ decide ───────> verdict, risk, reasons ─> Result

Pure: no Flask, no network, no disk. A :class:`Verifier` is bound to one verified registry
and takes ``now`` per call (expiry turns ``official`` into ``unverified``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable, Protocol

from verifier import heuristics
from verifier.classify import classify
from verifier.decide import decide
from verifier.errors import InvalidInputError
from verifier.heuristics.lookalike import LookalikeIndex
from verifier.message_shape import looks_like_message
from verifier.model import KINDS, Item, RegistryInfo, Result
from verifier.registry.index import RegistryIndex
from verifier.registry.schema import Registry
from verifier.search_phrase import SearchPhrase, SearchPhrases


#: Refusals about the text's shape (which recogniser took it, and why it failed there): such
#: text may be a whole message. Not the caps and encodings (too long, empty, not Unicode) nor an
#: unknown platform, which say what is wrong whatever the text is.
SHAPE_REFUSALS = frozenset({"unrecognised_input", "invalid_email", "invalid_url", "invalid_host", "invalid_handle",
                            "invalid_phone", "invalid_wallet_address"})
#: Echoed inputs in refusals are cut to this many characters (the English messages do the same).
SHOWN_CHARS = 80


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


FakeKey = tuple[str, "str | None", str]


def fake_key(item: Item) -> FakeKey | None:
    """The key under which an item is a known fake: the registry's ``impersonations[]`` key
    (url and domain → the host; a handle needs its platform). ``None``: not matchable."""
    if item.kind in ("url", "domain"):
        return ("domain", None, item.host.ascii) if item.host is not None else None
    if item.kind == "handle":
        return ("handle", item.platform, item.key) if item.platform else None
    return (item.kind, None, item.key.lower())


class ReportedFakes(Protocol):
    """Confirmed victims' reports, as data the core consults (loaded from SQLite elsewhere:
    ``verifier.state.reports.ConfirmedReports``). ``version()`` changes whenever the set does, so
    memoised answers are keyed by it; ``find`` gives the date the fake was first reported."""

    def version(self) -> int: ...

    def find(self, key: FakeKey) -> str | None: ...


class Verifier:
    """Checks inputs against one registry. Build once (indexes are precomputed); thread-safe."""

    def __init__(
        self,
        registry: Registry,
        *,
        clock: Callable[[], datetime] = utc_now,
        detectors: tuple[heuristics.Detector, ...] | None = None,
        memo_size: int = 4096,
        reported: ReportedFakes | None = None,
    ) -> None:
        self.registry = registry
        # Confirmed reports, never above the registry (decide.py): set by the web app and CLI.
        self.reported = reported
        self.index = RegistryIndex(registry)
        self.lookalikes = LookalikeIndex(registry)
        self.clock = clock
        self.detectors = heuristics.detector_table() if detectors is None else detectors
        # The rows that apply to each kind, in table order: a check walks only its own.
        self._rows = {kind: tuple(d for d in self.detectors if kind in d.kinds) for kind in KINDS}
        self._expires_text = registry.expires_at_text  # formatted once, not per check
        # A check is a pure function of (text, platform, expired) for one registry, and victims
        # of one campaign paste the same links: the last answers are kept (thread-safe LRU).
        self._memo = lru_cache(maxsize=memo_size)(self._answer_text) if memo_size else self._answer_text
        self.search_phrases = SearchPhrases(registry.issuer.brand_terms)

    def check(self, text: str, *, platform: str | None = None, now: datetime | None = None) -> Result:
        """Classify ``text`` and answer for it. Raises ``InvalidInputError`` for bad input, and
        its subclass ``SearchPhrase`` for the words victims search support with ("tp钱包客服"):
        refused text only, so anything checkable keeps its check (search_phrase.py)."""
        reported = self.reported
        version = reported.version() if reported is not None else 0
        try:
            return self._memo(text, platform, self.registry.is_expired(now or self.clock()), version)
        except InvalidInputError as err:
            if err.code == "unrecognised_input" and self.search_phrases.matches(text):
                info = RegistryInfo(self.registry.serial, self._expires_text, self.registry.is_expired(now or self.clock()))
                raise SearchPhrase(text, self.index.contacts, info) from None
            if err.code in SHAPE_REFUSALS and isinstance(text, str) and looks_like_message(text):
                raise InvalidInputError(
                    "this looks like a whole message (several words or sentences, or text around an address), "
                    "not one link, address or account", code="looks_like_message",
                    params={"refused_as": err.code},
                ) from None
            if "shown" not in err.params and isinstance(text, str):
                # Every refusal can echo what was refused, in any language (verifier/error_text.py).
                err.params["shown"] = repr(text.strip()[:SHOWN_CHARS])
            raise

    def _answer_text(self, text: str, platform: str | None, expired: bool, version: int = 0) -> Result:
        return self._answer(classify(text, platform=platform), expired)

    def check_item(self, item: Item, *, now: datetime | None = None) -> Result:
        """Answer for an already classified item (the message scanner's path)."""
        if self.reported is not None:
            self.reported.version()  # refreshes the confirmed set, as check() does
        return self._answer(item, self.registry.is_expired(now or self.clock()))

    def _answer(self, item: Item, expired: bool) -> Result:
        match = self.index.find_channel(item)
        fake = self.index.find_impersonation(item)
        findings = heuristics.run(self._rows[item.kind], item, heuristics.Context(self.index, match, self.lookalikes))
        unplaced = self.index.handles_named(item.key) if item.kind == "handle" and item.platform is None else []
        reported = None
        if fake is None and match is None and self.reported is not None:
            key = fake_key(item)
            reported = self.reported.find(key) if key is not None else None
        decision = decide(
            item,
            match=match,
            fake=fake,
            findings=findings,
            expired=expired,
            expires_at=self._expires_text,
            unplaced_handles=unplaced,
            reported=reported,
        )
        # Where the input was, as given: never the matched channel's platform. "@TokenPocket_TP"
        # alone is platform_unknown, and an answer that also said "on twitter" would say both.
        platform = item.platform
        return Result(
            input=item.raw,
            kind=item.kind,
            platform=platform,
            normalized=item.normalized,
            verdict=decision.verdict,
            risk=decision.risk,
            reasons=decision.reasons,
            channel=decision.channel.to_dict() if decision.channel else None,
            lookalike_of=decision.lookalike_of.to_dict() if decision.lookalike_of else None,
            registry=RegistryInfo(self.registry.serial, self._expires_text, expired),
            details=_details(item),
            policies=self.registry.policies,
            contacts=self.index.contacts,
        )


def _details(item: Item) -> dict[str, object]:
    """Facts a person may want to see: the decoded and punycode forms, what parsing noticed."""
    out: dict[str, object] = {}
    if item.host is not None:
        out["host"] = item.host.ascii
        if item.host.is_idn:
            out["host_unicode"] = item.host.unicode
        if item.host.registrable:
            out["registrable_domain"] = item.host.registrable
    if item.url:
        out["url"] = item.url
    if item.display_name:
        out["display_name"] = item.display_name
    if item.observations:
        out["observations"] = [{"code": o.code, "detail": o.detail} if o.detail else {"code": o.code} for o in item.observations]
    return out
