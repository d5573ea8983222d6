"""`verifier screen`: feeds in, hits out as JSON lines in input order, bad lines reported, a
summary at the end, a progress bar only on a terminal, `--workers` keeping the order."""

from __future__ import annotations

import json

import pytest

from verifier.cli.main import REGISTRY_HELP, main

FEED = [
    "google.com",
    "tokenpocket-support.com",  # impersonation: brand_combosquat
    "example.org",
    "tokenpabket.com",  # impersonation: typosquat_domain
    "https://tokenpocket.pro@tp-support.help/login",  # a URL: full pipeline
    "tp.kefu@gmail.com",  # an e-mail
    "tokenpocket.pro",  # official: not printed
    "wikipedia.org",
]
HITS = ["tokenpocket-support.com", "tokenpabket.com", "https://tokenpocket.pro@tp-support.help/login", "tp.kefu@gmail.com"]


def _screen(capsys, *args: str) -> tuple[int, list[dict], str]:
    code = main(["screen", *args])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_prints_only_the_hits_with_what_they_imitate(settings_env, capsys, tmp_path):
    feed = tmp_path / "feed.txt"
    feed.write_text("\n".join(FEED) + "\n", encoding="utf-8")
    code, out, err = _screen(capsys, str(feed))
    assert code == 0
    assert [o["input"] for o in out] == HITS
    assert all(o["verdict"] in ("impersonation", "suspicious") for o in out)
    first = out[0]
    assert first["line"] == 2 and first["risk"] >= 70
    assert [r["code"] for r in first["reasons"]] == ["brand_combosquat"] and first["reasons"][0]["message"]
    assert first["lookalike_of"]["value"] == "tokenpocket.pro"
    # The summary: counted, hits by reason, time; no progress output when not on a terminal.
    assert "screened 8 names from 8 lines" in err and "4 hits" in err
    assert "brand_combosquat 2" in err and "typosquat_domain 1" in err and " s (" in err
    assert "\r" not in err and "\x1b" not in err and len(err.strip().splitlines()) == 2


def test_all_prints_every_answer_in_order_fast_or_not(settings_env, capsys, tmp_path):
    feed = tmp_path / "feed.txt"
    feed.write_text("\n".join(FEED) + "\n", encoding="utf-8")
    code, out, _ = _screen(capsys, "--all", str(feed))
    assert code == 0 and [o["input"] for o in out] == FEED
    assert [o["verdict"] for o in out][6] == "official"
    plain = out[0]
    assert plain == {"line": 1, "input": "google.com", "kind": "domain", "normalized": "google.com", "verdict": "not_official",
                     "risk": 20, "reasons": plain["reasons"], "lookalike_of": None}
    assert [r["code"] for r in plain["reasons"]] == ["not_in_registry"]
    # The fast path's answer is the full pipeline's, object for object.
    code, full, _ = _screen(capsys, "--all", "--no-fast-path", str(feed))
    assert full == out


def test_bad_lines_are_reported_and_the_run_goes_on(settings_env, capsys, tmp_path):
    feed = tmp_path / "feed.bin"
    feed.write_bytes(b"tokenpocket-support.com\n\n# a comment\n\xff\xfe not utf-8\nhello world, not a name\n"
                     + b"a" * (70 * 1024) + b"\ntokenpabket.com\r\n")
    code, out, err = _screen(capsys, str(feed))
    assert code == 0
    assert [o.get("input") for o in out][0] == "tokenpocket-support.com"
    errors = [o for o in out if "error" in o]
    assert [(o["line"], o["error"]["code"]) for o in errors] == [(4, "invalid_text"), (5, "looks_like_message"),
                                                               (6, "input_too_long")]
    assert all(o["error"]["message"] for o in errors)
    assert out[-1]["input"] == "tokenpabket.com" and out[-1]["line"] == 7
    assert "3 bad lines" in err and "from 5 lines" in err  # the blank line and the comment are not lines


def test_ct_format_reads_the_names_of_each_entry(settings_env, capsys, tmp_path):
    entries = [
        {"data": {"leaf_cert": {"all_domains": ["*.tokenpocket-help.com", "tokenpocket-help.com", "cdn.example.net"]}}},
        {"dns_names": ["example.com", "www.example.com"]},
        "not json {",
        {"names": "tokenpabket.com"},  # not a list
        ["tpwallet-kefu.com"],
    ]
    feed = tmp_path / "ct.jsonl"
    feed.write_text("\n".join(e if isinstance(e, str) else json.dumps(e) for e in entries) + "\n", encoding="utf-8")
    code, out, err = _screen(capsys, "--format", "ct", str(feed))
    assert code == 0
    assert [(o["line"], o.get("input"), o.get("error", {}).get("code")) for o in out] == [
        (1, "tokenpocket-help.com", None),  # the wildcard and the plain name: answered once
        (3, "not json {", "invalid_ct_entry"),
        (4, '{"names": "tokenpabket.com"}', "invalid_ct_entry"),
        (5, "tpwallet-kefu.com", None),
    ]
    assert "screened 5 names from 5 lines" in err and "2 bad lines" in err


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_keep_the_order_of_the_input(settings_env, capsys, tmp_path, monkeypatch, workers):
    import verifier.cli.screen as screen

    monkeypatch.setattr(screen, "CHUNK", 7)  # many chunks, so several are in flight at once
    names = [f"plain{i}.com" if i % 5 else f"tokenpocket-{i}-support.com" for i in range(300)]
    feed = tmp_path / "feed.txt"
    feed.write_text("\n".join(names) + "\n", encoding="utf-8")
    code, one, err_one = _screen(capsys, "--all", str(feed))
    code_n, many, err_many = _screen(capsys, "--all", "--workers", str(workers), str(feed))
    assert code == code_n == 0
    assert [o["input"] for o in many] == names and many == one
    assert err_one.split(" in ")[0] == err_many.split(" in ")[0]
    assert "60 hits" in err_many


def test_reads_standard_input_and_refuses_bad_usage(settings_env, capsys, monkeypatch, tmp_path):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"tokenpabket.com\nexample.com\n")))
    code, out, _ = _screen(capsys, "-")
    assert code == 0 and [o["input"] for o in out] == ["tokenpabket.com"]
    assert main(["screen", "--workers", "0", "-"]) == 2
    assert main(["screen", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_terminal_gets_a_progress_bar(settings_env, capsys, monkeypatch, tmp_path):
    import verifier.cli.screen as screen

    seen = []

    class Recorder:
        def __init__(self, total):
            seen.append("start")

        def __call__(self, stats):
            seen.append(stats.names)

        def stop(self):
            seen.append("stop")

    monkeypatch.setattr(screen, "_Progress", Recorder)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    feed = tmp_path / "feed.txt"
    feed.write_text("example.com\ntokenpabket.com\n", encoding="utf-8")
    assert main(["screen", str(feed)]) == 0
    assert seen == ["start", 2, "stop"]
    assert "screened 2 names" in capsys.readouterr().err
    seen.clear()
    assert main(["screen", "--quiet", str(feed)]) == 0
    assert seen == [] and capsys.readouterr().err == ""


def test_the_real_progress_bar_runs(capsys):
    from verifier.cli.screen import Stats, _Progress

    bar = _Progress(None)
    stats = Stats(names=5)
    stats.verdicts["impersonation"] = 1
    bar(stats)
    bar.stop()
    assert bar.bar.tasks[0].fields["hits"] == 1


def test_lazy_parser_stand_ins_match_the_real_ones():
    """`verifier --help` lists `registry` without importing it, and reports' statuses are
    written out for the parser: both must stay what the real modules say."""
    import argparse

    from verifier.cli.registry import add_registry_parser
    from verifier.state.reports import STATUSES

    sub = argparse.ArgumentParser().add_subparsers()
    add_registry_parser(sub)
    assert sub._choices_actions[0].help == REGISTRY_HELP
    parser = argparse.ArgumentParser()
    from verifier.cli.reports import add_reports_parser

    add_reports_parser(parser.add_subparsers())
    args = parser.parse_args(["reports", "list", "--status", STATUSES[-1]])
    assert args.status == STATUSES[-1]
    for status in STATUSES:
        parser.parse_args(["reports", "list", "--status", status])
