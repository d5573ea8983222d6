"""The screening fast path: decide cheaply that a host name cannot match any detector.

Feeds (newly registered domains, certificate-transparency names, Tranco) are almost all names
nowhere near the brand; the full pipeline spends ~100 µs on each (WHATWG host parsing, the
public suffix list, the lookalike index). :meth:`FastPath.clear` answers "this name is plainly
``not_official`` (risk 20, the one reason ``not_in_registry``)" in a few µs, and says so only
when it can show that the full pipeline would say the same; any doubt returns ``False`` and the
caller runs the full pipeline. ``tests/test_fastpath.py`` checks the agreement by property
(names near and far from the brand) and ``bench/run.py`` on the whole Tranco list.

Why the answer is the same (for the ``domain`` kind, the only one taken here):

1. **Shape.** Only a bare ASCII host of letters, digits and hyphens, two labels or more, a
   top-level label of letters that the public suffix list knows (the classifier's own test),
   within the DNS length caps, with no ``xn--``-style label and no trailing dot. Such text is
   classified ``domain`` and normalised to itself, lower-cased, with no observation: so none of
   the structural detectors (they need an observation, an IP or an IDN) can fire.
2. **Registry and platforms.** No label-suffix of the name is a registry domain (channel,
   retired or not, its registrable zone, a known fake) or a platform/shared host: no exact
   match, no known fake, no account host (``name.t.me`` is a handle), and no platform host in
   front of another site (``x.com.evil.example``). A confirmed report is looked up as
   ``check`` does.
3. **Lookalikes.** Every domain detector rests on ``match_name``, ``brand_in`` and
   ``misspelt_inside`` over the labels (and two labels joined: a dot slipped in). All of them
   compare, after skeleton/loose normalisation, a substring of the labels with an official
   name or brand term within some edit distance k (0 for a term, ``max_distance`` for a name,
   the farthest typo candidate, 1 for the loose reading). We map the whole name with a
   per-character projection φ (some letters dropped, some merged) chosen so that φ is unchanged
   by every normalisation step (φ("rn") == φ("m"), φ("d") == φ("cl"), ...): the projection of
   any normalised substring is then a substring of φ(name), and edit distances can only
   shrink under φ. k edits leave at least ``len(φ(N)) - 1 - 3k`` of φ(N)'s bigram positions
   intact (an edit breaks at most three adjacencies), so a name where fewer of them occur
   cannot hold the match. That count is a handful of set lookups per name.

When a registry makes some threshold ≤ 0 (a very short official name), the filter cannot
exclude anything and :attr:`FastPath.enabled` is ``False``: every name takes the full path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifier import hostnames, platforms
from verifier.decide import RISK_NOT_IN_REGISTRY
from verifier.heuristics import typos
from verifier.heuristics.lookalike import INSIDE_RUN, LookalikeIndex, short_forms
from verifier.heuristics.tables import SHARED_HOSTS, SHORT_BRAND_ALIASES
from verifier.model import Reason

#: The one answer the fast path gives: the full pipeline's for a name unrelated to the brand.
CLEAR_VERDICT = "not_official"
CLEAR_RISK = RISK_NOT_IN_REGISTRY
CLEAR_REASONS = (Reason.of("not_in_registry"),)

# Lower-case before matching: the host parser lower-cases, and every detector reads the host.
_SHAPE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")

# φ for the skeleton space (skeleton, squeeze, joined labels): "rn" → "m" and "vv" → "w" need
# r, v and w dropped and m read as n; the confusable digits read as their letters.
_PHI_SKELETON = str.maketrans({"-": None, ".": None, "_": None, " ": None, "r": None, "v": None, "w": None,
                               "m": "n", "0": "o", "1": "l", "|": "l"})
# φ for the loose space: also i/1/l ("lc" → "k", "cl" → "d"), e/c/k/d, u/v/w, r/n/m, 5/s, q/g.
_PHI_LOOSE = str.maketrans({"-": None, ".": None, "_": None, " ": None, "r": None, "n": None, "m": None, "u": None,
                            "v": None, "w": None, "l": None, "i": None, "1": None, "|": None,
                            "e": "c", "k": "c", "d": "c", "0": "o", "5": "s", "q": "g"})


def _pieces(projected: str, tolerance: int, free: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """``tolerance`` + 1 pieces of ``projected`` with one letter between each two: at least one
    of them is left whole by any ``tolerance`` edits, so a name within reach contains it.

    An edit (a letter changed, dropped, added, or two neighbours swapped) spoils at most one
    piece: two pieces only touch once the letter between them is dropped, an edit that spoils
    none. Of the ways to cut, the one least likely to occur by chance is kept (long pieces,
    or pieces already searched for: ``free``). Empty when the string is too short to be cut
    so: nothing can then be excluded.
    """
    if tolerance == 0:
        return (projected,) if projected else ()
    best: tuple[float, tuple[str, ...]] | None = None
    for cut in _cuts(len(projected) - tolerance, tolerance + 1):
        out, at = [], 0
        for length in cut:
            out.append(projected[at : at + length])
            at += length + 1  # the letter between two pieces
        chance = sum(0.0 if piece in free else 26.0 ** -len(piece) for piece in out)
        if best is None or chance < best[0]:
            best = (chance, tuple(out))
    return best[1] if best else ()


def _cuts(room: int, count: int) -> list[tuple[int, ...]]:
    """Every way to write ``room`` as ``count`` lengths of at least 1 (count is small: k + 1)."""
    if count == 1:
        return [(room,)] if room >= 1 else []
    return [(first, *rest) for first in range(1, room) for rest in _cuts(room - first, count - 1)]


def _typo_reach(name: str) -> int:
    """The farthest (in the skeleton projection) of the typo candidates ``match_name`` looks
    up for ``name``: most fuzzers make one edit, a multi-letter glyph ("m" → "rn") two."""
    own = name.translate(_PHI_SKELETON)
    reach = 0
    for candidate in typos.candidates(name):
        projected = candidate.translate(_PHI_SKELETON)
        if projected != own:
            reach = max(reach, typos.distance(projected, own))
            if reach >= 2:
                break
    return reach


class FastPath:
    """The pre-filter for one :class:`~verifier.check.Verifier` (its registry and lookalikes)."""

    def __init__(self, verifier) -> None:  # type: ignore[no-untyped-def]
        self.verifier = verifier
        lookalikes: LookalikeIndex = verifier.lookalikes
        registry = verifier.registry
        # Each official string in each projection, with the edits any detector tolerates.
        skeleton_reach: dict[str, int] = {}
        loose_reach: dict[str, int] = {}

        def need(table: dict[str, int], projected: str, tolerance: int) -> None:
            table[projected] = max(tolerance, table.get(projected, 0))

        for name in lookalikes.names:
            need(skeleton_reach, name.translate(_PHI_SKELETON), max(typos.max_distance(len(name)), _typo_reach(name)))
            if len(name) >= 5:  # the loose reading: equal (5+ letters), or one edit away (9+)
                need(loose_reach, name.translate(_PHI_LOOSE), 1 if len(name) >= 9 else 0)
        # Brand terms and short forms are found spelt right inside a label; a long term also
        # misspelt once inside a longer name (misspelt_inside). Non-ASCII terms ("tp钱包")
        # cannot occur in an ASCII name, whatever normalisation it goes through.
        terms = set(lookalikes.brand_terms) | set(lookalikes.short_aliases) | SHORT_BRAND_ALIASES
        terms |= short_forms(registry.issuer.brand_terms)
        for term in terms:
            if term.isascii():
                need(skeleton_reach, term.translate(_PHI_SKELETON), 1 if typos.max_distance(len(term)) >= 2 else 0)

        def cut(table: dict[str, int]) -> list[tuple[str, ...]]:
            exact = frozenset(text for text, k in table.items() if k == 0)
            return [_pieces(text, k, exact) for text, k in sorted(table.items())]

        skeleton_targets, loose_targets = cut(skeleton_reach), cut(loose_reach)
        self.enabled = all(skeleton_targets) and all(loose_targets)
        self._lookalikes = lookalikes
        # Shortest first: a short piece ("tp") found ends the search soonest.
        self._skeleton_pieces = tuple(sorted({p for t in skeleton_targets for p in t}, key=len))
        self._loose_pieces = tuple(sorted({p for t in loose_targets for p in t}, key=len))

        # Names under which any label-suffix sends the check elsewhere (registry, platforms).
        special: set[str] = set(SHARED_HOSTS)
        for channel in registry.channels:
            if channel.kind in ("domain", "email"):
                value = channel.value.rpartition("@")[2].lower().rstrip(".")
                special.add(value)
                try:
                    host, _ = hostnames.normalize_host(value)
                except Exception:  # a value the registry's own checks let through: keep it as written
                    continue
                special.add(host.ascii)
                if host.registrable:
                    special.add(host.registrable)
        for fake in registry.impersonations:
            if fake.kind == "domain":
                special.add(fake.value.lower().rstrip("."))
        for platform in platforms.PLATFORMS:
            special.update(platform.hosts)
            special.update(platform.subdomain_of)
        special |= set(lookalikes.official_registrables)
        self._special = frozenset(special)
        # First labels of platform hosts: only a name holding one can have a platform host
        # written in front of another site.
        self._platform_heads = frozenset(h.split(".", 1)[0] for p in platforms.PLATFORMS for h in p.hosts)
        self._platform_hosts = frozenset(h for p in platforms.PLATFORMS for h in p.hosts)
        self._known_tld: dict[str, bool] = {}

    # -- the filter ---------------------------------------------------------------------------

    def _tld_known(self, tld: str) -> bool:
        known = self._known_tld.get(tld)
        if known is None:
            # The classifier's own test (classify._known_domain), cached per top-level label.
            known = self._known_tld[tld] = bool(hostnames.public_suffix("a." + tld)[1])
        return known

    def clear(self, text: str) -> bool:
        """``True`` only if ``verifier.check(text)`` is certainly ``not_official`` with risk
        :data:`CLEAR_RISK` and the single reason ``not_in_registry``."""
        if not self.enabled or len(text) > hostnames.MAX_HOST or not text.isascii():
            return False
        host = text.lower()
        if not _SHAPE.fullmatch(host):
            return False
        labels = host.split(".")
        for label in labels:
            if label[2:4] == "--":  # "xn--": punycode (IDN, or invalid); keep such names for the full path
                return False
        if not self._tld_known(labels[-1]):
            return False
        special = self._special
        if host in special:
            return False
        start = host.find(".")
        while start != -1:
            if host[start + 1 :] in special:
                return False
            start = host.find(".", start + 1)
        if not self._platform_heads.isdisjoint(labels[:-1]):
            for i, label in enumerate(labels[:-1]):
                if label in self._platform_heads:
                    for end in range(i + 1, len(labels)):
                        if ".".join(labels[i:end]) in self._platform_hosts:
                            return False
        if _holds(host.translate(_PHI_SKELETON), self._skeleton_pieces) or _holds(host.translate(_PHI_LOOSE), self._loose_pieces):
            # Within reach of an official string by the count: ask the lookalike index itself,
            # on every label and every two labels joined (a superset of what the domain
            # detectors ask about: the registrable label, the subdomains, the dot slipped in).
            if not self._unrelated(labels):
                return False
        reported = self.verifier.reported
        if reported is not None:
            reported.version()  # refreshes the confirmed set, as check() does
            if reported.find(("domain", None, host)) is not None:
                return False
        return True

    def _unrelated(self, labels: list[str]) -> bool:
        lookalikes = self._lookalikes
        for label in labels:
            if lookalikes.match_name(label) or lookalikes.brand_in(label) or lookalikes.misspelt_inside(label):
                return False
        for first, second in zip(labels, labels[1:]):
            if lookalikes.match_name(first + second):
                return False
        return True


def _holds(projected: str, pieces: tuple[str, ...]) -> bool:
    for piece in pieces:
        if piece in projected:
            return True
    return False
