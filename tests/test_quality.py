"""The heuristics' promises on the labelled set (bench/dataset.py), as behaviour, not timing:

* no official input is ever flagged or answered anything but official;
* no impersonation (or unrelated input) is ever answered official;
* recall of every group of lookalikes is at least 0.97, and unrelated inputs are flagged at
  most 0.5 % of the time (issue 3's aims). `make bench` prints the full tables.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from test_dataset import dataset
from verifier.check import Verifier
from verifier.errors import InvalidInputError
from verifier.registry.schema import parse_registry

FLAGGED = ("impersonation", "suspicious")


@pytest.fixture(scope="module")
def outcomes():
    pytest.importorskip("dnstwist")
    registry = parse_registry(dataset.load_registry_doc())
    verifier = Verifier(registry)
    now = registry.issued_at + timedelta(days=1)
    from verifier.scan import scan

    results = []
    for case in dataset.build(require_dnstwist=True):
        try:
            if case.group == "message":
                verdict = scan(case.input, verifier, now=now).verdict
            else:
                verdict = verifier.check(case.input, now=now).verdict
        except InvalidInputError as err:
            verdict = f"error:{err.code}"
        results.append((case, verdict))
    return results


def test_official_inputs_are_always_official(outcomes):
    wrong = [(c.input, v) for c, v in outcomes if c.expected == "official" and v != "official"]
    assert wrong == []


def test_nothing_flagged_or_unrelated_is_ever_official(outcomes):
    wrong = [(c.input, v) for c, v in outcomes if c.expected != "official" and v == "official"]
    assert wrong == []


@pytest.mark.parametrize("group", ["domain_typo", "domain_combo", "email", "handle", "message"])
def test_recall_per_group(outcomes, group):
    cases = [(c, v) for c, v in outcomes if c.group == group and c.expected == "flag"]
    assert cases, group
    missed = [(c.input, v) for c, v in cases if v not in FLAGGED]
    assert 1 - len(missed) / len(cases) >= 0.97, missed[:20]


def test_false_positive_rate(outcomes):
    clean = [(c, v) for c, v in outcomes if c.expected == "clean"]
    flagged = [(c.input, v) for c, v in clean if v in FLAGGED]
    assert len(clean) >= 400
    assert len(flagged) / len(clean) <= 0.005, flagged
