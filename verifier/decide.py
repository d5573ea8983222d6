"""Reasons → verdict and risk: the one precedence table.

Order of evidence, strongest first:

1. the input is a **confirmed impersonation** in the signed registry → ``impersonation``;
   a victim's report confirmed by a maintainer (``reported_confirmed``) counts the same, but
   only when the input is no registry channel: a report never overrides the registry;
2. it is a **registry channel**: retired → ``retired``; active and nothing blocks it →
   ``official`` (``unverified`` once the registry has expired); active but a blocking finding
   (hidden characters, a link that parses two ways, ...) → that finding's level (fail closed);
3. a handle given **without a platform** that is official somewhere → ``unverified``, saying
   on which platform it is official (a bare name parses N ways, so it is never ``official``);
4. otherwise the strongest **finding** decides (``impersonation`` > ``suspicious`` >
   ``not_official``); with none, ``not_official`` because it is simply not in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier import platforms
from verifier.heuristics import LEVEL_RANK, Finding
from verifier.model import Item, Reason
from verifier.registry.index import ChannelMatch
from verifier.registry.schema import Channel, Impersonation

RISK_RETIRED = 80
RISK_NOT_IN_REGISTRY = 20
RISK_UNVERIFIED = 50


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: str
    risk: int
    reasons: tuple[Reason, ...]
    channel: Channel | None
    lookalike_of: Channel | None


def _reason(finding: Finding) -> Reason:
    return Reason(finding.code, finding.params)


def _combined_risk(findings: list[Finding]) -> int:
    """The strongest finding's risk, nudged up a little by each further independent sign."""
    risks = sorted((f.risk for f in findings if f.level != "note"), reverse=True)
    if not risks:
        return RISK_NOT_IN_REGISTRY
    return min(100, risks[0] + 3 * (len(risks) - 1))


def decide(
    item: Item,
    *,
    match: ChannelMatch | None,
    fake: Impersonation | None,
    findings: list[Finding],
    expired: bool,
    expires_at: str,
    unplaced_handles: list[Channel],
    reported: str | None = None,
) -> Decision:
    notes = [_reason(f) for f in findings if f.level == "note"]
    signs = sorted((f for f in findings if f.level != "note"), key=lambda f: LEVEL_RANK[f.level])
    lookalike = next((f.lookalike_of for f in signs if f.lookalike_of is not None), None)

    if fake is not None:
        reasons = (Reason.of("known_impersonation", note=fake.note), *map(_reason, signs), *notes)
        return Decision("impersonation", 100, reasons, None, lookalike)

    if reported is not None and match is None:  # ``reported``: the date of the first report
        reasons = (Reason.of("reported_confirmed", first_seen=reported), *map(_reason, signs), *notes)
        return Decision("impersonation", 100, reasons, None, lookalike)

    if match is not None:
        channel = match.channel
        # Both languages travel with the reason; messages.render_reason picks "label_zh" for zh.
        label, label_zh = channel.label.en, channel.label.zh
        if not channel.active:
            reasons = (Reason.of("retired_channel", label=label, label_zh=label_zh), *map(_reason, signs), *notes)
            return Decision("retired", max(RISK_RETIRED, _combined_risk(signs)), reasons, channel, None)
        blocking = [f for f in signs if f.blocks_official]
        if blocking:
            # Fail closed: the registry entry is there, but the input is written in a way
            # that must never be vouched for. The imitated entry is the one it names.
            reasons = tuple(map(_reason, signs)) + tuple(notes)
            return Decision(blocking[0].level, _combined_risk(blocking), reasons, None, lookalike or channel)
        if match.how == "subdomain":
            found = Reason.of(
                "official_subdomain", host=item.host.ascii if item.host else "", root=match.host, label=label, label_zh=label_zh
            )
        else:
            found = Reason.of("official_channel", label=label, label_zh=label_zh)
        if expired:
            reasons = (Reason.of("registry_expired", expires_at=expires_at), found, *notes)
            return Decision("unverified", RISK_UNVERIFIED, reasons, channel, None)
        return Decision("official", 0, (found, *notes), channel, None)

    if unplaced_handles and not signs:
        channel = unplaced_handles[0]
        spec = platforms.get_platform(channel.platform or "")
        reason = Reason.of(
            "platform_unknown",
            value=channel.value,
            platform=channel.platform or "",
            platform_name=spec.name if spec else str(channel.platform),
            platform_name_zh=spec.name_zh if spec else str(channel.platform),
        )
        extra = (Reason.of("registry_expired", expires_at=expires_at),) if expired else ()
        return Decision("unverified", RISK_UNVERIFIED, (reason, *extra, *notes), channel, None)

    if signs:
        verdict = signs[0].level
        return Decision(verdict, _combined_risk(signs), (*map(_reason, signs), *notes), None, lookalike)
    return Decision("not_official", RISK_NOT_IN_REGISTRY, (Reason.of("not_in_registry"), *notes), None, None)
