"""Detectors for social handles that imitate TokenPocket's accounts.

Official handles are compared by their *core*: confusable skeleton, lower case, separators
removed ("T0ken_Pocket_TP" → "tokenpockettp"). A handle whose core is an official core, or a
near misspelling of one, imitates that account; on another platform it is the official name
on the wrong platform. A handle carrying the brand with bait words ("tokenpocket_support",
"TP钱包客服") pretends to be support. Handles that have nothing to do with the brand pass.
"""

from __future__ import annotations

from verifier import platforms
from verifier.heuristics import Context, Detector, Hit
from verifier.heuristics.lookalike import squeeze, strip_baits
from verifier.model import Item
from verifier.registry.schema import Channel

HANDLE = frozenset({"handle"})


def _value(item: Item) -> str | None:
    """The name part of a handle; ``None`` for ids and invites, which have no look."""
    value = item.normalized
    if value.startswith("+") or value.startswith("id:"):
        return None
    prefix, slash, rest = value.partition("/")
    if slash:
        if prefix in ("invite", "channel"):
            return None
        value = rest
    return value.lstrip("@")


def _invite_code(item: Item) -> str | None:
    """The code of an invite link ("invite/tokenpocket-support", "+AbC123"): random codes
    have no look, but a vanity invite is a name like any handle's."""
    value = item.normalized
    if value.startswith("+"):
        return value[1:]
    prefix, slash, rest = value.partition("/")
    return rest if slash and prefix == "invite" else None


def _platform_name(key: str | None) -> str:
    spec = platforms.get_platform(key or "")
    return spec.name if spec else (key or "any platform")


def _platform_name_zh(key: str | None) -> str:
    """The platform's Chinese name: a reason's ``*_zh`` fact, shown to a Chinese reader."""
    spec = platforms.get_platform(key or "")
    return spec.name_zh if spec else (key or "任何平台")


def _pick(item: Item, channels: list[Channel]) -> Channel:
    """The imitated account: the one on the item's own platform if there is one."""
    same = [c for c in channels if c.platform == item.platform]
    return (same or channels)[0]


def _judge(item: Item, ctx: Context) -> tuple[str, Hit] | None:
    return ctx.once("handle_judgement", lambda: _judge_handle(item, ctx))  # type: ignore[return-value]


def _judge_handle(item: Item, ctx: Context) -> tuple[str, Hit] | None:
    """Which handle detector applies, and its facts: one decision shared by both rows.

    An official handle's core in other letters or separators is a lookalike; the brand with
    bait words is "brand in handle" even when it also happens to be a near misspelling of an
    official core ("TokenPocket_CS" vs "TokenPocket_TP").
    """
    if ctx.match is not None or ctx.index.handles_named(item.key):
        return None  # exact official names are platform_unknown / official_name_wrong_platform
    value = _value(item)
    if not value:
        invite = _invite_code(item)
        if not invite or ctx.lookalikes.brand_in(invite) is None:
            return None
        return "brand_in_handle", _brand_in_handle_hit(item, ctx, invite)
    lookalike = ctx.lookalikes.match_handle(value)
    brand = ctx.lookalikes.brand_in(value)
    if lookalike is not None and (lookalike[0] == "variant" or brand is None or not brand.baits):
        how, channels = lookalike
        target = _pick(item, channels)
        facts = {"value": value, "official": target.value, "platform_name": _platform_name(target.platform),
                 "platform_name_zh": _platform_name_zh(target.platform), "how": how}
        return "handle_lookalike", Hit(facts, lookalike_of=target)
    if brand is None:
        # An official handle with bait words around it: "TP-Lab-Support", "tokenpocket_en_help".
        core, baits = strip_baits(squeeze(value))
        if not baits or core not in ctx.lookalikes.handle_cores:
            return None
    return "brand_in_handle", _brand_in_handle_hit(item, ctx, value)


def _brand_in_handle_hit(item: Item, ctx: Context, value: str) -> Hit:
    official = [c for c in ctx.index.registry.channels if c.kind == "handle" and c.active and c.platform == item.platform]
    listed = ", ".join(c.value for c in official)
    facts = {"value": value, "platform_name": _platform_name(item.platform), "platform_name_zh": _platform_name_zh(item.platform),
             "official_list": listed or "none on this platform", "official_list_zh": listed or "此平台上没有"}
    return Hit(facts, lookalike_of=official[0] if official else None)


def handle_lookalike(item: Item, ctx: Context) -> Hit | None:
    judged = _judge(item, ctx)
    return judged[1] if judged and judged[0] == "handle_lookalike" else None


def brand_in_handle(item: Item, ctx: Context) -> Hit | None:
    judged = _judge(item, ctx)
    return judged[1] if judged and judged[0] == "brand_in_handle" else None


DETECTORS: tuple[Detector, ...] = (
    Detector("handle_lookalike", "impersonation", 95, HANDLE, handle_lookalike),
    Detector("brand_in_handle", "impersonation", 85, HANDLE, brand_in_handle),
)
