"""Tests that keep the documentation honest (STYLE.md #11): every reason code has en and zh text
and a line in the docs' table; every refusal and error code, setting and command is documented
(in the README or a page of docs/); the README stays short and its links lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verifier import messages
from verifier.cli.main import build_parser
from verifier.config import SETTINGS
from verifier.heuristics import detector_table
from verifier.scan_phrases import PHRASES

ROOT = Path(__file__).resolve().parent.parent
# The documentation a user reads: the README and the pages of docs/ (the site `make docs` builds).
README = "\n".join(
    [(ROOT / "README.md").read_text(encoding="utf-8")]
    + [page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").glob("*.md"))]
)
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


def test_the_readme_is_short_and_its_links_lead_to_real_files():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not t.startswith(("http://", "https://", "mailto:"))]
    assert local, "the README links to the docs"
    assert [t for t in local if not (ROOT / t).exists()] == []


def test_every_docs_page_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert [p for p in pages if f": {p}" not in nav] == []


def _readme_example(command_start: str) -> tuple[str, list[str]]:
    """The README's console example that starts with ``$ <command_start>``: its command line
    and the lines it shows (a line of "..." or ending in "…" stands for what is left out)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"```\n\$ ({re.escape(command_start)}[^\n]*)\n(.*?)```", text, re.S)
    assert block, f"the README lost its example of {command_start}"
    return block.group(1), [line for line in block.group(2).splitlines() if line.strip()]


def _matches(shown: list[str], real: list[str]) -> bool:
    """Every shown line is a real line, in order; "…" cuts a line short, "..." skips lines."""
    position = 0
    for line in shown:
        if line.strip() == "...":
            continue
        prefix = line.split("…", 1)[0]
        while position < len(real) and not real[position].startswith(prefix):
            position += 1
        if position == len(real):
            return False
        position += 1
    return True


@pytest.mark.parametrize("command_start", ["verifier check tokenpocket.pro", "printf "])
def test_the_readme_examples_are_real_output(tmp_path, command_start):
    """On the shipped registry, as a reader runs them."""
    import os
    import shlex
    import subprocess
    import sys

    command, shown = _readme_example(command_start)
    verifier = [sys.executable, "-m", "verifier.cli.main"]
    if command.startswith("printf "):
        message = shlex.split(command.split("|", 1)[0])[1]
        args, stdin = shlex.split(command.split("|", 1)[1])[1:], message
    else:
        args, stdin = shlex.split(command)[1:], ""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")} | {"VERIFIER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(verifier + args, input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert _matches(shown, done.stdout.splitlines()), done.stdout
