"""The lookalike index: everything about the official names, precomputed when a registry loads.

Built once per registry (``LookalikeIndex(registry)``), it answers three questions fast:

* ``match_name(label)``: is this name one of the official names, a homoglyph of one (same
  confusable skeleton), a typo of one (dnstwist-style candidates), or within an edit distance
  scaled to its length (symmetric-delete index + Damerau-Levenshtein)?
* ``brand_in(text)``: does this text carry a brand term ("tokenpocket", "tpwallet", "tp钱包"),
  possibly wrapped in bait words ("tokenpocketsupport", "kefu-tpwallet")?
* ``match_handle(platform, value)``: is this handle a lookalike of an official handle?
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifier import hostnames
from verifier.heuristics import typos
from verifier.heuristics.skeleton import loose_skeleton, skeleton
from verifier.heuristics.words import made_of_words
from verifier.heuristics.tables import BAIT_WORDS, SHORT_BRAND_ALIASES, SUPPORT_BAITS
from verifier.registry.schema import Channel, Registry

_SEPARATORS = re.compile(r"[\s._\-]+")
_TOKENS = re.compile(r"[^\s._\-0-9]+")
_DIGITS = re.compile(r"[0-9]+")
# A number at either end of a name is an id ("tp_kefu001"), not a glyph: cut before the
# skeleton would read its 0 as o and its 1 as l.
_EDGE_DIGITS = re.compile(r"^[0-9]+|[0-9]+$")
# Brand terms at least this long (or with Chinese in them, "tp钱包") are matched anywhere inside
# a name ("mytokenpocketapp"); shorter ones only as a whole token: "httptoolkit" is not "tptool".
SUBSTRING_MIN = 8
# Up to this many indexed names, a near match compares each (cheaper than the delete keys).
DIRECT_SCAN_MAX = 64
# One edit in a name of 9+ letters leaves a run of at least this many letters intact.
INSIDE_RUN = 4
# Bait words sorted longest first, so "customerservice" is stripped before "service".
_BAITS = tuple(sorted((b for b in BAIT_WORDS if len(b) >= 2), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class NameMatch:
    how: str  # "exact", "homoglyph", a fuzzer name, "edit_distance" or "misspelt_inside"
    official: str  # the official name imitated
    channel: Channel
    cost: float = 0.0  # weighted edits (typos.slip_cost); 0 for exact and homoglyph matches


@dataclass(frozen=True, slots=True)
class BrandMatch:
    term: str  # the brand term found
    baits: tuple[str, ...]  # bait words around it
    channel: Channel | None  # the official domain whose name the term is, if any


def squeeze(text: str) -> str:
    """Skeleton with separators removed: "Token_Pocket-SUPPORT" -> "tokenpocketsupport"."""
    return _SEPARATORS.sub("", skeleton(text))


# Bait words by length, so stripping tests a few slices against a set instead of every word.
_BAIT_LENGTHS = tuple(sorted({len(b) for b in _BAITS}, reverse=True))
_BAIT_SET = frozenset(_BAITS)


def strip_baits(core: str, keep: frozenset[str] = frozenset()) -> tuple[str, tuple[str, ...]]:
    """Remove bait words (and digits) from both ends of ``core``; return what is left and them.

    Longest bait first at either end. Stripping stops at a name in ``keep`` (the brand
    terms), and never cuts into one: "kefutpwallet" loses "kefu", not "wallet".
    """
    found: list[str] = []
    while core and core not in keep:
        stripped = core.strip("0123456789")
        if stripped != core:
            found.append("digits")
            core = stripped
            continue
        kept = [t for t in keep if t in core]
        for length in _BAIT_LENGTHS:
            if length >= len(core):
                continue
            head, tail = core[:length], core[-length:]
            rest = core[length:] if head in _BAIT_SET else None
            if rest is None or not all(t in rest for t in kept):
                rest = core[:-length] if tail in _BAIT_SET else None
                bait = tail
            else:
                bait = head
            if rest is not None and all(t in rest for t in kept):
                core = rest
                found.append(bait)
                break
        else:
            break
    return core, tuple(found)


def short_forms(brand_terms: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Abbreviations of the brand's multi-word terms: "token pocket" → "tp", "tppocket".

    Only terms whose words are real words (3+ letters): "tp wallet" is already short.
    Like the table's aliases they count only next to support words ("tppocket-support").
    """
    out: set[str] = set()
    for term in brand_terms:
        words = term.split()
        if len(words) >= 2 and all(len(w) >= 3 and w.isascii() and w.isalpha() for w in words):
            initials = "".join(w[0] for w in words)
            out |= {initials, initials + words[-1]}
    return frozenset(out)


def _baits_among(parts: tuple[str, ...]) -> tuple[str, ...]:
    """The parts that are bait words (or made only of bait words and digits)."""
    return tuple(p for p in parts if p in BAIT_WORDS or strip_baits(p)[0] in BAIT_WORDS or p.isdigit())


class LookalikeIndex:
    """Official names, brand terms and handle cores of one registry, with their lookalikes."""

    def __init__(self, registry: Registry) -> None:
        self.names: dict[str, Channel] = {}
        self.official_registrables: set[str] = set()
        for channel in registry.channels:
            if channel.kind != "domain" or not channel.active:
                continue
            host, _ = hostnames.normalize_host(channel.value)
            if host.registrable is None:
                continue
            # Only names whose whole zone is TokenPocket's (tokenpocket.pro, not gitbook.io).
            if host.registrable == host.ascii or channel.include_subdomains:
                self.official_registrables.add(host.registrable)
                label = host.registrable[: -len(host.suffix) - 1] if host.suffix else host.registrable
                self.names.setdefault(label, channel)
        self.skeletons = {skeleton(name): name for name in self.names}
        self.loose = {loose_skeleton(name): name for name in self.names if len(name) >= 5}
        # Loose skeletons within edit distance 1 catch several glyph swaps at once
        # ("tokenpocleet": k → lc → le), which no single reading undoes.
        self.loose_deletes: dict[str, set[str]] = {}
        for shape in self.loose:
            for key in typos.deletes(shape, depth=1):
                self.loose_deletes.setdefault(key, set()).add(shape)
        self._loose_lengths = frozenset(len(shape) for shape in self.loose)
        self._lengths = frozenset(len(n) for n in self.names)
        self.typos: dict[str, tuple[str, str]] = {}
        for name in self.names:
            for candidate, fuzzer in typos.candidates(name).items():
                if candidate not in self.names:
                    self.typos.setdefault(candidate, (fuzzer, name))
        self.deletes: dict[str, set[str]] = {}
        for name in self.names:
            for key in typos.deletes(name, depth=typos.max_distance(len(name))):
                self.deletes.setdefault(key, set()).add(name)

        # The issuer's brand terms are few and matched inside names; the official names (as
        # many as the registry has domains) only as a whole core or token, by set lookup, so
        # a check's cost does not grow with the registry.
        issuer_terms = {_SEPARATORS.sub("", t) for t in registry.issuer.brand_terms}
        self.brand_terms = tuple(sorted(issuer_terms, key=len, reverse=True))
        self._term_set = frozenset(issuer_terms)
        self._name_set = frozenset(self.names) | self._term_set
        self.primary = next(iter(self.names.values()), None)
        self.short_aliases = SHORT_BRAND_ALIASES | short_forms(registry.issuer.brand_terms)
        self.brand_words = frozenset(w for t in registry.issuer.brand_terms for w in t.split() if w.isascii() and len(w) >= 3)
        # Names long enough to be read through a misspelling inside a longer name
        # ("tokennpocketserver"), with their runs of INSIDE_RUN letters: one edit always leaves
        # one of them intact, so a name holding none cannot hold such a misspelling.
        self._inside: list[tuple[str, Channel | None, frozenset[str]]] = []
        for name in sorted(set(self.names) | {t for t in self._term_set if t.isascii()}):
            if typos.max_distance(len(name)) >= 2:
                runs = frozenset(name[i : i + INSIDE_RUN] for i in range(len(name) - INSIDE_RUN + 1))
                self._inside.append((name, self.names.get(name), runs))

        # Handles: the "core" of each official handle (skeleton, no separators).
        self._handle_lengths: frozenset[int] = frozenset()
        self.handle_cores: dict[str, list[Channel]] = {}
        self.handle_deletes: dict[str, set[str]] = {}
        for channel in registry.channels:
            if channel.kind != "handle" or not channel.active or "/" in channel.value or channel.value.startswith("+"):
                continue
            core = squeeze(channel.value.lstrip("@"))
            self.handle_cores.setdefault(core, []).append(channel)
            for key in typos.deletes(core, depth=typos.max_distance(len(core))):
                self.handle_deletes.setdefault(key, set()).add(core)
        self._handle_lengths = frozenset(len(c) for c in self.handle_cores)
        # With few names, _near compares them one by one; the tuples are the indexes' names.
        self._name_list = tuple(self.names)
        self._loose_list = tuple(self.loose)
        self._handle_list = tuple(self.handle_cores)

    # -- names (domain labels) --------------------------------------------------------------

    def match_name(self, name: str) -> NameMatch | None:
        """How ``name`` (one label, ASCII or Unicode) imitates an official name, if it does."""
        if not name:
            return None
        exact = self.names.get(name)
        if exact is not None:
            return NameMatch("exact", name, exact)
        shape = skeleton(name)
        original = self.skeletons.get(shape) or (self.loose.get(loose_skeleton(name)) if len(name) >= 5 else None)
        if original is not None:
            return NameMatch("homoglyph", original, self.names[original])
        typo = self.typos.get(name)
        if typo is not None:
            return NameMatch(typo[0], typo[1], self.names[typo[1]], typos.slip_cost(name, typo[1]))
        for near in self._near(shape, self.deletes, self._lengths, names=self._name_list):
            cost = typos.slip_cost(shape, near)
            if cost > typos.max_cost(len(near)):
                continue
            if cost > 1.0 and made_of_words(shape, self.brand_words):
                continue  # two edits that make ordinary words: "tokenbucket"
            return NameMatch("edit_distance", near, self.names[near], cost)
        if len(name) >= 9:
            # Several glyph swaps at once ("tokenpocleet": k → lc → le), on names long
            # enough that one loose edit is still the name (on 8 letters it is not: "tpwalkie").
            loose = loose_skeleton(name)
            near_loose = self._near(loose, self.loose_deletes, self._loose_lengths, limit=1, names=self._loose_list)
            if near_loose and len(self.loose[near_loose[0]]) >= 9:
                original = self.loose[near_loose[0]]
                return NameMatch("homoglyph", original, self.names[original])
        return None

    def misspelt_inside(self, text: str) -> NameMatch | None:
        """A long official name misspelt once inside a longer name: "tokennpocketserver",
        "tptokenpockket", "tokenpoket-d0db3dce79e0". A spelling that is right is
        :meth:`brand_in`'s; a whole name that is a misspelling, :meth:`match_name`'s."""
        squeezed = squeeze(text)
        for name, channel, runs in self._inside:
            size = len(name)
            if len(squeezed) <= size + 1 or name in squeezed or not any(r in squeezed for r in runs):
                continue
            for width in (size - 1, size, size + 1):
                for start in range(len(squeezed) - width + 1):
                    if typos.distance(squeezed[start : start + width], name) == 1:
                        return NameMatch("misspelt_inside", name, channel or self.primary, 1.0)  # type: ignore[arg-type]
        return None

    @staticmethod
    def _near(value: str, index: dict[str, set[str]], lengths: frozenset[int], limit: int | None = None,
              names: tuple[str, ...] = ()) -> list[str]:
        """Indexed names within edit distance of ``value`` (``limit``, or scaled to each
        name's length), nearest first.

        A registry of a few names is compared name by name (one call in C each); a large one
        through the symmetric-delete index, whose cost does not grow with the registry."""

        def reach(n: int) -> int:
            return typos.max_distance(n) if limit is None else limit

        length = len(value)
        if not any(reach(n) and abs(length - n) <= reach(n) for n in lengths):
            return []  # no indexed name is within reach of this length
        if len(names) <= DIRECT_SCAN_MAX:
            near = {}
            for name in names:
                allowed = reach(len(name))
                if allowed and abs(len(name) - length) <= allowed:
                    d = typos.distance(value, name)
                    if 0 < d <= allowed:
                        near[name] = d
            return sorted(near, key=lambda n: (near[n], n))
        # Deleting up to 2 characters on both sides finds every pair within distance 2.
        depth = 2 if any(reach(n) == 2 and abs(length - n) <= 2 for n in lengths) else 1
        found: dict[str, int] = {}
        for key in typos.deletes(value, depth=depth):
            for name in index.get(key, ()):
                allowed = reach(len(name))
                if name in found or not allowed or abs(len(name) - length) > allowed:
                    continue
                d = typos.distance(value, name)
                if 0 < d <= allowed:
                    found[name] = d
        return sorted(found, key=lambda n: (found[n], n))

    # -- brand terms ----------------------------------------------------------------------------

    def brand_in(self, text: str) -> BrandMatch | None:
        """A brand term carried by ``text`` (a label, a path, a local part, a display name)."""
        if not text:
            return None
        bare = _EDGE_DIGITS.sub("", text.strip("._- "))
        squeezed = squeeze(bare)
        core, baits = strip_baits(squeezed, self._term_set)
        if bare != text.strip("._- "):
            baits += ("digits",)
        if core in self._name_set:
            return BrandMatch(core, baits, self.names.get(core))
        tokens = _TOKENS.findall(skeleton(text))
        for token in tokens:
            if token in self._name_set:
                others = tuple(t for t in tokens if t != token)
                return BrandMatch(token, _baits_among(others), self.names.get(token))
        for term in self.brand_terms:
            if (len(term) >= SUBSTRING_MIN or not term.isascii()) and term in squeezed:
                others = tuple(p for p in squeezed.split(term) if p)
                return BrandMatch(term, _baits_among(others), self.names.get(term))
        # A short alias of the brand is only the brand next to support words: "tp-kefu",
        # "tp.service" (alone, "tp" is any of a thousand things).
        if core in self.short_aliases and set(baits) & SUPPORT_BAITS:
            return BrandMatch(core, baits, self.primary)
        # A misspelt brand wrapped in bait words: "tokenpcket-support".
        if baits and core:
            near = self.match_name(core)
            if near is not None and near.how != "exact":
                return BrandMatch(near.official, baits, near.channel)
        return None

    # -- handles ----------------------------------------------------------------------------------

    def match_handle(self, value: str) -> tuple[str, list[Channel]] | None:
        """(how, official channels) when ``value`` imitates an official handle's core."""
        core = squeeze(value.lstrip("@"))
        if not core:
            return None
        exact = self.handle_cores.get(core)
        if exact is not None:
            return "variant", exact
        near = self._near(core, self.handle_deletes, self._handle_lengths, names=self._handle_list)
        if near:
            return "misspelling", [c for name in near for c in self.handle_cores[name]]
        return None
