"""The e-mail check (verifier/mailauth.py): who really sent a message, verified with DKIM.

Test mail is signed here with generated keys (RSA 2048 and Ed25519) for the test registry's
official mail domain; the keys and DMARC records are served by a DNS server on loopback
(tests/mail_fixtures.py). Real cases side by side: genuine, changed, unsigned, signed by
another domain, lookalike senders, DNS down, headers only; then the rest of the message,
the limits, the CLI and the API.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from datetime import timedelta

import dkim
import pytest

from mail_fixtures import MAIL_DOMAIN, OFFICIAL_ADDRESS, LoopbackDNS, dead_port, ed25519_key, mail, rsa_key, sign
from verifier import mailauth
from verifier.check import Verifier
from verifier.cli.main import main
from verifier.errors import InvalidInputError
from verifier.deep.mail_dns import Resolver
from verifier.mailauth import parse_nameservers
from verifier.registry.schema import parse_registry

STRICT_DOMAIN = "tp-strict-mail.org"  # a second official mail domain whose DMARC record says adkim=s
BODY = "Hello,\nyour TokenPocket account is fine. Help centre: https://help.tokenpocket.pro\n"


def add_mail_domains(doc: dict) -> dict:
    """A copy of a registry document whose official mail domains include the test domains."""
    doc = json.loads(json.dumps(doc))
    for domain in (MAIL_DOMAIN, STRICT_DOMAIN):
        doc["channels"].append({"id": "mail-" + domain.replace(".", "-"), "kind": "domain", "value": domain, "status": "active",
                                "evidence": "https://example.org/test", "include_subdomains": True,
                                "label": {"en": "Test mail domain", "zh": "测试邮件域名"}})
    doc["channels"].append({"id": "mail-test-service", "kind": "email", "value": OFFICIAL_ADDRESS, "status": "active",
                            "evidence": "https://example.org/test", "label": {"en": "Test support email", "zh": "测试客服邮箱"}})
    return doc


class Keys:
    def __init__(self) -> None:
        self.rsa = rsa_key("s2026", MAIL_DOMAIN)
        self.ed = ed25519_key("ed2026", MAIL_DOMAIN)
        self.gmail = rsa_key("gm1", "gmail.com")
        self.strict = rsa_key("st1", STRICT_DOMAIN)
        self.revoked = rsa_key("old2019", MAIL_DOMAIN)
        self.unpublished = rsa_key("nokey", MAIL_DOMAIN)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@pytest.fixture(scope="module")
def dns_server(keys):
    server = LoopbackDNS({
        keys.rsa.name: [keys.rsa.record], keys.ed.name: [keys.ed.record], keys.gmail.name: [keys.gmail.record],
        keys.strict.name: [keys.strict.record], keys.revoked.name: ["v=DKIM1; k=rsa; p="],
        f"_dmarc.{MAIL_DOMAIN}": ["v=DMARC1; p=reject; adkim=r"],
        f"_dmarc.{STRICT_DOMAIN}": ["v=DMARC1; p=reject; adkim=s"],
    })
    yield server
    server.close()


@pytest.fixture(scope="module")
def verifier(shipped_doc) -> Verifier:
    registry = parse_registry(add_mail_domains(shipped_doc), path="test")
    return Verifier(registry, clock=lambda: registry.issued_at + timedelta(days=1))


@pytest.fixture(scope="module")
def lookup(dns_server):
    return Resolver((dns_server.address,), timeout=0.5, lifetime=1.0)


def official(body: str = BODY, **kw) -> bytes:
    return mail(sender=f"TokenPocket <{OFFICIAL_ADDRESS}>", body=body, **kw)


def codes(result: mailauth.EmailResult) -> set[str]:
    return set(result.reason_codes)


# (name, build(keys) -> message, verdict, reason codes that must be among the reasons)
CASES = [
    ("rsa signed, untouched", lambda k: sign(official(), k.rsa), "official_sender", {"dkim_pass"}),
    ("ed25519 signed, untouched", lambda k: sign(official(), k.ed), "official_sender", {"dkim_pass"}),
    ("signed by both, untouched", lambda k: sign(sign(official(), k.rsa), k.ed), "official_sender", {"dkim_pass"}),
    ("at the official domain, not a listed address",
     lambda k: sign(mail(sender=f"news@{MAIL_DOMAIN}", body=BODY), k.rsa), "official_sender",
     {"dkim_pass", "unlisted_address_official_domain"}),
    ("relaxed alignment: From a subdomain, d= the domain",
     lambda k: sign(mail(sender=f"notice@news.{MAIL_DOMAIN}", body=BODY), k.rsa), "official_sender", {"dkim_pass"}),
    ("body changed after signing",
     lambda k: sign(official(), k.rsa).replace(b"account is fine", b"account is FROZEN, send your seed phrase"),
     "forged", {"forged_official_sender", "dkim_body_hash_mismatch"}),
    ("subject changed after signing",
     lambda k: sign(official(), k.rsa).replace(b"Subject: TokenPocket security notice", b"Subject: Urgent: verify now"),
     "forged", {"forged_official_sender", "dkim_signature_mismatch"}),
    ("unsigned, claiming the official address", lambda k: official(), "forged",
     {"forged_official_sender", "no_dkim_signature"}),
    ("validly signed by gmail.com, claiming the official address", lambda k: sign(official(), k.gmail), "forged",
     {"forged_official_sender", "dkim_not_aligned"}),
    ("signed with a selector that has no key", lambda k: sign(official(), k.unpublished), "forged",
     {"dkim_key_not_found"}),
    ("signed with a revoked key", lambda k: sign(official(), k.revoked), "forged", {"dkim_key_revoked"}),
    ("strict DMARC: a subdomain's mail signed by the parent",
     lambda k: sign(mail(sender=f"notice@news.{STRICT_DOMAIN}", body=BODY), k.strict), "forged", {"dkim_not_aligned"}),
    ("strict DMARC: the exact domain", lambda k: sign(mail(sender=f"service@{STRICT_DOMAIN}", body=BODY), k.strict),
     "official_sender", {"dkim_pass"}),
    ("l= signs only a prefix of the body",
     lambda k: dkim.sign(official(), k.rsa.selector.encode(), MAIL_DOMAIN.encode(), k.rsa.private, length=True,
                         include_headers=[b"from", b"subject"]) + official() + b"Appended: send 1 ETH\r\n",
     "forged", {"dkim_partial_body"}),
    ("two From fields, one signed", lambda k: b"From: Scam <scam@evil.example>\r\n" + sign(official(), k.rsa), "forged",
     {"multiple_from"}),
    ("display name 'TokenPocket 客服' over a gmail address",
     lambda k: mail(sender="TokenPocket 客服 <tp.helpdesk2026@gmail.com>", body="请回复您的助记词以完成验证。"),
     "impersonation", {"display_name_spoof"}),
    ("display name 'TokenPocket 客服' over gmail, signed by gmail",
     lambda k: sign(mail(sender="TokenPocket 客服 <tp.helpdesk2026@gmail.com>", body="hi"), k.gmail),
     "impersonation", {"display_name_spoof"}),
    ("the official address written as the display name",
     lambda k: mail(sender=f'"{OFFICIAL_ADDRESS}" <support@evil.example>', body="hi"), "forged",
     {"forged_official_name", "display_name_spoof"}),
    ("a lookalike sender domain", lambda k: mail(sender="service@tokenpocket-support.com", body="hi"), "impersonation",
     {"brand_combosquat"}),
    ("an ordinary sender, nothing about TokenPocket", lambda k: mail(sender="Alice <alice@example.com>", body="Lunch?"),
     "not_official", {"sender_not_tokenpocket"}),
    ("an ordinary sender with a seed-phrase script in the body",
     lambda k: mail(sender="Alice <alice@example.com>",
                    body="我是TP钱包官方客服，您的钱包已被冻结，请立即提供助记词完成验证。"), "impersonation", {"message_scam_signs"}),
]


@pytest.mark.parametrize(("name", "build", "verdict", "expected"), CASES, ids=[c[0] for c in CASES])
def test_who_sent_it(verifier, lookup, keys, name, build, verdict, expected):
    result = mailauth.analyse(build(keys), verifier, lookup)
    assert result.verdict == verdict, (result.verdict, result.reason_codes)
    assert expected <= codes(result), result.reason_codes
    if verdict != "official_sender":
        assert "dkim_pass" not in codes(result)


def test_the_reasons_name_the_signature_and_read_in_both_languages(verifier, lookup, keys):
    changed = sign(official(), keys.rsa).replace(b"account is fine", b"account is FROZEN")
    result = mailauth.analyse(changed, verifier, lookup)
    en, zh = result.to_dict("en"), result.to_dict("zh")
    (sig,) = en["dkim"]
    assert (sig["domain"], sig["selector"], sig["result"], sig["aligned"]) == (MAIL_DOMAIN, "s2026", "fail", True)
    assert "body hash" in sig["reason"]["message"] and MAIL_DOMAIN in sig["reason"]["message"]
    assert "正文哈希" in zh["dkim"][0]["reason"]["message"]
    assert zh["verdict_text"].startswith("伪造") and en["verdict_text"].startswith("Forged")
    assert OFFICIAL_ADDRESS in en["reasons"][0]["message"]


def test_ed25519_is_really_checked(verifier, lookup, keys):
    """PyNaCl is there: an Ed25519 signature passes untouched and fails when the body changes."""
    signed = sign(official(), keys.ed)
    assert b"a=ed25519-sha256" in signed
    assert mailauth.analyse(signed, verifier, lookup).verdict == "official_sender"
    changed = mailauth.analyse(signed.replace(b"is fine", b"is gone"), verifier, lookup)
    assert changed.verdict == "forged" and "dkim_body_hash_mismatch" in codes(changed)


def test_headers_only(verifier, lookup, keys):
    signed = sign(official(), keys.rsa)
    headers = signed.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    result = mailauth.analyse(headers, verifier, lookup)
    assert result.verdict == "official_sender" and result.headers_only and result.body is None
    assert {"dkim_pass", "dkim_headers_only"} <= codes(result)
    assert result.signatures[0].headers_only
    # The headers are still checked: a changed subject in a header block is forged.
    tampered = headers.replace(b"security notice", b"account suspended")
    assert mailauth.analyse(tampered, verifier, lookup).verdict == "forged"
    # An unsigned header block claiming the official address.
    unsigned = official().split(b"\r\n\r\n", 1)[0]
    assert mailauth.analyse(unsigned, verifier, lookup).verdict == "forged"


@pytest.mark.parametrize("down", ["nobody listens", "server drops", "servfail"])
def test_dns_down_is_unverifiable_never_official(verifier, keys, dns_server, down):
    if down == "nobody listens":
        lookup = Resolver((f"127.0.0.1:{dead_port()}",), timeout=0.3, lifetime=0.6)
    else:
        server = LoopbackDNS({keys.rsa.name: [keys.rsa.record]})
        server.mode = "drop" if down == "server drops" else "servfail"
        lookup = Resolver((server.address,), timeout=0.3, lifetime=0.6)
    started = time.monotonic()
    result = mailauth.analyse(sign(official(), keys.rsa), verifier, lookup)
    assert result.verdict == "unverifiable"
    assert {"official_sender_unverifiable", "dkim_dns_unavailable"} <= codes(result)
    assert result.signatures[0].result == "unavailable"
    assert time.monotonic() - started < 3  # one wait for the whole message, not one per lookup
    # Nothing to verify is not "unverifiable": an unsigned claim is forged even with DNS down.
    assert mailauth.analyse(official(), verifier, lookup).verdict == "forged"
    # And a sender that claims nothing stays not_official.
    assert mailauth.analyse(mail(sender="a@example.com", body="hi"), verifier, lookup).verdict == "not_official"


def test_authentication_results_are_shown_not_trusted(verifier, lookup):
    forged = (b"Authentication-Results: mx.example.net; dkim=pass header.d=" + MAIL_DOMAIN.encode()
              + b"; spf=pass; dmarc=pass\r\n" + official())
    result = mailauth.analyse(forged, verifier, lookup)
    assert result.verdict == "forged"
    (said,) = result.receiver_said
    assert said["server"] == "mx.example.net" and said["results"] == {"dkim": "pass", "spf": "pass", "dmarc": "pass"}


def test_the_rest_of_the_message(verifier, lookup, keys):
    html = ('<p>Dear user, <a href="https://tokenpocket-kefu.com/verify">verify here</a> or write to '
            '<a href="mailto:tp.support2026@gmail.com">support</a>, call <a href="tel:+447700900123">us</a>.</p>')
    message = mail(sender=f"TokenPocket <{OFFICIAL_ADDRESS}>", body="Dear user", html=html,
                   extra="Reply-To: TokenPocket <tp.support2026@gmail.com>\r\nReturn-Path: <bounce@mailer.example>\r\n")
    message = message.replace(b"--b0undary--", b"--b0undary\r\nContent-Type: application/zip\r\n"
                              b"Content-Disposition: attachment; filename=\"wallet-fix.zip\"\r\n"
                              b"Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b0undary--")
    result = mailauth.analyse(sign(message, keys.rsa), verifier, lookup)
    assert result.verdict == "official_sender"  # TokenPocket's domain signed it, Reply-To included
    assert {"reply_to_elsewhere", "return_path_elsewhere", "email_attachments", "message_scam_signs"} <= codes(result)
    assert result.reply_to == ("tp.support2026@gmail.com",)
    assert {(link["scheme"], link["target"]) for link in result.contact_links} == {
        ("mailto", "mailto:tp.support2026@gmail.com"), ("tel", "tel:+447700900123")}
    assert result.attachments == ({"filename": "wallet-fix.zip", "content_type": "application/zip", "encoded_size": 8},)
    items = {(i.kind, i.normalized): i.verdict for i in result.body.items}
    assert items[("url", "tokenpocket-kefu.com")] == "impersonation"
    assert items[("email", "tp.support2026@gmail.com")] == "impersonation"


@pytest.mark.parametrize(("message", "code"), [
    (b"", "empty_input"),
    (b"   \r\n\r\n", "empty_input"),
    ("你好，请问 TokenPocket 的客服邮箱是什么？", "not_an_email"),
    (b"Subject: no sender\r\n\r\nhello", "not_an_email"),
    ("From: a@example.com\r\n\r\n" + "x" * mailauth.MAX_BYTES, "input_too_long"),
    (b"From: a@example.com\r\n" + b"X-A: 1\r\n" * (mailauth.MAX_HEADER_FIELDS + 1) + b"\r\nhi", "email_too_complex"),
    ("From: a@example.com\r\n\r\nbad \ud800", "invalid_text"),
])
def test_what_is_not_a_message_is_refused_in_both_languages(verifier, lookup, message, code):
    with pytest.raises(InvalidInputError) as caught:
        mailauth.analyse(message, verifier, lookup)
    assert caught.value.code == code
    zh = mailauth.error_message(caught.value, "zh")
    assert any("\u4e00" <= c <= "\u9fff" for c in zh) and "{" not in zh


def test_many_parts_are_refused_not_walked(verifier, lookup):
    parts = "".join("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(mailauth.MAX_PARTS + 5))
    message = f'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n{parts}--b--\r\n'
    with pytest.raises(InvalidInputError) as caught:
        mailauth.analyse(message, verifier, lookup)
    assert caught.value.code == "email_too_complex"


def test_nameserver_setting():
    assert parse_nameservers(["192.0.2.53", "127.0.0.1:5353", "[::1]:53", "::1"]) == (
        ("192.0.2.53", 53), ("127.0.0.1", 5353), ("::1", 53), ("::1", 53))
    for bad in ("dns.example", "127.0.0.1:0", "127.0.0.1:99999", "[::1]x"):
        with pytest.raises(ValueError):
            parse_nameservers([bad])


def test_the_pure_part_has_no_network():
    """mailauth imports no Flask, socket, HTTP client or DNS library: lookups are injected."""
    import ast
    from pathlib import Path

    import verifier

    tree = ast.parse((Path(verifier.__file__).parent / "mailauth.py").read_text(encoding="utf-8"))
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not names & {"flask", "socket", "requests", "http", "urllib3", "dns", "sqlite3", "subprocess"}
    assert "dkim" in names  # the one library that does the cryptography


# --- the command and the API -------------------------------------------------------------------


@pytest.fixture
def mail_env(tmp_path, shipped_doc, trusted_test_key, monkeypatch, dns_server):
    from conftest import write_signed
    from verifier.registry.schema import format_timestamp
    from datetime import datetime, timezone

    doc = add_mail_domains(shipped_doc)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc["issued_at"] = format_timestamp(now - timedelta(hours=1))
    doc["expires_at"] = format_timestamp(now + timedelta(days=59))
    monkeypatch.setenv("VERIFIER_REGISTRY", str(write_signed(doc, trusted_test_key, tmp_path)))
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VERIFIER_DNS_NAMESERVERS", dns_server.address)
    monkeypatch.delenv("VERIFIER_LANG", raising=False)
    return tmp_path


def test_cli_email(mail_env, keys, capsys):
    path = mail_env / "notice.eml"
    path.write_bytes(sign(official(), keys.rsa))
    assert main(["email", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "official_sender" and out["dkim"][0]["result"] == "pass"
    path.write_bytes(official())
    assert main(["email", "--lang", "zh", str(path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("✘ 伪造") and "[no_dkim_signature]" in text
    path.write_text("just a question about my wallet")
    assert main(["email", "--lang", "zh", str(path)]) == 3
    assert "not_an_email" in capsys.readouterr().err


def test_cli_refuses_a_bad_nameserver_setting(mail_env, monkeypatch, capsys):
    monkeypatch.setenv("VERIFIER_DNS_NAMESERVERS", "dns.example")
    monkeypatch.setattr("sys.stdin", io.StringIO("From: a@example.com\n\nhi"))
    assert main(["email"]) == 1
    assert "VERIFIER_DNS_NAMESERVERS" in capsys.readouterr().err


@pytest.fixture
def client(mail_env):
    from verifier.config import Settings
    from verifier.web import create_app

    app = create_app({"SETTINGS": Settings.from_env()})
    app.testing = True
    return app.test_client(), app


def test_api_email(client, keys):
    http, app = client
    answer = http.post("/api/v1/email", json={"message": sign(official(), keys.rsa).decode(), "lang": "zh"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["verdict"] == "official_sender" and body["from"]["address"] == OFFICIAL_ADDRESS
    assert "签名" in body["reasons"][0]["message"]
    forged = http.post("/api/v1/email", json={"message": sign(official(), keys.gmail).decode()}).get_json()
    assert forged["verdict"] == "forged" and "dkim_not_aligned" in {r["code"] for r in forged["reasons"]}


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"message": "hello there", "lang": "zh"}, 422, "not_an_email"),
    ({"message": "", "lang": "zh"}, 422, "empty_input"),
    ({"message": "From: a@example.com\n\n" + "x" * mailauth.MAX_BYTES}, 422, "input_too_long"),
    ({"message": "From: a@example.com\n\nhi", "verbose": True}, 422, "unknown_field"),
    ({"text": "From: a@example.com\n\nhi"}, 422, "unknown_field"),
    ({"message": 5}, 422, "invalid_field"),
])
def test_api_email_refusals(client, body, status, code):
    http, _ = client
    answer = http.post("/api/v1/email", json=body)
    assert (answer.status_code, answer.get_json()["code"]) == (status, code)
    assert answer.mimetype == "application/problem+json"
    if body.get("lang") == "zh":
        assert any("\u4e00" <= c <= "\u9fff" for c in answer.get_json()["detail"])
        assert any("\u4e00" <= c <= "\u9fff" for c in answer.get_json()["title"])  # the title too


def test_api_email_body_cap(client):
    http, _ = client
    big = json.dumps({"message": "x" * 7 * 1024 * 1024})
    answer = http.post("/api/v1/email", data=big, content_type="application/json")
    assert (answer.status_code, answer.get_json()["code"]) == (413, "too_large")
    # Other routes keep the app's own 256 KiB cap.
    assert http.post("/api/v1/scan", data=json.dumps({"text": "x" * 300_000}), content_type="application/json").status_code == 413


def test_the_check_log_gets_the_domain_and_verdict_only(client, keys, mail_env):
    from verifier.state import checklog

    http, app = client
    secret_body = "my own address is victim-private@example.net"
    http.post("/api/v1/email", json={"message": official(body=secret_body).decode()})
    app.extensions[checklog.EXTENSION].flush()
    rows = sqlite3.connect(mail_env / "var" / "verifier.sqlite3").execute(
        "SELECT source, kind, platform, value, verdict, reasons FROM check_log").fetchall()
    assert rows == [("api", "email_message", None, MAIL_DOMAIN, "forged", "")]


# --- the page ----------------------------------------------------------------------------------


def test_page_paste_and_upload(client, keys):
    http, _ = client
    form = http.get("/email?lang=zh")
    assert form.status_code == 200 and "这封邮件真的来自 TokenPocket 吗？" in form.get_data(as_text=True)
    assert "/email" in http.get("/?lang=zh").get_data(as_text=True)  # the checker links its e-mail mode
    forged = http.post("/email?lang=zh", data={"message": official().decode()})
    page = forged.get_data(as_text=True)
    assert forged.status_code == 200 and 'data-verdict="forged"' in page and "没有任何 DKIM 签名" in page
    from io import BytesIO

    upload = http.post("/email?lang=en", data={"eml": (BytesIO(sign(official(), keys.rsa)), "notice.eml")},
                       content_type="multipart/form-data")
    assert 'data-verdict="official_sender"' in upload.get_data(as_text=True)


@pytest.mark.parametrize(("message", "code", "words"), [
    ("", "empty_input", "内容为空"),
    ("请问这是真的吗", "not_an_email", "这不是一封邮件的原文"),
])
def test_page_refusals_are_kind_and_in_chinese(client, message, code, words):
    http, _ = client
    answer = http.post("/email?lang=zh", data={"message": message})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and f'data-code="{code}"' in page and words in page
