"""Victims' reports (issue 6): the API and the result page's form in both languages, CSRF
refusal, caps, duplicate folding, confirm → ``reported_confirmed`` through the API and the CLI,
the registry never overridden, and the export accepted by the registry schema."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given
from hypothesis import settings as h_settings
from hypothesis import strategies as st

from verifier.state import reports
from verifier.cli.main import main
from verifier.errors import InvalidInputError
from verifier.config import Settings
from verifier.registry.schema import parse_registry
from verifier.state.store import open_shared
from verifier.web import create_app

API = "/api/v1"
FAKE = "https://tokenpocket-airdrop-claim.top/connect"
FAKE_HOST = "tokenpocket-airdrop-claim.top"


@pytest.fixture
def settings(settings_env, shared_db, monkeypatch):
    """Every test here runs twice: reports in the node's SQLite file, and in a shared PostgreSQL."""
    # Rate limits are another part of issue 6: generous here, so these tests see only reports.
    monkeypatch.setenv("VERIFIER_RATELIMIT_ANON", "100000/minute")
    settings = Settings.from_env()
    assert settings.shared_database == shared_db
    return settings


@pytest.fixture
def app(settings):
    return create_app({"SETTINGS": settings, "TESTING": True, "REPORTS_REFRESH_SECONDS": 0})


@pytest.fixture
def client(app):
    return app.test_client()


def post_report(client, **body):
    body.setdefault("what_happened", "A 'support agent' sent me this link in a DM and asked for my seed phrase.")
    return client.post(f"{API}/reports", json=body)


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the API -------------------------------------------------------------------------------------


def test_report_is_stored_with_its_check(client, settings):
    response = post_report(client, channel=FAKE, happened_at="2026-05-01", contact="victim@example.org", lang="zh")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"id", "status", "duplicate", "check"}
    assert body["status"] == "open" and body["duplicate"] is False
    assert body["check"]["normalized"] == FAKE_HOST and body["check"]["verdict"] != "official"
    assert "冒充" in body["check"]["advice"] or body["check"]["advice"]  # rendered in zh
    stored = reports.ReportBook(settings.shared_database).get(body["id"])
    assert (stored.channel, stored.kind, stored.normalized, stored.platform) == (FAKE, "domain", FAKE_HOST, None)
    assert stored.contact == "victim@example.org" and stored.happened_at == "2026-05-01"
    assert stored.verdict == body["check"]["verdict"] and stored.reasons == tuple(r["code"] for r in body["check"]["reasons"])


def test_duplicates_are_folded_by_normalised_channel(client, settings):
    first = post_report(client, channel=FAKE).get_json()
    again = post_report(client, channel="TOKENPOCKET-AIRDROP-CLAIM.TOP").get_json()
    third = post_report(client, channel=f"http://{FAKE_HOST}/other/path?x=1").get_json()
    assert again["id"] == third["id"] == first["id"]
    assert (again["duplicate"], third["duplicate"]) == (True, True)
    assert reports.ReportBook(settings.shared_database).get(first["id"]).duplicate_count == 2
    other = post_report(client, channel="t.me/tokenpocket_helpdesk_bot").get_json()
    assert other["id"] != first["id"] and other["duplicate"] is False


@pytest.mark.parametrize("body, status, code", [
    ({"channel": "!!!"}, 422, "unrecognised_input"),
    ({"channel": ""}, 422, "empty_input"),
    ({"channel": "x" * 5000}, 422, "input_too_long"),
    ({"channel": FAKE, "what_happened": "y" * 2001}, 422, "field_too_long"),
    ({"channel": FAKE, "what_happened": "   "}, 422, "invalid_field"),
    ({"channel": FAKE, "happened_at": "z" * 41}, 422, "field_too_long"),
    ({"channel": FAKE, "contact": "c" * 201}, 422, "field_too_long"),
    ({"channel": FAKE, "ip": "1.2.3.4"}, 422, "unknown_field"),
    ({"channel": FAKE, "status": "confirmed"}, 422, "unknown_field"),
    ({"what_happened": "no channel"}, 422, "missing_field"),
])
def test_bad_reports_are_refused_and_nothing_is_stored(client, settings, body, status, code):
    response = post_report(client, **body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["code"] == code
    assert reports.ReportBook(settings.shared_database).list() == []


def test_oversized_body_is_413(client):
    response = client.post(f"{API}/reports", data=b'{"channel": "' + b"a" * 300_000 + b'"}', content_type="application/json")
    assert response.status_code == 413


def test_form_encoded_api_post_is_415(client):
    response = client.post(f"{API}/reports", data={"channel": FAKE, "what_happened": "x"})
    assert response.status_code == 415


def test_sql_text_is_stored_verbatim(client, settings):
    nasty = "'; DROP TABLE reports; --"
    body = post_report(client, channel=FAKE, what_happened=nasty, contact=nasty).get_json()
    assert reports.ReportBook(settings.shared_database).get(body["id"]).what_happened == nasty


def test_a_nul_in_the_channel_is_stored_without_it(client, settings):
    response = post_report(client, channel="tokenpocket-airdrop\x00-claim.top")
    assert response.status_code == 201, response.get_data(as_text=True)
    stored = reports.ReportBook(settings.shared_database).get(response.get_json()["id"])
    assert (stored.channel, stored.normalized) == ("tokenpocket-airdrop-claim.top", FAKE_HOST)


# --- the form on the result page -----------------------------------------------------------------


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize("lang, thanks", [("en", "Thank you"), ("zh", "谢谢")])
def test_result_page_form_submits_and_thanks_in_both_languages(client, settings, lang, thanks):
    page = soup(client.get(f"/check?input={FAKE_HOST}&lang={lang}"))
    form = page.select_one("form.report-form")
    assert form is not None and form["method"] == "post"
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    assert fields["channel"] == FAKE_HOST
    fields.update(what_happened="他们说是官方客服" if lang == "zh" else "They said they were support", happened_at="yesterday")
    response = client.post(form["action"], data=fields, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200
    done = soup(response)
    assert thanks in done.h1.get_text()
    report_id = done.select_one("#report-id").get_text()
    assert reports.ReportBook(settings.shared_database).get(report_id).what_happened == fields["what_happened"]
    again = soup(client.post(form["action"], data=fields, headers={"Origin": "http://localhost"}))
    assert again.select_one("#report-id").get_text() == report_id and again.select_one("#report-duplicate")


def test_official_result_has_no_form(client):
    assert soup(client.get("/check?input=https://tokenpocket.pro/&lang=en")).select_one("form.report-form") is None


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cross_site_form_posts_are_refused(client, settings, headers, lang):
    response = client.post(f"/report?lang={lang}", data={"channel": FAKE, "what_happened": "x"}, headers=headers)
    assert response.status_code == 403
    assert ("未被接受" if lang == "zh" else "not accepted") in response.get_data(as_text=True)
    assert reports.ReportBook(settings.shared_database).list() == []


def test_form_with_bad_channel_is_a_422_page(client):
    response = client.post("/report?lang=en", data={"channel": "!!!", "what_happened": "x"})
    assert response.status_code == 422
    assert soup(response).select_one("#report-error")["data-code"] == "unrecognised_input"


# --- review: confirm, reject, export ---------------------------------------------------------------


def test_confirm_makes_the_next_check_reported_confirmed(client, settings, capsys, tmp_path):
    report_id = post_report(client, channel=FAKE).get_json()["id"]
    before = client.post(f"{API}/check", json={"input": FAKE_HOST}).get_json()
    assert "reported_confirmed" not in [r["code"] for r in before["reasons"]]

    code, out, _ = cli(capsys, "reports", "confirm", report_id, "--note", "drainer kit, seen by 3 victims")
    assert code == 0 and "confirmed" in out

    for lang in ("en", "zh"):
        after = client.post(f"{API}/check", json={"input": f"https://{FAKE_HOST}/x", "lang": lang}).get_json()
        assert after["verdict"] == "impersonation" and after["risk"] == 100
        assert after["reasons"][0]["code"] == "reported_confirmed"
    code, out, _ = cli(capsys, "check", "--json", FAKE_HOST)
    assert json.loads(out)["reasons"][0]["code"] == "reported_confirmed"
    page = soup(client.get(f"/check?input={FAKE_HOST}&lang=zh"))
    assert page.select_one('[data-code="reported_confirmed"]')

    # a confirmed fake inside a pasted message is named there too (API and CLI)
    message = f"TP钱包客服：请打开 https://{FAKE_HOST}/claim 领取"
    scanned = client.post(f"{API}/scan", json={"text": message}).get_json()
    assert [r["code"] for i in scanned["items"] for r in i["reasons"]][:1] == ["reported_confirmed"]
    (tmp_path / "message.txt").write_text(message, encoding="utf-8")
    code, out, _ = cli(capsys, "scan", "--json", str(tmp_path / "message.txt"))
    assert code == 0 and json.loads(out)["items"][0]["reasons"][0]["code"] == "reported_confirmed"

    # a new report of a confirmed channel is folded into it
    again = post_report(client, channel=FAKE_HOST).get_json()
    assert again == {**again, "id": report_id, "status": "confirmed", "duplicate": True}


def test_reject_keeps_the_verdict(client, capsys):
    report_id = post_report(client, channel=FAKE).get_json()["id"]
    assert cli(capsys, "reports", "reject", report_id, "--note", "a test site")[0] == 0
    after = client.post(f"{API}/check", json={"input": FAKE_HOST}).get_json()
    assert "reported_confirmed" not in [r["code"] for r in after["reasons"]]
    assert post_report(client, channel=FAKE).get_json()["id"] != report_id  # rejected: a new report


@pytest.mark.parametrize("official", ["https://tokenpocket.pro/", "help.tokenpocket.pro", "service@tokenpocket.pro"])
def test_an_official_channel_cannot_be_confirmed(client, capsys, official):
    body = post_report(client, channel=official).get_json()
    assert body["check"]["verdict"] == "official"
    code, _, err = cli(capsys, "reports", "confirm", body["id"])
    assert code == 1 and "official_channel_report" in err and "never override" in err
    code, out, _ = cli(capsys, "reports", "show", body["id"])
    assert json.loads(out)["status"] == "open"


def test_a_tampered_database_still_cannot_override_the_registry(client, settings):
    body = post_report(client, channel="tokenpocket.pro").get_json()
    with open_shared(settings.shared_database) as store, store.transaction():  # forced, behind the CLI's back
        store.execute("UPDATE reports SET status = 'confirmed' WHERE id = ?", (body["id"],))
        store.execute("UPDATE reports_version SET version = version + 1")
    assert client.post(f"{API}/check", json={"input": "tokenpocket.pro"}).get_json()["verdict"] == "official"


def test_unknown_report_id(capsys, settings):
    code, _, err = cli(capsys, "reports", "show", "nosuchid")
    assert code == 1 and "report_not_found" in err


def test_list_filters_and_json(client, capsys):
    a = post_report(client, channel=FAKE).get_json()["id"]
    b = post_report(client, channel="telegram:tokenpocket_refund_desk").get_json()["id"]
    cli(capsys, "reports", "reject", b)
    code, out, _ = cli(capsys, "reports", "list", "--status", "open")
    assert code == 0 and a in out and b not in out
    code, out, _ = cli(capsys, "reports", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["id"]: r["status"] for r in rows} == {a: "open", b: "rejected"}


def test_export_passes_the_registry_schema(client, capsys, today_doc):
    ids = [
        post_report(client, channel=FAKE).get_json()["id"],
        post_report(client, channel="https://t.me/TokenPocket_Refund_Desk").get_json()["id"],
        post_report(client, channel="kefu.tokenpocket@gmail.com").get_json()["id"],
        post_report(client, channel="+1 415 555 0100").get_json()["id"],
    ]
    open_one = post_report(client, channel="tp-wallet-airdrop.example").get_json()["id"]
    for report_id in ids:
        assert cli(capsys, "reports", "confirm", report_id)[0] == 0
    with pytest.raises(SystemExit) as usage:
        cli(capsys, "reports", "export")
    assert usage.value.code == 2 and "--evidence" in capsys.readouterr().err
    code, _, err = cli(capsys, "reports", "export", "--evidence", "http://not-https.example/")
    assert code == 2 and "invalid_field" in err
    code, out, _ = cli(capsys, "reports", "export", "--evidence", "https://github.com/tokenpocket/reports/1")
    entries = json.loads(out)
    assert len(entries) == 4 and open_one not in out
    assert {e["kind"] for e in entries} == {"domain", "handle", "email", "phone"}
    handle = next(e for e in entries if e["kind"] == "handle")
    assert handle["platform"] == "telegram"
    assert all(set(e) <= {"kind", "value", "platform", "first_seen", "evidence", "note"} for e in entries)
    doc = json.loads(json.dumps(today_doc))
    doc["impersonations"] = doc["impersonations"] + entries
    registry = parse_registry(doc)
    assert len(registry.impersonations) == len(today_doc["impersonations"]) + 4
    # once signed into the registry, the same inputs are known fakes by the registry itself
    from verifier.check import Verifier

    core = Verifier(registry)
    assert core.check(FAKE_HOST).reasons[0].code == "known_impersonation"
    assert core.check("telegram:tokenpocket_refund_desk").reasons[0].code == "known_impersonation"


def test_confirmed_set_refreshes_on_the_version_row_only(settings):
    book = reports.ReportBook(settings.shared_database)
    from verifier.serving.runtime import open_verifier

    verifier = open_verifier(settings).verifier
    confirmed = reports.ConfirmedReports(book, refresh_seconds=3600)
    first = confirmed.version()
    submitted = book.submit(verifier, channel=FAKE, what_happened="x", now=verifier.clock())
    book.decide(submitted.report.id, "confirmed", verifier=verifier, note=None, now=verifier.clock())
    assert confirmed.version() == first  # within refresh_seconds: the cached set
    confirmed.refresh_seconds = 0
    confirmed._next = 0
    assert confirmed.version() == first + 1
    assert confirmed.find(("domain", None, FAKE_HOST)) == submitted.report.created_at[:10]


def test_prune_deletes_old_rejected_reports_and_old_confirmed_ones_lose_the_victims_words(settings, capsys):
    from datetime import timedelta

    from verifier.serving.runtime import open_verifier

    book = reports.ReportBook(settings.shared_database)
    verifier = open_verifier(settings).verifier
    now = verifier.clock()
    long_ago = now - timedelta(days=40)

    def submit(channel: str):
        return book.submit(verifier, channel=channel, what_happened="he asked for my seed phrase",
                           contact="victim@example.org", now=long_ago).report.id

    old_confirmed, old_rejected, still_open, new_rejected = (
        submit(FAKE), submit("tp-refund-desk.top"), submit("tp-kefu-open.top"), submit("tp-kefu-recent.top"))
    book.decide(old_confirmed, "confirmed", verifier=verifier, note="drainer", now=long_ago)
    book.decide(old_rejected, "rejected", verifier=verifier, note=None, now=long_ago)
    book.decide(new_rejected, "rejected", verifier=verifier, note=None, now=now)
    version_before, confirmed_before = book.confirmed()

    code, out, _ = cli(capsys, "reports", "prune", "--days", "30")
    assert code == 0 and "deleted 1 rejected" in out and "from 1 confirmed" in out
    left = {r.id: r for r in book.list()}
    assert set(left) == {old_confirmed, still_open, new_rejected}
    kept = left[old_confirmed]
    assert (kept.what_happened, kept.contact) == ("", None)
    assert (kept.status, kept.normalized, kept.note) == ("confirmed", FAKE_HOST, "drainer")
    assert left[still_open].what_happened == left[new_rejected].what_happened == "he asked for my seed phrase"
    assert book.confirmed() == (version_before, confirmed_before)  # what checks answer is unchanged
    code, out, _ = cli(capsys, "reports", "prune", "--days", "30")  # again: nothing left to do
    assert code == 0 and "deleted 0 rejected" in out and "from 0 confirmed" in out
    code, _, err = cli(capsys, "reports", "prune", "--days", "0")
    assert code == 2 and "invalid_field" in err


def test_a_failing_store_keeps_the_confirmed_set_and_backs_off():
    from verifier.errors import StateError

    class FlakyBook:
        calls = 0
        down = False

        def version(self):
            self.calls += 1
            if self.down:
                raise StateError("database down")
            return 1

        def confirmed(self):
            return 1, {("domain", None, FAKE_HOST): "2026-11-01"}

    book = FlakyBook()
    confirmed = reports.ConfirmedReports(book, refresh_seconds=0)
    assert confirmed.version() == 1 and confirmed.find(("domain", None, FAKE_HOST)) == "2026-11-01"
    book.down = True
    calls = book.calls
    for _ in range(5):
        assert confirmed.version() == 1  # the last set answers
    assert book.calls == calls + 1  # tried once, then waits FAILURE_BACKOFF_SECONDS
    assert confirmed.find(("domain", None, FAKE_HOST)) == "2026-11-01"


def test_the_reports_migration_is_recorded(settings):
    with open_shared(settings.shared_database) as store:
        assert "reports" in {name for _, name in store.migrations()}
        if not settings.database_url:
            assert store.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_report_form_has_its_own_limit(settings_env, monkeypatch):
    """VERIFIER_RATELIMIT_REPORT_FORM, not the API's window: a shared NAT's API calls use up the
    API limit, and a victim behind it still sends a first report; the form's own bucket holds."""
    monkeypatch.setenv("VERIFIER_RATELIMIT_ANON", "3/minute")
    monkeypatch.setenv("VERIFIER_RATELIMIT_REPORT_FORM", "3/minute")
    from verifier.config import Settings

    app = create_app({"SETTINGS": Settings.from_env(), "TESTING": True, "REPORTS_REFRESH_SECONDS": 0})
    client = app.test_client()
    api = [client.get(f"/api/v1/check?input={FAKE_HOST}").status_code for _ in range(4)]
    assert api == [200, 200, 200, 429]  # the address's API window is used up
    data = {"channel": FAKE_HOST, "what_happened": "asked for my seed phrase"}
    headers = {"Sec-Fetch-Site": "same-origin"}
    responses = [client.post("/report", data=data, headers=headers) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert client.get(f"/api/v1/check?input={FAKE_HOST}").status_code == 429  # the form never refilled it
    limited = responses[-1]
    assert limited.mimetype == "text/html" and int(limited.headers["Retry-After"]) >= 1
    assert "try again in" in limited.get_data(as_text=True)
    # pages themselves are not limited: a frightened person can always read the answers
    assert client.get(f"/check?input={FAKE_HOST}").status_code == 200


# --- any text, either store ------------------------------------------------------------------------


@pytest.fixture
def book_and_verifier(settings):
    from verifier.serving.runtime import open_verifier

    return reports.ReportBook(settings.shared_database), open_verifier(settings).verifier


_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=60) | st.sampled_from(
    ["tokenpocket-kefu.top", "t.me/TokenPocket_Help\x00", "\ud800x", "a\x00b", "  ", "客服 tpwallet-support.com"]
)


@given(channel=_ANY_TEXT, what=_ANY_TEXT, contact=st.none() | _ANY_TEXT)
@h_settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_is_kept_exactly_or_refused_with_a_clear_code(book_and_verifier, channel, what, contact):
    """SQLite and PostgreSQL alike: what a victim typed comes back as typed (trimmed), or the
    submission is refused with an input error; never a database error (PostgreSQL text holds
    no NUL and no lone surrogate, SQLite holds both)."""
    book, verifier = book_and_verifier
    try:
        submitted = book.submit(verifier, channel=channel, what_happened=what, contact=contact, now=verifier.clock())
    except InvalidInputError as err:  # a 422 with its own documented code; anything else fails the test
        assert err.status == 422 and err.code
        return
    stored = book.get(submitted.report.id)
    if not submitted.duplicate:
        assert stored.what_happened == what.strip()
        assert stored.contact == ((contact or "").strip() or None)
        assert stored.channel == channel.replace("\x00", "")


@pytest.mark.parametrize("body", [
    '{"channel": "tokenpocket-kefu.top\\u0000", "what_happened": "x"}',
    '{"channel": "t.me/tp_help", "platform": "telegram\\u0000", "what_happened": "x"}',
    '{"channel": "tp-kefu.top", "what_happened": "seed\\u0000phrase"}',
    '{"channel": "tp-kefu.top", "what_happened": "x", "contact": "\\u0000"}',
    '{"channel": "tp-kefu.top", "what_happened": "x", "happened_at": "\\ud800"}',
    '{"channel": "\\u0000\\u0000", "what_happened": "x"}',
])
def test_text_a_database_cannot_hold_is_never_a_5xx(client, body):
    response = client.post(f"{API}/reports", data=body.encode(), content_type="application/json")
    assert response.status_code in (201, 400, 422), response.get_data(as_text=True)


def test_backup_while_reports_arrive_is_a_consistent_copy(settings_env, capsys, tmp_path, monkeypatch):
    """`verifier db backup FILE`: SQLite's online backup, taken while another thread keeps
    writing reports: the copy opens, passes the integrity check and holds whole reports."""
    import sqlite3
    import threading

    from verifier.serving.runtime import open_verifier

    settings = settings_env
    book = reports.ReportBook(settings.database_path)
    verifier = open_verifier(settings).verifier
    book.submit(verifier, channel=FAKE, what_happened="first", now=verifier.clock())
    stop = threading.Event()

    def keep_reporting() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            book.submit(verifier, channel=f"tp-refund-{n}.top", what_happened=f"report {n}", now=verifier.clock())

    writer = threading.Thread(target=keep_reporting)
    writer.start()
    try:
        code, out, _ = cli(capsys, "db", "backup", str(tmp_path / "backups" / "verifier.sqlite3"))
    finally:
        stop.set()
        writer.join(30)
    assert code == 0 and "integrity ok" in out
    with sqlite3.connect(tmp_path / "backups" / "verifier.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = copy.execute("SELECT channel, what_happened FROM reports ORDER BY created_at").fetchall()
    assert rows[0] == (FAKE, "first") and all(what.startswith("report ") for _, what in rows[1:])
    code, _, err = cli(capsys, "db", "backup", str(tmp_path / "backups" / "verifier.sqlite3"))
    assert code == 1 and "backup_exists" in err  # never over an earlier backup
    monkeypatch.setenv("VERIFIER_DATABASE_URL", "postgresql://verifier@db.internal/verifier")
    code, out, _ = cli(capsys, "db", "backup", str(tmp_path / "backups" / "registry-floor.sqlite3"))
    assert code == 0 and "pg_dump" in out  # the node's file; the shared tables are PostgreSQL's to back up


# --- where a report stands: GET /api/v1/reports/<id> and /report/<id> ---------------------------------


def test_a_report_can_be_followed_by_its_id_without_showing_what_anyone_wrote(client, capsys):
    made = post_report(client, channel=FAKE, contact="victim@example.org",
                       what_happened="they asked for my 12 words").get_json()
    folded = post_report(client, channel=FAKE_HOST.upper()).get_json()
    assert folded["id"] == made["id"]
    response = client.get(f"{API}/reports/{made['id']}")
    assert response.status_code == 200
    status = response.get_json()
    assert status == {"id": made["id"], "status": "open", "kind": "domain", "value": FAKE_HOST, "platform": None,
                      "created_at": status["created_at"], "decided_at": None, "reports": 2}
    assert "12 words" not in response.get_data(as_text=True) and "victim@" not in response.get_data(as_text=True)

    cli(capsys, "reports", "confirm", made["id"], "--note", "internal reviewer note")
    status = client.get(f"{API}/reports/{made['id']}").get_json()
    assert status["status"] == "confirmed" and status["decided_at"]
    page = client.get(f"/report/{made['id']}?lang=zh")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = soup(page)
    assert html.select_one("[data-status]")["data-status"] == "confirmed"
    assert "已确认是假冒渠道" in html.select_one("#report-status").text
    assert "2" in html.select_one("#report-count").text
    assert "internal reviewer note" not in page.get_data(as_text=True)
    english = soup(client.get(f"/report/{made['id']}?lang=en"))
    assert "Confirmed as a fake" in english.select_one("#report-status").text


@pytest.mark.parametrize("report_id", ["nosuchid00", "zzzzzzzzzz", "0000000000", "x" * 500, "%00", "ab/cd"])
def test_an_unknown_report_id_is_a_404(client, report_id):
    response = client.get(f"{API}/reports/{report_id}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] in ("report_not_found", "not_found")
    page = client.get(f"/report/{report_id}?lang=en")
    assert page.status_code == 404


def test_the_thanks_page_links_to_the_reports_status(client):
    response = client.post("/report?lang=en", data={"channel": FAKE_HOST, "what_happened": "asked for my seed"},
                           headers={"Sec-Fetch-Site": "same-origin"})
    report_id = soup(response).select_one("#report-id").text.strip()
    link = soup(response).select_one("#report-status-link")["href"]
    assert link.endswith(f"/report/{report_id}")
    assert "Under review" in soup(client.get(link + "?lang=en")).select_one("#report-status").text
