"""The tables of real cases through the pure core and through the `verifier check` CLI."""

from __future__ import annotations

import json

import pytest

from cases import INVALID, NOT_OFFICIAL, OFFICIAL
from verifier.cli.main import main
from verifier.errors import InvalidInputError

ALL = OFFICIAL + NOT_OFFICIAL


def _codes(result_dict):
    return [r["code"] for r in result_dict["reasons"]]


@pytest.mark.parametrize(("text", "kind", "platform", "verdict", "code"), ALL)
def test_core(core, text, kind, platform, verdict, code):
    result = core.check(text).to_dict()
    assert (result["kind"], result["platform"], result["verdict"]) == (kind, platform, verdict), result
    assert code in _codes(result), result


@pytest.mark.parametrize(("text", "kind", "platform", "verdict", "code"), OFFICIAL)
def test_official_results_cite_their_registry_entry(core, text, kind, platform, verdict, code):
    result = core.check(text).to_dict()
    assert result["risk"] == 0
    assert result["channel"]["status"] == "active"
    assert result["channel"]["evidence"].startswith("https://")


@pytest.mark.parametrize(("text", "kind", "platform", "verdict", "code"), NOT_OFFICIAL)
def test_nothing_here_is_ever_official(core, text, kind, platform, verdict, code):
    result = core.check(text).to_dict()
    assert result["verdict"] != "official"
    assert result["risk"] > 0
    # every non-official answer tells the person where to go instead
    assert "service@tokenpocket.pro" in result["advice"]


@pytest.mark.parametrize(("text", "code"), INVALID)
def test_core_invalid_input(core, text, code):
    with pytest.raises(InvalidInputError) as info:
        core.check(text)
    assert info.value.code == code


def test_every_shipped_channel_is_official_in_its_own_form(core, shipped_registry):
    """Each active registry entry, written the way the registry writes it, answers official."""
    for channel in shipped_registry.channels:
        text = f"{channel.platform}:{channel.value}" if channel.kind == "handle" else channel.value
        result = core.check(text)
        expected = "official" if channel.active else "retired"
        assert result.verdict == expected, (channel.id, result.to_dict())
        assert result.channel["id"] == channel.id


def test_expired_registry_answers_unverified_but_keeps_negative_verdicts(core, shipped_registry):
    after = shipped_registry.expires_at
    official = core.check("https://tokenpocket.pro/", now=after).to_dict()
    assert official["verdict"] == "unverified"
    assert _codes(official)[0] == "registry_expired"
    assert official["registry"]["expired"] is True
    assert core.check("mytokenpocket.vip", now=after).verdict == "retired"
    assert core.check("https://tokenpocket.pro@evil.example/", now=after).verdict == "impersonation"


def test_chinese_messages(core):
    result = core.check("https://tokenpocket.pro@evil.example/x").to_dict("zh")
    assert "浏览器" in result["reasons"][0]["message"]
    assert "助记词" in result["advice"]


# --- the same tables through the CLI ----------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "platform", "verdict", "code"), ALL)
def test_cli_json(settings_env, capsys, text, kind, platform, verdict, code):
    assert main(["check", "--json", text]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["kind"], result["platform"], result["verdict"]) == (kind, platform, verdict)
    assert code in _codes(result)


def test_cli_jsonl_keeps_order_and_reports_bad_lines(settings_env, capsys, monkeypatch):
    import io

    lines = [row[0] for row in ALL if "\n" not in row[0] and "\r" not in row[0]]
    bad = ["", "###"]
    stdin = "\n".join(lines[:10] + bad + lines[10:]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["check", "--jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines) + len(bad)
    assert [o["input"] for o in out] == lines[:10] + bad + lines[10:]
    assert out[10]["error"]["code"] == "empty_input"
    assert out[11]["error"]["code"] == "unrecognised_input"


def test_cli_jsonl_through_a_real_stdout_writes_the_same_lines(settings_env, test_key, capsys, monkeypatch, tmp_path):
    """A real process writes the encoder's bytes straight to stdout's buffer; the lines must be
    exactly those of the text path (Chinese messages, error objects, order)."""
    import io
    import os
    import subprocess
    import sys

    from served import LAUNCHER

    lines = ["tokenpocket-support.com", "", "https://t.me/tokenpocket_refund_desk", "### nothing", "tokenpocket.pro"]
    stdin = "\n".join(lines) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["check", "--jsonl", "--lang", "zh"]) == 0
    in_process = capsys.readouterr().out
    key_file = tmp_path / "test.pub"
    key_file.write_bytes(test_key.public_bytes)
    done = subprocess.run([sys.executable, str(LAUNCHER), str(key_file), "check", "--jsonl", "--lang", "zh"],
                          input=stdin.encode(), capture_output=True, env=dict(os.environ), timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode("utf-8") == in_process
    text_only = io.StringIO()  # no .buffer: the text path
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    monkeypatch.setattr("sys.stdout", text_only)
    assert main(["check", "--jsonl", "--lang", "zh"]) == 0
    assert text_only.getvalue() == in_process
    assert "冒充" in in_process and in_process.count("\n") == len(lines)


@pytest.mark.parametrize(("text", "code"), INVALID)
def test_cli_invalid_input_is_a_clear_error(settings_env, capsys, text, code):
    assert main(["check", text]) == 3
    captured = capsys.readouterr()
    assert f"error: {code}:" in captured.err
    assert "Traceback" not in captured.err


def test_cli_text_output_in_both_languages(settings_env, capsys):
    assert main(["check", "https://tokenpocket.pro@evil.example/x"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("✘ Not official: impersonation: https://tokenpocket.pro@evil.example/x")
    assert "[userinfo_trick]" in out
    assert main(["check", "--lang", "zh", "tokenpocket.pro"]) == 0
    assert capsys.readouterr().out.startswith("✔ 官方渠道: tokenpocket.pro")


def test_cli_refuses_a_tampered_registry(settings_env, capsys):
    path = settings_env.registry_path
    path.write_bytes(path.read_bytes().replace(b"tokenpocket.pro", b"tokenpocket.pr0", 1))
    assert main(["check", "tokenpocket.pro"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: bad_signature:")
    assert str(path) in err


def test_cli_usage_without_values(settings_env, capsys):
    assert main(["check"]) == 2
    assert "usage" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "imitated"),
    [
        ("https://tokenpocket.pro@evil.example/x", "web-tokenpocket-pro"),
        ("https://evil.example\\@tpwallet.io", "web-tpwallet-io"),
        ("\"service@tokenpocket.pro\" <scam@gmail.com>", "email-service"),
        ("telegram:TokenPocket_TP", "x-tokenpocket-tp"),
        ("https://t.me/tokenpocket_tp", "x-tokenpocket-tp"),
        ("https://tokenpocket.pro\\@evil.example", "web-tokenpocket-pro"),
    ],
)
def test_impersonations_name_the_entry_they_imitate(core, text, imitated):
    assert core.check(text).to_dict()["lookalike_of"]["id"] == imitated
