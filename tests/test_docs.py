"""Tests that keep the documentation honest (STYLE.md #11): every reason code has en and zh text
and a README line; every refusal and error code, setting and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verifier import messages
from verifier.cli import build_parser
from verifier.config import SETTINGS
from verifier.heuristics import detector_table
from verifier.scan_phrases import PHRASES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "verifier").rglob("*.py"))
REASON_CODES_IN_CODE = (
    set(re.findall(r'Reason\.of\(\s*"([a-z_]+)"', SOURCE))
    | {d.code for d in detector_table()}
    | {p.code for p in PHRASES}
)
ERROR_CODES_IN_CODE = set(re.findall(r'code="([a-z_]+)"', SOURCE))


@pytest.mark.parametrize("code", sorted(REASON_CODES_IN_CODE))
def test_every_reason_code_has_both_languages(code):
    message = messages.MESSAGES[code]
    assert message.en.strip() and message.zh.strip()
    assert re.search(r"[\u4e00-\u9fff]", message.zh), "the zh text must be Chinese"
    # both languages use the same facts
    assert set(re.findall(r"{(\w+)}", message.en)) == set(re.findall(r"{(\w+)}", message.zh))


@pytest.mark.parametrize("code", sorted(set(messages.MESSAGES)))
def test_every_reason_code_is_in_the_readme_table(code):
    assert re.search(rf"^\| `{code}` \|", README, re.MULTILINE), f"README's reason-code table lacks {code}"


def test_no_message_without_a_user():
    assert set(messages.MESSAGES) <= REASON_CODES_IN_CODE | {"phone_not_a_channel"}


@pytest.mark.parametrize("code", sorted(ERROR_CODES_IN_CODE - {"exists", "bad_usage", "bad_public_key", "bad_password", "password_required", "bad_secret_key", "wrong_password", "state_unavailable"}))
def test_every_error_and_refusal_code_is_documented(code):
    assert f"`{code}`" in README


@pytest.mark.parametrize("setting", [s.env for s in SETTINGS] + ["VERIFIER_KEY_PASSWORD"])
def test_every_setting_is_documented(setting):
    assert f"`{setting}`" in README


def _subcommands(parser, prefix=()):
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        for name, sub in action.choices.items():
            yield (*prefix, name)
            if sub._subparsers is not None:
                yield from _subcommands(sub, (*prefix, name))


@pytest.mark.parametrize("command", [" ".join(c) for c in _subcommands(build_parser())])
def test_every_command_is_documented(command):
    *parents, last = command.split()
    assert f"verifier {' '.join(parents)}" in README and last in README


@pytest.mark.parametrize("verdict", ["official", "retired", "impersonation", "suspicious", "not_official", "unverified"])
def test_every_verdict_is_explained(verdict):
    assert re.search(rf"^\| `{verdict}` \|", README, re.MULTILINE)
    assert verdict in messages.VERDICT_TEXT


def test_readme_shows_the_pinned_keys():
    for path in (ROOT / "verifier" / "keys").glob("*.pub"):
        key = path.read_text().splitlines()[1]
        assert key in README and path.stem in README
