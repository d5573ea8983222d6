"""Schema 1 of the registry: typed, frozen dataclasses and the validator that builds them.

``parse_registry(obj, path=...)`` takes the already strictly-parsed JSON object and either
returns a :class:`Registry` or raises :class:`RegistryFormatError` with a stable code and a
message naming the file and the offending field. Nothing here reads files or checks
signatures: that is ``trust.py``'s job; this module only knows what a valid document is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from verifier.errors import RegistryFormatError

REGISTRY_ID = "tokenpocket-official-channels"
SCHEMA_VERSION = 1
MAX_VALIDITY = timedelta(days=90)

CHANNEL_KINDS = ("domain", "email", "handle")
CHANNEL_STATUSES = ("active", "retired")
IMPERSONATION_KINDS = ("domain", "email", "handle", "phone", "wallet_address")

_RFC3339_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def parse_timestamp(text: str) -> datetime:
    """Parse ``YYYY-MM-DDTHH:MM:SSZ`` (RFC 3339, UTC, seconds) into an aware datetime."""
    if not isinstance(text, str) or not _RFC3339_Z.fullmatch(text):
        raise ValueError(f"{text!r} is not an RFC 3339 UTC timestamp like 2026-11-25T12:00:00Z")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Label:
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}


@dataclass(frozen=True, slots=True)
class Channel:
    """One official (or formerly official) channel.

    ``value`` is a host for ``domain``, an address for ``email`` and a canonical handle for
    ``handle`` (see ``verifier.platforms``). ``include_subdomains`` lets a domain entry
    vouch for every host under it (the operator controls the whole zone).
    """

    id: str
    kind: str
    value: str
    platform: str | None
    status: str
    evidence: str
    label: Label
    lang: str | None = None
    include_subdomains: bool = False
    since: str | None = None
    until: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "platform": self.platform,
            "value": self.value,
            "status": self.status,
            "evidence": self.evidence,
            "label": self.label.to_dict(),
        }
        if self.lang:
            out["lang"] = self.lang
        if self.kind == "domain":
            out["include_subdomains"] = self.include_subdomains
        return out


@dataclass(frozen=True, slots=True)
class Impersonation:
    """A confirmed fake channel, with the evidence that it is one."""

    kind: str
    value: str
    platform: str | None
    first_seen: str
    evidence: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "platform": self.platform,
            "value": self.value,
            "first_seen": self.first_seen,
            "evidence": self.evidence,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Policy:
    """Something official support never does (or a fact such as "no phone support")."""

    code: str
    text: Label


@dataclass(frozen=True, slots=True)
class Issuer:
    name: str
    brand: Label
    brand_terms: tuple[str, ...]
    contact: str
    legal_name: str = ""


@dataclass(frozen=True, slots=True)
class Registry:
    """A validated schema-1 registry document."""

    schema_version: int
    registry_id: str
    serial: int
    issued_at: datetime
    expires_at: datetime
    issuer: Issuer
    policies: tuple[Policy, ...]
    channels: tuple[Channel, ...]
    impersonations: tuple[Impersonation, ...]
    next_signing_keys: tuple[str, ...] = field(default=())

    @property
    def issued_at_text(self) -> str:
        return format_timestamp(self.issued_at)

    @property
    def expires_at_text(self) -> str:
        return format_timestamp(self.expires_at)

    def trusted_comment(self) -> str:
        """The exact trusted comment a signature of this document must carry."""
        return trusted_comment_for(self.registry_id, self.serial, self.issued_at_text, self.expires_at_text)

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def policy(self, code: str) -> Policy | None:
        return next((p for p in self.policies if p.code == code), None)


def trusted_comment_for(registry_id: str, serial: int, issued_at: str, expires_at: str) -> str:
    return f"registry={registry_id} serial={serial} issued_at={issued_at} expires_at={expires_at}"


# --- validation -------------------------------------------------------------------------


class _Fields:
    """Reads typed fields out of one JSON object, naming the path in every error."""

    def __init__(self, obj: Any, where: str, path: str) -> None:
        if not isinstance(obj, dict):
            raise _bad(path, f"{where} must be an object")
        self.obj = obj
        self.where = where
        self.path = path

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.obj:
            if required:
                raise _bad(self.path, f"{self.where}.{key} is missing")
            return None
        return self.obj[key]

    def text(self, key: str, *, required: bool = True, pattern: re.Pattern[str] | None = None, max_len: int = 512) -> str | None:
        value = self._get(key, required)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise _bad(self.path, f"{self.where}.{key} must be a non-empty string of at most {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise _bad(self.path, f"{self.where}.{key} = {value!r} does not match {pattern.pattern}")
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self._get(key, True)
        if value not in choices:
            raise _bad(self.path, f"{self.where}.{key} = {value!r} is not one of {', '.join(choices)}")
        return str(value)

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise _bad(self.path, f"{self.where}.{key} must be true or false")
        return value

    def label(self, key: str) -> Label:
        sub = _Fields(self._get(key, True), f"{self.where}.{key}", self.path)
        return Label(en=str(sub.text("en")), zh=str(sub.text("zh")))

    def array(self, key: str, *, required: bool = True) -> list[Any]:
        value = self._get(key, required)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise _bad(self.path, f"{self.where}.{key} must be an array")
        return value

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.obj) - allowed)
        if extra:
            raise _bad(self.path, f"{self.where} has unknown field(s) {', '.join(extra)}")


def _bad(path: str, message: str, code: str = "bad_field") -> RegistryFormatError:
    return RegistryFormatError(f"{path}: {message}", code=code, path=path)


def _evidence(fields: _Fields, key: str = "evidence") -> str:
    value = str(fields.text(key, max_len=2048))
    if not value.startswith("https://"):
        raise _bad(fields.path, f"{fields.where}.{key} must be an https:// URL, got {value!r}")
    return value


def parse_registry(obj: Any, *, path: str = "registry", now: datetime | None = None) -> Registry:
    """Validate a parsed registry object and return the typed :class:`Registry`.

    ``now`` enables the clock-skew rule (``issued_at`` at most 5 minutes ahead). Expiry is
    *not* checked here: an expired registry is still valid data (it downgrades answers).
    """
    top = _Fields(obj, "registry", path)
    if top.obj.get("registry_id") != REGISTRY_ID:
        raise _bad(path, f"registry_id is {top.obj.get('registry_id')!r}, expected {REGISTRY_ID!r}", "wrong_registry")
    version = top.obj.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise _bad(path, f"schema_version {version!r} is not supported (this verifier reads {SCHEMA_VERSION})", "unsupported_schema")
    top.unknown_keys({
        "schema_version", "registry_id", "serial", "issued_at", "expires_at", "issuer",
        "policies", "channels", "impersonations", "next_signing_keys", "comment",
    })
    serial = top.obj.get("serial")
    if type(serial) is not int or serial < 1:
        raise _bad(path, f"serial must be a positive integer, got {serial!r}")

    issued_at, expires_at = _validity(top, path, now)
    issuer = _issuer(_Fields(top.obj.get("issuer"), "issuer", path))
    policies = tuple(_policy(_Fields(p, f"policies[{i}]", path)) for i, p in enumerate(top.array("policies")))
    channels = tuple(_channel(_Fields(c, f"channels[{i}]", path)) for i, c in enumerate(top.array("channels")))
    impersonations = tuple(
        _impersonation(_Fields(x, f"impersonations[{i}]", path)) for i, x in enumerate(top.array("impersonations"))
    )
    keys = tuple(str(k) for k in top.array("next_signing_keys", required=False))
    if any(not isinstance(k, str) for k in top.array("next_signing_keys", required=False)):
        raise _bad(path, "next_signing_keys must be an array of base64 public keys")

    _unique(path, "channels[].id", [c.id for c in channels])
    _unique(path, "policies[].code", [p.code for p in policies])
    _unique(path, "channels[] (kind, platform, value)", [(c.kind, c.platform, c.value.lower()) for c in channels])
    if not any(c.active for c in channels):
        raise _bad(path, "channels has no active entry")

    return Registry(
        schema_version=SCHEMA_VERSION,
        registry_id=REGISTRY_ID,
        serial=serial,
        issued_at=issued_at,
        expires_at=expires_at,
        issuer=issuer,
        policies=policies,
        channels=channels,
        impersonations=impersonations,
        next_signing_keys=keys,
    )


def _validity(top: _Fields, path: str, now: datetime | None) -> tuple[datetime, datetime]:
    try:
        issued_at = parse_timestamp(top.obj.get("issued_at"))
        expires_at = parse_timestamp(top.obj.get("expires_at"))
    except ValueError as exc:
        raise _bad(path, f"issued_at/expires_at: {exc}", "bad_validity") from None
    if not issued_at < expires_at <= issued_at + MAX_VALIDITY:
        raise _bad(
            path,
            f"validity {format_timestamp(issued_at)} .. {format_timestamp(expires_at)} must be positive and at most "
            f"{MAX_VALIDITY.days} days",
            "bad_validity",
        )
    if now is not None and issued_at > now + timedelta(minutes=5):
        raise _bad(
            path,
            f"issued_at {format_timestamp(issued_at)} is in the future (now {format_timestamp(now)}): "
            "check this machine's clock or the signer's",
            "issued_in_future",
        )
    return issued_at, expires_at


def _issuer(f: _Fields) -> Issuer:
    f.unknown_keys({"name", "brand", "brand_terms", "contact", "legal_name"})
    terms = f.array("brand_terms")
    if not terms or not all(isinstance(t, str) and t.strip() and len(t) <= 64 for t in terms):
        raise _bad(f.path, "issuer.brand_terms must be a non-empty array of short strings")
    return Issuer(
        name=str(f.text("name")),
        brand=f.label("brand"),
        brand_terms=tuple(t.strip().lower() for t in terms),
        contact=str(f.text("contact")),
        legal_name=f.text("legal_name", required=False) or "",
    )


def _policy(f: _Fields) -> Policy:
    f.unknown_keys({"code", "en", "zh"})
    return Policy(code=str(f.text("code", pattern=_CODE)), text=Label(en=str(f.text("en", max_len=1024)), zh=str(f.text("zh", max_len=1024))))


def _channel(f: _Fields) -> Channel:
    f.unknown_keys({
        "id", "kind", "value", "platform", "status", "evidence", "label", "lang",
        "include_subdomains", "since", "until", "confidence", "note",
    })
    kind = f.choice("kind", CHANNEL_KINDS)
    platform = f.text("platform", required=kind == "handle", pattern=_CODE) if kind == "handle" else None
    if kind != "handle" and f.obj.get("platform") is not None:
        raise _bad(f.path, f"{f.where}.platform is only for handles")
    for key in ("since", "until"):
        if f.obj.get(key) is not None:
            f.text(key, pattern=_DATE)
    lang = f.text("lang", required=False, pattern=re.compile(r"[a-z]{2}"))
    return Channel(
        id=str(f.text("id", pattern=_ID)),
        kind=kind,
        value=str(f.text("value", max_len=320)),
        platform=platform,
        status=f.choice("status", CHANNEL_STATUSES),
        evidence=_evidence(f),
        label=f.label("label"),
        lang=lang,
        include_subdomains=f.boolean("include_subdomains") if kind == "domain" else False,
        since=f.obj.get("since"),
        until=f.obj.get("until"),
    )


def _impersonation(f: _Fields) -> Impersonation:
    f.unknown_keys({"kind", "value", "platform", "first_seen", "evidence", "note"})
    kind = f.choice("kind", IMPERSONATION_KINDS)
    return Impersonation(
        kind=kind,
        value=str(f.text("value", max_len=320)),
        platform=f.text("platform", required=kind == "handle", pattern=_CODE),
        first_seen=str(f.text("first_seen", pattern=_DATE)),
        evidence=_evidence(f),
        note=str(f.text("note", max_len=1024)),
    )


def _unique(path: str, what: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise _bad(path, f"{what} must be unique; {value!r} appears twice")
        seen.add(value)
