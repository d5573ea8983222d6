"""Detectors for e-mail addresses beyond their domain: free-mail "support" addresses.

Lookalike domains of e-mail addresses are judged by the domain detectors (they apply to the
``email`` kind too); forged display names by ``structure.display_name_spoof``.
"""

from __future__ import annotations

from verifier.heuristics import Context, Detector, Hit
from verifier.heuristics.tables import DISPOSABLE_MAIL, FREE_MAIL
from verifier.model import Item

EMAIL = frozenset({"email"})


def _provider(item: Item) -> str | None:
    if item.host is None:
        return None
    for candidate in (item.host.ascii, item.host.registrable or ""):
        if candidate in FREE_MAIL or candidate in DISPOSABLE_MAIL:
            return candidate
    return None


def brand_at_free_mail(item: Item, ctx: Context) -> Hit | None:
    provider = _provider(item)
    if provider is None or ctx.official_match:
        return None
    found = ctx.lookalikes.brand_in(item.local_part or "")
    if found is None and item.display_name:
        found = ctx.lookalikes.brand_in(item.display_name)
    if found is None:
        return None
    return Hit({"address": item.normalized, "provider": provider}, lookalike_of=ctx.index.emails.get("service@tokenpocket.pro"))


def brand_in_local_part(item: Item, ctx: Context) -> Hit | None:
    """The brand before the @ of an unrelated domain: "tokenpocket.pro@evil-site.com"."""
    if _provider(item) is not None or ctx.match is not None or item.host is None:
        return None
    if ctx.index.email_domain_is_official(item) is not None:
        return None  # unlisted_address_official_domain says it
    found = ctx.lookalikes.brand_in(item.local_part or "")
    if found is None:
        return None
    return Hit({"address": item.normalized, "domain": item.host.unicode}, lookalike_of=found.channel)


def free_mail_provider(item: Item, ctx: Context) -> Hit | None:
    provider = _provider(item)
    if provider is None or ctx.official_match:
        return None
    return Hit({"provider": provider}, risk=45 if provider in DISPOSABLE_MAIL else None)


DETECTORS: tuple[Detector, ...] = (
    Detector("brand_at_free_mail", "impersonation", 90, EMAIL, brand_at_free_mail),
    Detector("brand_in_local_part", "impersonation", 85, EMAIL, brand_in_local_part),
    Detector("free_mail_provider", "not_official", 30, EMAIL, free_mail_provider),
)
