"""Hygiene of the heuristics benchmark's labelled set (bench/dataset.py).

Not the recall figures (``make bench`` prints those): only that the set is what it claims to
be — no duplicates, official cases really official in the registry, enough popular negatives,
every group present, no case labelled both ways.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from verifier.registry.schema import parse_registry

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load_dataset():
    spec = importlib.util.spec_from_file_location("bench_dataset", BENCH / "dataset.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


dataset = _load_dataset()
HAVE_DNSTWIST = importlib.util.find_spec("dnstwist") is not None


@pytest.fixture(scope="module")
def cases():
    return dataset.build(require_dnstwist=HAVE_DNSTWIST)


def test_no_duplicate_inputs(cases):
    inputs = [c.input for c in cases]
    assert len(inputs) == len(set(inputs))


def test_every_case_is_well_formed(cases):
    for case in cases:
        assert case.input.strip() == case.input and case.input, case
        assert case.group in dataset.GROUPS and case.expected in dataset.EXPECTED
        assert case.subgroup, case


@pytest.mark.parametrize("group", [g for g in dataset.GROUPS if g != "domain_typo"])
def test_each_group_is_not_empty(cases, group):
    assert any(c.group == group for c in cases)


@pytest.mark.skipif(not HAVE_DNSTWIST, reason="dnstwist is in the bench extra: pip install -e '.[bench]'")
def test_typo_group_comes_from_dnstwist(cases):
    typos = [c for c in cases if c.group == "domain_typo"]
    assert len(typos) > 1000
    fuzzers = {c.subgroup for c in typos}
    assert {"homoglyph", "omission", "insertion", "transposition", "bitsquatting", "tld-swap"} <= fuzzers
    assert all(c.expected == "flag" for c in typos)


def test_at_least_300_popular_domains():
    domains = dataset.popular_domains()
    assert len(domains) >= 300
    assert len(domains) == len(set(domains)), "popular_domains.txt has duplicates"


def test_issue_must_not_flag_list_is_clean(cases):
    labels = {c.input: c.expected for c in cases}
    for host in ("getpocket.com", "tp-link.com", "token.im", "tokenterminal.com"):
        assert labels[host] == "clean"


def test_official_cases_are_active_registry_channels(cases, shipped_registry, inside_validity):
    """Every official case resolves, through the real classifier and index, to an active entry."""
    from verifier.classify import classify
    from verifier.registry.index import RegistryIndex

    index = RegistryIndex(shipped_registry)
    official = [c for c in cases if c.expected == "official"]
    assert official and all(c.group == "official" for c in official)
    covered = set()
    for case in official:
        match = index.find_channel(classify(case.input))
        assert match is not None and match.channel.active, case.input
        covered.add(match.channel.id)
    active = {ch.id for ch in shipped_registry.channels if ch.active}
    assert covered == active, f"active channels with no official case: {sorted(active - covered)}"


def test_flag_and_clean_cases_are_not_registry_channels(cases, shipped_registry):
    """A flag or clean case that the registry lists would be mislabelled."""
    from verifier.classify import classify
    from verifier.errors import InvalidInputError
    from verifier.registry.index import RegistryIndex

    index = RegistryIndex(shipped_registry)
    for case in cases:
        if case.expected == "official" or case.group == "message":
            continue
        try:
            item = classify(case.input)
        except InvalidInputError:
            continue
        assert index.find_channel(item) is None, case.input


def test_registry_is_the_shipped_one(shipped_doc):
    assert dataset.load_registry_doc() == shipped_doc
    parse_registry(shipped_doc)
