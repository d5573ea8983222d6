"""Detectors for host names that pretend to be TokenPocket's (URLs, domains, e-mail domains).

One host is looked at as its parts: the registrable domain's own label ("tokenpocket-help" in
tokenpocket-help.top), the labels in front of it (subdomains), the public suffix (a free
hosting suffix such as web.app makes every customer's name "registrable"), and for shared
hosts the path. Each detector is one row of DETECTORS; ``_facts`` computes the parts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from verifier import platforms
from verifier.heuristics import Context, Detector, Hit, typos
from verifier.heuristics.lookalike import BrandMatch, LookalikeIndex, NameMatch
from verifier.heuristics.skeleton import is_mixed_script, scripts
from verifier.heuristics.tables import SHARED_HOSTS
from verifier.model import Host, Item
from verifier.registry.schema import Channel

HOSTS = frozenset({"url", "domain", "email"})


@dataclass(frozen=True, slots=True)
class HostFacts:
    label_ascii: str  # the registrable domain's own label, punycode
    label_unicode: str  # the same, decoded
    subdomains: tuple[str, ...]  # labels in front of the registrable domain (unicode)
    name: NameMatch | None  # the registrable label as an official name's lookalike
    brand: BrandMatch | None  # a brand term in the registrable label
    sub_brand: str | None  # a brand term or official name in the subdomains


def _split(host: Host) -> tuple[str, str, tuple[str, ...]]:
    registrable, suffix = host.registrable, host.suffix
    if registrable is None:
        # A suffix the public list does not know (".example", ".internal"): the list's own
        # default rule "*" makes the last label the suffix, as browsers do.
        labels = host.ascii.split(".")
        suffix = labels[-1]
        registrable = ".".join(labels[-2:])
    label = registrable[: -len(suffix) - 1] if suffix and registrable.endswith("." + suffix) else registrable
    uni_labels = host.unicode.split(".")
    n_reg = registrable.count(".") + 1
    label_unicode = uni_labels[-n_reg] if len(uni_labels) >= n_reg else label
    subdomains = tuple(uni_labels[:-n_reg]) if len(uni_labels) > n_reg else ()
    return label, label_unicode, subdomains


def _facts(item: Item, ctx: Context) -> HostFacts | None:
    """The host's parts and what each imitates: computed once per check, shared by the rows."""
    host = item.host
    if host is None or host.is_ip or ctx.match is not None:  # registry entries speak for themselves
        return None
    if host.registrable in ctx.lookalikes.official_registrables or "." not in host.ascii:
        return None  # a host under an official domain that the registry does not vouch for
    return ctx.once("host_facts", lambda: _host_facts(host, ctx.lookalikes))  # type: ignore[return-value]


def _host_facts(host: Host, lookalikes: LookalikeIndex) -> HostFacts:
    label, label_unicode, subdomains = _split(host)
    name = lookalikes.match_name(label_unicode) or (lookalikes.match_name(label) if label != label_unicode else None)
    if name is None and subdomains:
        # A dot slipped into the name: "tok.enpocket.pro" reads as "tokenpocket.pro".
        joined = lookalikes.match_name(subdomains[-1] + label_unicode)
        if joined is not None:
            name = NameMatch("dot_insertion", joined.official, joined.channel)
    brand = lookalikes.brand_in(label_unicode) if name is None or name.how == "edit_distance" else None
    if brand is not None:
        name = None  # the brand spelt right with more around it is a combosquat, not a typo
    elif name is None:
        name = lookalikes.misspelt_inside(label_unicode)
    sub_brand = None
    for sub in subdomains:
        found = lookalikes.match_name(sub)
        if found is not None and found.how in ("exact", "homoglyph"):
            sub_brand = found.official
            break
        in_sub = lookalikes.brand_in(sub)
        if in_sub is not None:
            sub_brand = in_sub.term
            break
    return HostFacts(label, label_unicode, subdomains, name, brand, sub_brand)


def _shown(item: Item) -> str:
    assert item.host is not None
    return item.host.unicode


def _official_value(ctx: Context, match: NameMatch | BrandMatch | None) -> str:
    channel = match.channel if match is not None else None
    return channel.value if channel is not None else "tokenpocket.pro"


def brand_on_free_hosting(item: Item, ctx: Context) -> Hit | None:
    facts = _facts(item, ctx)
    if facts is None or not item.host or not item.host.is_private_suffix:
        return None
    # A customer's name on a shared suffix may be near the brand by chance; a fuzzer's slip,
    # a homoglyph or a misspelling inside a longer name is not chance.
    found = facts.brand or (facts.name if facts.name and facts.name.how != "edit_distance" else None)
    if found is None:
        return None
    return Hit({"host": _shown(item), "suffix": item.host.suffix}, lookalike_of=found.channel)


def _imitated_name(item: Item, ctx: Context, *, how: str | None = None, other_than: tuple[str, ...] = ()) -> NameMatch | None:
    """The official name the registrable label imitates, selected by how it does so.

    Free-hosting names are left to ``brand_on_free_hosting``: their label is a customer's.
    """
    facts = _facts(item, ctx)
    if facts is None or facts.name is None or item.host is None or item.host.is_private_suffix:
        return None
    if (how is not None and facts.name.how != how) or facts.name.how in other_than:
        return None
    return facts.name


def _foreign_letters(item: Item, ctx: Context) -> bool:
    """The registrable label has letters from other alphabets: only then is a look-alike
    "letters from other alphabets" (t0kenp0cket is ASCII: a typo with look-alike characters)."""
    facts = _facts(item, ctx)
    return facts is not None and not facts.label_unicode.isascii()


def homoglyph_domain(item: Item, ctx: Context) -> Hit | None:
    name = _imitated_name(item, ctx, how="homoglyph")
    if name is None or not _foreign_letters(item, ctx):
        return None
    assert item.host is not None
    facts = {"shown": _shown(item), "ascii": item.host.ascii, "official": _official_value(ctx, name)}
    return Hit(facts, lookalike_of=name.channel)


def official_name_other_tld(item: Item, ctx: Context) -> Hit | None:
    name = _imitated_name(item, ctx, how="exact")
    if name is None:
        return None
    return Hit({"host": _shown(item), "official": _official_value(ctx, name)}, lookalike_of=name.channel)


# How a misspelling was made, as a person would say it (the fuzzer names of typos.FUZZERS).
TYPO_HOW: dict[str, tuple[str, str]] = {
    "homoglyph": ("look-alike characters", "形似的字符"),
    "transposition": ("two letters swapped", "两个字母对调"),
    "omission": ("a letter left out", "少了一个字母"),
    "repetition": ("a letter doubled", "重复了一个字母"),
    "vowel_swap": ("a vowel changed", "换了一个元音"),
    "hyphenation": ("a hyphen added", "加了连字符"),
    "replacement": ("a neighbouring key", "换成键盘上相邻的字母"),
    "insertion": ("a neighbouring key added", "多了一个键盘上相邻的字母"),
    "dehyphenation": ("the hyphen removed", "去掉了连字符"),
    "bitsquatting": ("one letter changed", "改了一个字母"),
    "addition": ("a letter added", "多了一个字母"),
    "edit_distance": ("one letter changed", "改了一个字母"),
    "misspelt_inside": ("misspelt inside a longer name", "错拼后夹在更长的名字里"),
    "dot_insertion": ("a dot added", "加了一个点"),
}


def typosquat_domain(item: Item, ctx: Context) -> Hit | None:
    name = _imitated_name(item, ctx, other_than=("exact",))
    if name is None or (name.how == "homoglyph" and _foreign_letters(item, ctx)):
        return None
    how, how_zh = TYPO_HOW.get(name.how, (name.how.replace("_", " "), name.how.replace("_", " ")))
    if name.how == "edit_distance" and name.cost > 1.0:
        how, how_zh = "two letters changed", "改了两个字母"
    facts = {"host": _shown(item), "official": _official_value(ctx, name), "how": how, "how_zh": how_zh}
    if name.cost > typos.IMPERSONATION_COST:
        # Two unrelated letters changed in a long name: read as the name, but not a slip.
        return Hit(facts, lookalike_of=name.channel, level="suspicious", risk=70)
    return Hit(facts, lookalike_of=name.channel)


def brand_combosquat(item: Item, ctx: Context) -> Hit | None:
    facts = _facts(item, ctx)
    if facts is None or facts.brand is None or item.host is None or item.host.is_private_suffix:
        return None
    if not facts.brand.baits:
        return None
    return Hit(
        {"host": _shown(item), "bait": " + ".join(facts.brand.baits), "official": _official_value(ctx, facts.brand)},
        lookalike_of=facts.brand.channel,
    )


def brand_in_domain(item: Item, ctx: Context) -> Hit | None:
    facts = _facts(item, ctx)
    if facts is None or facts.brand is None or item.host is None or item.host.is_private_suffix:
        return None
    if facts.brand.baits:
        return None  # brand_combosquat says it better
    return Hit({"host": _shown(item), "official": _official_value(ctx, facts.brand)}, lookalike_of=facts.brand.channel)


def brand_in_subdomain(item: Item, ctx: Context) -> Hit | None:
    facts = _facts(item, ctx)
    if facts is None or facts.sub_brand is None or item.host is None:
        return None
    channel = ctx.lookalikes.names.get(facts.sub_brand)
    return Hit(
        {"host": _shown(item), "registrable": item.host.registrable or ".".join(item.host.ascii.split(".")[-2:]), "brand": facts.sub_brand},
        lookalike_of=channel,
    )


def brand_in_shared_host_path(item: Item, ctx: Context) -> Hit | None:
    host = item.host
    if item.kind != "url" or host is None or ctx.official_match:
        return None
    shared = host.ascii in SHARED_HOSTS or (host.registrable or "") in SHARED_HOSTS
    # A social platform's page that is not a profile we recognise (a post, a group, a page
    # with an invalid name) is also someone's publication on a shared host.
    if not shared and platforms.platform_for_host(host.ascii) is None:
        return None
    query = (item.url or "").partition("?")[2].partition("#")[0]
    # Path segments and query words are separate names: "/view/tokenpocket-help".
    found = ctx.lookalikes.brand_in(f"{item.path} {query}".replace("/", " ").replace("=", " ").replace("&", " "))
    if found is None:
        return None
    return Hit({"host": host.unicode}, lookalike_of=found.channel, risk=80 if found.baits else None)


def _account_imitated(ctx: Context, platform_key: str, value: str) -> Channel | None:
    """The official account (or the brand's entry) a handle named on a platform imitates."""
    channels = ctx.index.handles_named(platforms.handle_key(platform_key, value))
    if channels:
        same = [c for c in channels if c.platform == platform_key]
        return (same or channels)[0]
    lookalike = ctx.lookalikes.match_handle(value.partition("/")[2] or value)
    if lookalike is not None:
        return lookalike[1][0]
    brand = ctx.lookalikes.brand_in(value)
    return (brand.channel or ctx.lookalikes.primary) if brand is not None else None


def platform_host_in_subdomain(item: Item, ctx: Context) -> Hit | None:
    """A platform's host written in front of another site: "x.com.evil.example/TokenPocket_TP",
    "t.me.evil.example/tokenPocket_en". The browser opens evil.example; the address only
    starts like the platform. With an official account in the path it impersonates that one."""
    host = item.host
    if item.kind not in ("url", "domain") or host is None or host.is_ip or ctx.match is not None:
        return None
    if platforms.platform_for_host(host.ascii) is not None:
        return None  # the platform's own host (or one of its account subdomains)
    labels = host.ascii.split(".")
    count = len(_split(host)[2])  # labels in front of the registrable domain
    for start in range(count - 1):
        for end in range(count, start + 1, -1):  # longest run first: "www.facebook.com"
            shown = ".".join(labels[start:end])
            platform = platforms.platform_for_host(shown)
            if platform is None or shown not in platform.hosts:
                continue
            site = ".".join(labels[end:])
            facts = {"host": host.unicode, "platform_host": shown, "platform_name": platform.name,
                     "platform_name_zh": platform.name_zh, "site": site}
            value = platforms.handle_from_url(platform, shown, item.path or "/", "") if item.path else None
            imitated = _account_imitated(ctx, platform.key, value) if value else None
            if imitated is not None:
                return Hit(facts, lookalike_of=imitated, level="impersonation", risk=95)
            return Hit(facts)
    return None


def mixed_script(item: Item, ctx: Context) -> Hit | None:
    facts = _facts(item, ctx)
    if facts is None or facts.name is not None:
        return None  # a homoglyph of an official name is reported as such
    label = facts.label_unicode
    if label.isascii() or not is_mixed_script(label):
        return None
    return Hit({"shown": label, "scripts": ", ".join(sorted(s.title() for s in scripts(label)))})


DETECTORS: tuple[Detector, ...] = (
    Detector("brand_on_free_hosting", "impersonation", 90, HOSTS, brand_on_free_hosting),
    Detector("homoglyph_domain", "impersonation", 95, HOSTS, homoglyph_domain),
    Detector("official_name_other_tld", "impersonation", 90, HOSTS, official_name_other_tld),
    Detector("typosquat_domain", "impersonation", 90, HOSTS, typosquat_domain),
    Detector("brand_combosquat", "impersonation", 90, HOSTS, brand_combosquat),
    Detector("brand_in_subdomain", "impersonation", 90, HOSTS, brand_in_subdomain),
    Detector("platform_host_in_subdomain", "suspicious", 75, frozenset({"url", "domain"}), platform_host_in_subdomain),
    Detector("brand_in_domain", "suspicious", 70, HOSTS, brand_in_domain),
    Detector("brand_in_shared_host_path", "suspicious", 70, frozenset({"url"}), brand_in_shared_host_path),
    Detector("mixed_script", "suspicious", 65, HOSTS, mixed_script),
)
