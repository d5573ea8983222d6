"""Detectors for tricks in how an input is *written*: hidden characters, links that parse two
ways, userinfo, percent-encoding, IP literals, non-web schemes, forged e-mail display names,
and inputs that can never be a channel (phone numbers, wallet addresses).

These rest on the observations the parsers record (``Item.observations``); each is a row.
"""

from __future__ import annotations

import re

from verifier.heuristics import Context, Detector, Hit
from verifier.model import Item
from verifier.registry.schema import Channel

URLISH = frozenset({"url", "domain"})
ANY = frozenset({"url", "domain", "email", "handle", "phone", "wallet_address"})

# Schemes that run code or read local files: worse than a page that is merely not official.
DANGEROUS_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob", "intent", "filesystem"})


# Runs of text that may be host names: labels joined by dots, cut at what ends a host in a URL.
_HOSTLIKE = re.compile(r"[^\s@/:?#\\\[\]%]+(?:\.[^\s@/:?#\\\[\]%.]+)+")


def _official_text_in(ctx: Context, text: str) -> tuple[str, Channel | None] | None:
    """An official domain (with its entry) or a brand term that appears in ``text``.

    Domains are looked up, not searched for: every run of two or more dot-joined labels in the
    text ("tokenpocket.pro" in "https://tokenpocket.pro.evil.com@x") is a dictionary lookup,
    so the cost follows the text's length, not the registry's size."""
    lowered = text.lower()
    by_value = ctx.index.active_domain_values
    for run in _HOSTLIKE.findall(lowered):
        labels = run.strip(".").split(".")
        for start in range(len(labels) - 1):
            for end in range(start + 2, len(labels) + 1):
                channel = by_value.get(".".join(labels[start:end]))
                if channel is not None:
                    return channel.value, channel
    squeezed = lowered.replace(" ", "")
    for term in ctx.index.registry.issuer.brand_terms:
        if term.replace(" ", "") in squeezed:
            return term, None
    return None


def _host_text(item: Item) -> str:
    return item.host.unicode if item.host is not None else item.normalized


def hidden_characters(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("hidden_characters")
    return Hit({"visible": found.detail}) if found else None


def ambiguous_url(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("parser_disagreement") or item.observation("backslash_in_url")
    if found is None:
        return None
    # Parser observations read "browser: X; urllib: Y": the other reading is the last part.
    other = found.detail.rsplit(": ", 1)[-1] if found.code == "parser_disagreement" else found.detail
    other = other or "?"
    claimed = _official_text_in(ctx, item.raw)
    if claimed and not ctx.official_match:
        # The official name is in the text, but the browser goes elsewhere: a deliberate trick.
        return Hit({"host": _host_text(item), "other": other}, lookalike_of=claimed[1], level="impersonation", risk=95)
    return Hit({"host": _host_text(item), "other": other})


def whitespace_in_link(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("whitespace_in_input")
    return Hit({"visible": found.detail}) if found else None


def userinfo_trick(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("userinfo_present")
    if found is None or ctx.official_match:
        return None
    claimed = _official_text_in(ctx, found.detail)
    if claimed:
        return Hit({"userinfo": found.detail, "host": _host_text(item)}, lookalike_of=claimed[1], level="impersonation", risk=95)
    return Hit({"userinfo": found.detail, "host": _host_text(item)})


def userinfo_present(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("userinfo_present")
    return Hit({"userinfo": found.detail}) if found and ctx.official_match else None


def obfuscated_host(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("percent_encoded_host")
    return Hit({"raw": found.detail or _host_text(item)}) if found else None


def ip_literal_host(item: Item, ctx: Context) -> Hit | None:
    if item.host is None or not item.host.is_ip:
        return None
    return Hit({"ip": item.host.ascii})


def unsupported_scheme(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("unsupported_scheme")
    if found is None:
        return None
    scheme = found.detail.lower().rstrip(":")
    if scheme in DANGEROUS_SCHEMES:
        return Hit({"scheme": scheme})
    return Hit({"scheme": scheme}, level="not_official", risk=40)


def display_name_spoof(item: Item, ctx: Context) -> Hit | None:
    if item.kind != "email" or ctx.official_match:
        return None
    named = item.observation("display_name_address")
    if named is not None and named.detail.lower() != item.normalized:
        return Hit({"claimed": named.detail, "address": item.normalized}, lookalike_of=ctx.index.emails.get(named.detail.lower()))
    if item.display_name:
        claimed = _official_text_in(ctx, item.display_name)
        if claimed:
            return Hit({"claimed": item.display_name, "address": item.normalized}, lookalike_of=claimed[1])
    return None


def quoted_local_part_spoof(item: Item, ctx: Context) -> Hit | None:
    """'"service@tokenpocket.pro"@evil.example': the official address is only the quoted
    name of a mailbox at evil.example."""
    named = item.observation("local_part_address")
    if named is None or item.host is None:
        return None
    claimed = _official_text_in(ctx, named.detail)
    return Hit(
        {"claimed": named.detail, "domain": item.host.unicode},
        lookalike_of=ctx.index.emails.get(named.detail.lower()) or (claimed[1] if claimed else None),
    )


def mail_extra_recipients(item: Item, ctx: Context) -> Hit | None:
    """A mailto: link that also writes to others (RFC 6068 to=, cc=, bcc=, or a list): a
    link that copies your mail to someone else is never official."""
    found = item.observation("mail_extra_recipients")
    if found is None:
        return None
    others = [a for a in found.detail.split(", ") if a and a not in ctx.index.emails]
    if not others:
        return None  # every extra recipient is an official address
    match = ctx.match.channel if ctx.match is not None else None
    return Hit({"address": item.normalized, "recipients": ", ".join(others)}, lookalike_of=match)


def unlisted_address_official_domain(item: Item, ctx: Context) -> Hit | None:
    if ctx.match is not None:
        return None
    domain = ctx.index.email_domain_is_official(item)
    return Hit({"domain": item.host.ascii if item.host else ""}) if domain else None


def no_phone_support(item: Item, ctx: Context) -> Hit | None:
    # The registry's policy says there is no phone support: every number is not official.
    return Hit() if ctx.index.registry.policy("no_phone_support") else None


def phone_not_a_channel(item: Item, ctx: Context) -> Hit | None:
    # Without that policy we still never call a number official: none is in the registry.
    return None if ctx.index.registry.policy("no_phone_support") else Hit()


def wallet_address(item: Item, ctx: Context) -> Hit | None:
    from verifier.inputs.wallet import CHAIN_NAMES

    chain = item.platform or "crypto"
    en, zh = CHAIN_NAMES.get(chain, ("crypto", "加密货币"))
    return Hit({"chain": chain, "chain_name": en, "chain_name_zh": zh})


def official_name_wrong_platform(item: Item, ctx: Context) -> Hit | None:
    if item.platform is None or ctx.match is not None:
        return None
    from verifier import platforms

    for channel in ctx.index.handles_named(item.key):
        if channel.platform != item.platform and channel.active:
            here = platforms.get_platform(item.platform)
            there = platforms.get_platform(channel.platform or "")
            return Hit(
                {
                    "value": channel.value,
                    "platform_name": here.name if here else item.platform,
                    "official_platform_name": there.name if there else str(channel.platform),
                    "platform_name_zh": here.name_zh if here else item.platform,
                    "official_platform_name_zh": there.name_zh if there else str(channel.platform),
                },
                lookalike_of=channel,
            )
    return None


def insecure_scheme(item: Item, ctx: Context) -> Hit | None:
    return Hit() if item.has("insecure_scheme") else None


def nondefault_port(item: Item, ctx: Context) -> Hit | None:
    found = item.observation("nondefault_port")
    return Hit({"port": found.detail}) if found else None


def idn_host(item: Item, ctx: Context) -> Hit | None:
    if item.host is None or not item.host.is_idn:
        return None
    return Hit({"unicode": item.host.unicode, "ascii": item.host.ascii})


E = frozenset({"email"})


def _needs(*codes: str) -> frozenset[str]:
    return frozenset(codes)


DETECTORS: tuple[Detector, ...] = (
    Detector("hidden_characters", "suspicious", 70, ANY, hidden_characters, requires=_needs("hidden_characters")),
    Detector("ambiguous_url", "suspicious", 75, URLISH | frozenset({"handle"}), ambiguous_url, requires=_needs("parser_disagreement", "backslash_in_url")),
    Detector("whitespace_in_link", "suspicious", 60, URLISH | E, whitespace_in_link, requires=_needs("whitespace_in_input")),
    Detector("userinfo_trick", "suspicious", 70, URLISH, userinfo_trick, requires=_needs("userinfo_present")),
    Detector("obfuscated_host", "suspicious", 60, URLISH | E, obfuscated_host, requires=_needs("percent_encoded_host")),
    Detector("ip_literal_host", "suspicious", 60, URLISH | E, ip_literal_host),
    Detector("unsupported_scheme", "suspicious", 70, frozenset({"url"}), unsupported_scheme, requires=_needs("unsupported_scheme")),
    Detector("display_name_spoof", "impersonation", 90, E, display_name_spoof),
    Detector("quoted_local_part_spoof", "impersonation", 90, E, quoted_local_part_spoof, requires=_needs("local_part_address")),
    Detector("mail_extra_recipients", "impersonation", 90, E, mail_extra_recipients, requires=_needs("mail_extra_recipients")),
    Detector("official_name_wrong_platform", "impersonation", 90, frozenset({"handle"}), official_name_wrong_platform),
    Detector("unlisted_address_official_domain", "not_official", 40, E, unlisted_address_official_domain),
    Detector("no_phone_support", "not_official", 80, frozenset({"phone"}), no_phone_support),
    Detector("phone_not_a_channel", "not_official", 60, frozenset({"phone"}), phone_not_a_channel),
    Detector("wallet_address_not_a_channel", "not_official", 80, frozenset({"wallet_address"}), wallet_address),
    # Notes: facts worth telling, which never change a verdict.
    Detector("userinfo_present", "note", 0, URLISH, userinfo_present, blocks_official=False, requires=_needs("userinfo_present")),
    Detector("insecure_scheme", "note", 0, frozenset({"url", "handle"}), insecure_scheme, blocks_official=False, requires=_needs("insecure_scheme")),
    Detector("nondefault_port", "note", 0, frozenset({"url", "handle"}), nondefault_port, blocks_official=False, requires=_needs("nondefault_port")),
    Detector("idn_host", "note", 0, URLISH | E, idn_host, blocks_official=False),
)
