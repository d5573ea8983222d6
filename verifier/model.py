"""Shared dataclasses: what an input becomes, and what a check answers.

Everything here is frozen and plain data; ``Result.to_dict()`` is the one shape the CLI,
the JSON API and the web pages all present (DESIGN.md, "Result object").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["url", "domain", "email", "handle", "phone", "wallet_address"]
KINDS: tuple[str, ...] = ("url", "domain", "email", "handle", "phone", "wallet_address")

Verdict = Literal["official", "retired", "impersonation", "suspicious", "not_official", "unverified"]
VERDICTS: tuple[str, ...] = (
    "official",
    "retired",
    "impersonation",
    "suspicious",
    "not_official",
    "unverified",
)


@dataclass(frozen=True, slots=True)
class Host:
    """A host name as a browser would resolve it.

    ``ascii`` is lower-case punycode without a trailing dot (IP literals in canonical
    form, IPv6 without brackets); ``unicode`` is the decoded form shown to people;
    ``registrable`` is the registrable domain (eTLD+1, public suffix list with its
    private section), ``None`` for IP literals and bare suffixes.
    """

    ascii: str
    unicode: str
    registrable: str | None
    suffix: str
    is_ip: bool = False
    is_private_suffix: bool = False

    @property
    def is_idn(self) -> bool:
        return self.ascii != self.unicode


@dataclass(frozen=True, slots=True)
class Observation:
    """A fact noticed while parsing an input that may matter for the verdict.

    ``code`` is a stable snake_case string (e.g. ``userinfo_present``,
    ``hidden_characters``); ``detail`` is a short, already-safe rendering of the evidence
    (the userinfo text, the hidden characters made visible, ...).
    """

    code: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    """One classified, normalised input: the unit every later stage works on.

    ``normalized`` is the canonical value (host for url/domain, lower-cased address for
    email, canonical handle for handles, E.164 for phones, the address for wallets).
    ``key`` is what registry lookup compares (case folded according to the platform's
    rule for handles); it equals ``normalized`` unless a platform rule says otherwise.
    """

    raw: str
    kind: Kind
    normalized: str
    key: str
    platform: str | None = None
    host: Host | None = None
    url: str | None = None
    scheme: str | None = None
    path: str = ""
    local_part: str | None = None
    display_name: str | None = None
    observations: tuple[Observation, ...] = ()

    def evolve(self, **changes: Any) -> "Item":
        """A copy with some fields changed (``dataclasses.replace`` costs ~3x more per check)."""
        values = {name: getattr(self, name) for name in _ITEM_FIELDS}
        values.update(changes)
        return Item(**values)

    @property
    def observation_codes(self) -> frozenset[str]:
        return frozenset(o.code for o in self.observations)

    def has(self, code: str) -> bool:
        return any(o.code == code for o in self.observations)

    def observation(self, code: str) -> Observation | None:
        return next((o for o in self.observations if o.code == code), None)


_ITEM_FIELDS = tuple(Item.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a verdict was reached: a stable code plus the facts its message needs.

    Messages are rendered from ``verifier.messages`` in the requested language, so the
    reason itself stays language-free data.
    """

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> "Reason":
        return cls(code, tuple((k, str(v)) for k, v in params.items()))

    def param(self, name: str, default: str = "") -> str:
        return dict(self.params).get(name, default)


@dataclass(frozen=True, slots=True)
class RegistryInfo:
    """The registry a result was computed against."""

    serial: int
    expires_at: str
    expired: bool

    def to_dict(self) -> dict[str, Any]:
        return {"serial": self.serial, "expires_at": self.expires_at, "expired": self.expired}


@dataclass(frozen=True, slots=True)
class Result:
    """The answer for one input (DESIGN.md's result object)."""

    input: str
    kind: str
    platform: str | None
    normalized: str
    verdict: str
    risk: int
    reasons: tuple[Reason, ...]
    channel: dict[str, Any] | None
    lookalike_of: dict[str, Any] | None
    registry: RegistryInfo
    details: dict[str, Any] = field(default_factory=dict)
    # Inputs of the advice text (registry policies, official contacts); not shown as fields.
    policies: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    contacts: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    # The rendered shape per language, computed once (a memoised result is rendered often).
    _rendered: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def is_official(self) -> bool:
        return self.verdict == "official"

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The result object (DESIGN.md) in ``lang``; a fresh top-level dict on every call."""
        rendered = self._rendered.get(lang)
        if rendered is None:
            rendered = self._rendered[lang] = self._render(lang)
        return {**rendered, "details": dict(self.details)}

    def _render(self, lang: str) -> dict[str, Any]:
        # Imported here: messages is data-heavy and model must stay import-light.
        from verifier import messages

        return {
            "input": self.input,
            "kind": self.kind,
            "platform": self.platform,
            "normalized": self.normalized,
            "verdict": self.verdict,
            "risk": self.risk,
            "reasons": [messages.render_reason(r, lang) for r in self.reasons],
            "channel": self.channel,
            "lookalike_of": self.lookalike_of,
            "advice": messages.advice(self, lang),
            "registry": self.registry.to_dict(),
            "details": self.details,
        }
