"""Did this e-mail really come from TokenPocket? A whole message in, a verdict on its sender out.

    raw message ─ parse (email, policy.default) ─> From (our own address parser), Reply-To,
                                                   Return-Path, Authentication-Results, parts
                ─ dkimpy, each DKIM-Signature ───> pass / why it failed (keys from ``lookup``)
                ─ DMARC record of the From domain > relaxed or strict alignment
                ─ Verifier.check_item(From) ─────> the existing e-mail detectors
                ─ scan(body text + links) ───────> the body's items and scam signs
                ─ verdict

``analyse(raw, verifier, lookup)`` is what ``verifier email`` and ``POST /api/v1/email``
present; :meth:`EmailResult.to_dict` is their one shape.

Verdicts
--------

* ``official_sender``: the From address is an official address, or at an official domain, of
  the signed registry, and a DKIM signature verifies here whose ``d=`` is aligned with the
  From domain (strict or relaxed, as the domain's ``_dmarc`` record says; relaxed, DMARC's
  default, when there is none).
* ``forged``: the From address, its display name or its quoted local part claims an official
  address or domain, and no aligned signature verifies (unsigned, body changed, key not
  found, signed by another domain ...). Two From fields are always ``forged`` when one
  claims an official domain (clients show one, DKIM may have checked the other).
* ``unverifiable``: the From address is at an official domain, and a signature that could
  align could not be checked because DNS did not answer. Never official.
* ``impersonation``: nothing claims an official domain outright, but the sender is a
  lookalike (the check's own detectors: lookalike domains, display-name spoofs, brand at
  free mail), or the body is a scam script (``scan``'s ``impersonation``).
* ``not_official``: nothing claims TokenPocket.

What a pass proves: the domain in ``d=`` signed these headers and this body (a DKIM pass is
about the content, not about its safety: a real TokenPocket mail can be replayed, and the
signed text is only as honest as its signer). What it does not prove: who pasted it, that
links in it are safe, or that ``Authentication-Results`` fields are true — those are shown as
what a receiving server said (a sender can write them), never used for the verdict.

A pasted block of headers alone (no body) is checked on its headers: a signature whose
headers verify but whose body is absent counts, with the reason ``dkim_headers_only``.

Limits: :data:`MAX_BYTES` of message, :data:`MAX_HEADER_FIELDS` header fields,
:data:`MAX_PARTS` MIME parts, :data:`MAX_SIGNATURES` DKIM signatures verified.

Pure: no Flask, no socket, no disk. DNS goes through the injected ``lookup(name) -> [txt]``
(``[]``: no such record; :class:`DnsUnavailable`: no answer); the real one is
:mod:`verifier.deep.mail_dns`. dkimpy's logger is silenced: the message is never logged.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import ipaddress
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import dkim
import dkim.util

from verifier import scan as scan_module
from verifier.check import Verifier
from verifier.errors import InvalidInputError
from verifier.hostnames import normalize_host
from verifier.inputs import emailaddr
from verifier.model import Item, Reason, Result

MAX_BYTES = 2 * 1024 * 1024
MAX_HEADER_FIELDS = 1000
MAX_PARTS = 200
MAX_SIGNATURES = 8
MAX_ATTACHMENTS = 50
MAX_LINKS = 50
MAX_RECEIVER_RESULTS = 10
MAX_SHOWN = 300  # characters of a header value shown back

VERDICTS = ("official_sender", "forged", "unverifiable", "impersonation", "not_official")
RISK = {"official_sender": 0, "forged": 95, "unverifiable": 60, "impersonation": 85}

VERDICT_TEXT = {
    "official_sender": ("Sent by TokenPocket's mail domain (signature verified)", "确由 TokenPocket 邮件域名发出（签名已验证）"),
    "forged": ("Forged: claims to be TokenPocket, not signed by it", "伪造：自称 TokenPocket，但没有 TokenPocket 的签名"),
    "unverifiable": ("Cannot be verified now (DNS did not answer): treat it as not official",
                     "目前无法验证（DNS 无应答）：请当作非官方邮件"),
    "impersonation": ("Not official: impersonation", "非官方：冒充"),
    "not_official": ("Not from TokenPocket", "不是 TokenPocket 发出的"),
}
ADVICE = {
    "official_sender": (
        "TokenPocket's mail domain signed this message. That proves who sent it, not that it is safe: TokenPocket "
        "never asks for your seed phrase or private key, by mail or anywhere.",
        "这封邮件由 TokenPocket 的邮件域名签名。这只证明发件人是谁，不证明内容安全：TokenPocket 绝不会通过邮件或任何方式索要助记词或私钥。"),
    "default": (
        "Do not reply, do not click its links, do not share your seed phrase or private key, and do not send funds. "
        "Write only to the official addresses.",
        "不要回复，不要点击其中的链接，不要透露助记词或私钥，也不要转账。只联系官方公布的邮箱。"),
}

#: Our errors' words in Chinese (English is the raised message).
ERRORS_ZH = {
    "empty_input": "内容为空；请粘贴整封邮件的原文（Gmail “显示原始邮件”、Outlook “查看源文件”或 .eml 文件）",
    "input_too_long": "邮件超过 {limit} 字节（2 MiB）；请去掉附件后再粘贴邮件头和正文",
    "invalid_text": "内容含有无效的 Unicode 字符",
    "not_an_email": "这不是一封邮件的原文：没有找到 “From:” 等邮件头。请粘贴整封邮件的原文（Gmail “显示原始邮件”、Outlook “查看源文件”）或只粘贴邮件头",
    "email_too_complex": "这封邮件的结构超出检查上限（最多 {headers} 个邮件头字段、{parts} 个部分）",
}

log = logging.getLogger("verifier.mailauth")
# dkimpy logs the failures it swallows; with debug it would log content. Keep it silent.
_DKIM_LOG = logging.getLogger("verifier.mailauth.dkim")
_DKIM_LOG.addHandler(logging.NullHandler())
_DKIM_LOG.propagate = False
_DKIM_LOG.disabled = True


class DnsUnavailable(Exception):
    """DNS gave no answer (timeout, SERVFAIL, unreachable): not a proof that a record is absent."""


TxtLookup = Callable[[str], list[bytes]]

_SURROGATE = re.compile("[\ud800-\udfff]")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:", re.MULTILINE)
_WS = re.compile(r"\s+")
_AR_RESULT = re.compile(r"\b(dkim|spf|dmarc|arc|dkim-atps|auth)\s*=\s*([A-Za-z]+)", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# The result.


@dataclass(frozen=True, slots=True)
class Signature:
    """One DKIM-Signature as verified here."""

    domain: str
    selector: str
    algorithm: str
    result: str  # pass | fail | unavailable
    reason: Reason
    aligned: bool
    headers_only: bool = False

    def to_dict(self, lang: str) -> dict[str, Any]:
        from verifier import messages

        return {"domain": self.domain, "selector": self.selector, "algorithm": self.algorithm, "result": self.result,
                "aligned": self.aligned, "headers_only": self.headers_only,
                "reason": messages.render_reason(self.reason, lang)}


@dataclass(frozen=True, slots=True)
class EmailResult:
    verdict: str
    risk: int
    reasons: tuple[Reason, ...]
    from_address: str | None
    from_domain: str | None
    display_name: str | None
    sender: Result | None
    signatures: tuple[Signature, ...]
    dmarc: dict[str, Any] | None
    arc: dict[str, Any] | None
    receiver_said: tuple[dict[str, Any], ...]
    reply_to: tuple[str, ...]
    return_path: str | None
    contact_links: tuple[dict[str, str], ...]
    attachments: tuple[dict[str, Any], ...]
    body: scan_module.ScanResult | None
    headers_only: bool
    subject: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        from verifier import messages

        zh = lang == "zh"
        advice = ADVICE.get(self.verdict, ADVICE["default"])
        return {
            "verdict": self.verdict,
            "verdict_text": VERDICT_TEXT[self.verdict][1 if zh else 0],
            "risk": self.risk,
            "reasons": [messages.render_reason(r, lang) for r in self.reasons],
            "advice": advice[1 if zh else 0],
            "from": None if self.from_address is None else {
                "address": self.from_address, "domain": self.from_domain, "display_name": self.display_name,
                "check": self.sender.to_dict(lang) if self.sender is not None else None,
            },
            "subject": self.subject,
            "dkim": [s.to_dict(lang) for s in self.signatures],
            "dmarc": self.dmarc,
            "arc": self.arc,
            "receiver_said": list(self.receiver_said),
            "reply_to": list(self.reply_to),
            "return_path": self.return_path,
            "contact_links": list(self.contact_links),
            "attachments": list(self.attachments),
            "body": self.body.to_dict(lang) if self.body is not None else None,
            "headers_only": self.headers_only,
        }


def error_message(err: InvalidInputError, lang: str) -> str:
    """A refusal of this module in ``lang``."""
    if lang == "zh" and err.code in ERRORS_ZH:
        try:
            return ERRORS_ZH[err.code].format(**err.params)
        except (KeyError, IndexError):
            return ERRORS_ZH[err.code].split("{")[0]
    return err.message


# ---------------------------------------------------------------------------------------------
# Input.


def to_bytes(message: object) -> bytes:
    """The message as bytes: text is encoded as UTF-8 (a pasted message), bytes kept as they are
    (a file: 8-bit bodies must reach dkimpy byte for byte). Size and Unicode checked here."""
    if isinstance(message, str):
        if len(message) > MAX_BYTES:
            raise _too_long(len(message))
        if _SURROGATE.search(message):
            raise InvalidInputError("the message holds invalid Unicode (a lone surrogate)", code="invalid_text")
        data = message.encode("utf-8")
    elif isinstance(message, (bytes, bytearray)):
        data = bytes(message)
    else:
        raise InvalidInputError("expected the raw text of an e-mail message", code="invalid_input")
    if len(data) > MAX_BYTES:
        raise _too_long(len(data))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # A message pasted from a page often starts with blank lines; a header block cannot.
    data = data.lstrip(b"\r\n\t ")
    if not data.strip():
        raise InvalidInputError("empty message; paste the whole original message (Show original / View source / .eml)",
                                code="empty_input")
    return data


def _too_long(size: int) -> InvalidInputError:
    return InvalidInputError(f"a message of {size} bytes; at most {MAX_BYTES} (2 MiB) allowed: leave out the attachments",
                             code="input_too_long", params={"length": size, "limit": MAX_BYTES})


def _not_an_email() -> InvalidInputError:
    return InvalidInputError("this is not the source of an e-mail: no From: header was found; paste the whole original "
                             "message (Show original / View source) or its headers", code="not_an_email")


def _decoded(value: str) -> str:
    """A raw header value unfolded, with RFC 2047 encoded words decoded (what a client shows)."""
    unfolded = _WS.sub(" ", value.replace("\r", "").replace("\n", "")).strip()
    try:
        text = str(email.header.make_header(email.header.decode_header(unfolded)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        text = unfolded
    return _SURROGATE.sub("\ufffd", text)


def _org(domain: str) -> str:
    """The organizational domain (registrable domain, public suffix list); the name itself when
    the list knows no suffix for it."""
    try:
        host, _ = normalize_host(domain)
    except InvalidInputError:
        return domain.lower()
    return host.registrable or host.ascii


def _ascii_domain(domain: str) -> str | None:
    try:
        host, _ = normalize_host(domain)
    except InvalidInputError:
        return None
    return host.ascii


def parse_nameservers(raw: tuple[str, ...] | list[str]) -> tuple[tuple[str, int], ...]:
    """``("192.0.2.53", "127.0.0.1:5353", "[::1]:53")`` as (address, port) pairs; ValueError
    with the offending entry otherwise (``VERIFIER_DNS_NAMESERVERS``: the settings refuse it at start;
    verifier.deep.mail_dns uses the pairs)."""
    out: list[tuple[str, int]] = []
    for entry in raw:
        text = entry.strip()
        host, port = text, "53"
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            if rest:
                if not rest.startswith(":"):
                    raise ValueError(f"{entry!r}: expected [ipv6]:port")
                port = rest[1:]
        elif text.count(":") == 1:
            host, port = text.split(":")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address (or ip:port)") from None
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"{entry!r}: the port must be 1 to 65535")
        out.append((str(address), int(port)))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# DNS through the injected lookup, as dkimpy wants it.


class _Recorder:
    """dkimpy's ``dnsfunc``: records whether the key was found, absent or unreachable (dkimpy
    itself turns all three into ``False``)."""

    def __init__(self, lookup: TxtLookup) -> None:
        self.lookup = lookup
        self.state = "unused"  # found | absent | unavailable
        self.record = b""

    def __call__(self, name: bytes, timeout: float = 5) -> bytes | None:
        try:
            text = name.decode("ascii").rstrip(".")
        except UnicodeDecodeError:
            self.state = "absent"
            return None
        try:
            records = self.lookup(text)
        except DnsUnavailable as err:
            self.state = "unavailable"
            raise dkim.DnsTimeoutError(str(err)) from None
        if not records:
            self.state = "absent"
            return None
        self.state = "found"
        self.record = records[0]
        return records[0]


class _Breaker:
    """One message's lookups: after DNS failed to answer once, the rest fail at once (a person
    waits for the page; every later lookup would wait out the same timeout)."""

    def __init__(self, lookup: TxtLookup) -> None:
        self.lookup = lookup
        self.down: DnsUnavailable | None = None

    def __call__(self, name: str) -> list[bytes]:
        if self.down is not None:
            raise self.down
        try:
            return self.lookup(name)
        except DnsUnavailable as err:
            self.down = err
            raise


def _dmarc(from_domain: str, lookup: TxtLookup) -> dict[str, Any]:
    """The DMARC record of the From domain, else of its organizational domain (RFC 7489 6.6.3)."""
    org = _org(from_domain)
    for name in dict.fromkeys((from_domain, org)):
        try:
            records = lookup(f"_dmarc.{name}")
        except DnsUnavailable:
            return {"domain": name, "found": False, "unavailable": True, "policy": None, "alignment": None}
        dmarc = [r for r in records if r[:8].decode("ascii", "replace").replace(" ", "").lower().startswith("v=dmarc1")]
        if len(dmarc) == 1:  # several records: RFC 7489 says none applies
            tags: dict[str, str] = {}
            for part in dmarc[0].decode("ascii", "replace").split(";"):
                key, _, value = part.partition("=")
                tags[key.strip().lower()] = value.strip().lower()
            return {"domain": name, "found": True, "unavailable": False, "policy": tags.get("p"),
                    "alignment": "strict" if tags.get("adkim") == "s" else "relaxed"}
    return {"domain": org, "found": False, "unavailable": False, "policy": None, "alignment": "relaxed"}


# ---------------------------------------------------------------------------------------------
# DKIM, one signature at a time.


def _tags(value: bytes) -> dict[bytes, bytes]:
    try:
        return dkim.util.parse_tag_value(value)
    except Exception:  # dkimpy's parser raises its own and ValueError on hostile tag lists
        return {}


def _verify(message: bytes, idx: int, lookup: TxtLookup, *, body_absent: bool,
            params: dict[str, str]) -> tuple[str, Reason, bool]:
    """(result, reason, headers_only) of the ``idx``-th DKIM-Signature; ``params`` name it."""
    recorder = _Recorder(lookup)
    try:
        checker = dkim.DKIM(message, logger=_DKIM_LOG, minkey=1024)
        prep = checker.verify_headerprep(idx)
        if not prep:
            return "fail", Reason.of("dkim_malformed", **params), False
        sig, include_headers, sigheaders = prep
        if b"from" not in include_headers:
            return "fail", Reason.of("dkim_from_not_signed", **params), False
        if b"l" in sig:
            # A length limit signs only the first part of the body: anything can follow it.
            return "fail", Reason.of("dkim_partial_body", **params), False
        headers_only = False
        if body_absent and b"bh" in sig:
            # No body was given: check what can be checked, the signed headers (b= covers bh=).
            del sig[b"bh"]
            headers_only = True
        ok = checker.verify_sig(sig, include_headers, sigheaders[idx], recorder)
    except dkim.ValidationError as err:
        text = str(err)
        if "body hash mismatch" in text:
            return "fail", Reason.of("dkim_body_hash_mismatch", **params), False
        if "x= value is past" in text:
            return "fail", Reason.of("dkim_expired", **params), False
        return "fail", Reason.of("dkim_malformed", **params), False
    except dkim.KeyFormatError:
        return "fail", Reason.of("dkim_key_invalid", **params), False
    except (dkim.DKIMException, ValueError, IndexError, KeyError, TypeError):
        return "fail", Reason.of("dkim_malformed", **params), False
    if ok:
        return "pass", Reason.of("dkim_pass", **params), headers_only
    if recorder.state == "unavailable":
        return "unavailable", Reason.of("dkim_dns_unavailable", **params), headers_only
    if recorder.state == "absent":
        return "fail", Reason.of("dkim_key_not_found", **params), headers_only
    if recorder.state == "found":
        key = _tags(recorder.record)
        if key and not key.get(b"p", b"").strip():
            return "fail", Reason.of("dkim_key_revoked", **params), headers_only
        try:
            dkim.evaluate_pk(b"", recorder.record)
        except dkim.DKIMException:
            return "fail", Reason.of("dkim_key_invalid", **params), headers_only
    return "fail", Reason.of("dkim_signature_mismatch", **params), headers_only


def _aligned(d: str, from_domain: str, strict: bool) -> bool:
    if d == from_domain:
        return True
    return not strict and _org(d) == _org(from_domain)


# ---------------------------------------------------------------------------------------------
# The rest of the message.


def _walk(msg: email.message.Message) -> list[email.message.Message]:
    """The parts, depth first, at most MAX_PARTS (an explicit stack: no recursion to exhaust)."""
    parts: list[email.message.Message] = []
    stack = [msg]
    while stack:
        part = stack.pop()
        parts.append(part)
        if len(parts) > MAX_PARTS:
            raise InvalidInputError(f"the message has more than {MAX_PARTS} parts", code="email_too_complex",
                                    params={"headers": MAX_HEADER_FIELDS, "parts": MAX_PARTS})
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(reversed(payload))
    return parts


def _part_text(part: email.message.Message) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return _SURROGATE.sub("\ufffd", str(content))


def _html(text: str) -> tuple[str, list[str]]:
    """The visible text of an HTML part and its link targets (never fetched, never rendered)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    for node in tree.css("script, style"):
        node.decompose()
    hrefs = [node.attributes.get("href") or "" for node in tree.css("a[href]")]
    root = tree.body or tree.root
    return (root.text(separator=" ") if root is not None else ""), [h.strip() for h in hrefs if h and h.strip()]


def _body(parts: list[email.message.Message]) -> tuple[str, list[dict[str, str]], list[dict[str, Any]]]:
    """(text for scan, mailto:/tel: links, attachments named)."""
    texts: list[str] = []
    links: list[dict[str, str]] = []
    attachments: list[dict[str, Any]] = []
    for part in parts:
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        ctype = part.get_content_type()
        if filename or disposition == "attachment":
            if len(attachments) < MAX_ATTACHMENTS:
                payload = part.get_payload()
                attachments.append({"filename": _decoded(filename or "")[:200] or None, "content_type": ctype,
                                    "encoded_size": len(payload) if isinstance(payload, (str, bytes)) else 0})
            continue  # never opened
        if ctype == "text/plain":
            texts.append(_part_text(part))
        elif ctype == "text/html":
            text, hrefs = _html(_part_text(part))
            texts.append(text)
            for href in hrefs:
                scheme = href.split(":", 1)[0].lower()
                if scheme in ("mailto", "tel") and len(links) < MAX_LINKS:
                    links.append({"scheme": scheme, "target": href[:MAX_SHOWN]})
            texts.append("\n".join(hrefs))  # the links go through scan too, as the items they are
    return "\n".join(t for t in texts if t.strip()), links, attachments


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def _receiver_said(values: list[str]) -> tuple[dict[str, Any], ...]:
    out = []
    for position, value in enumerate(values[:MAX_RECEIVER_RESULTS]):
        text = _decoded(value)
        server = text.split(";", 1)[0].strip().split(" ", 1)[0]
        results = {m.lower(): r.lower() for m, r in _AR_RESULT.findall(text)}
        out.append({"position": position + 1, "server": server[:100], "results": results, "text": text[:MAX_SHOWN]})
    return tuple(out)


def _address_list(value: str) -> list[str]:
    """The addresses of Reply-To (commas outside quotes and angle brackets separate them)."""
    pieces, depth, quoted, current = [], 0, False, []
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(0, depth - 1)
        if ch == "," and not quoted and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()][:10]


# ---------------------------------------------------------------------------------------------
# The analysis.


def _claims(item: Item | None, verifier: Verifier) -> tuple[str | None, str | None]:
    """(how, what): ``address``/``domain`` when the From address itself is official;
    ``display_name``/``local_part`` when it only shows an official address or domain."""
    if item is None:
        return None, None
    index = verifier.index
    if item.key in index.emails:
        return "address", item.normalized
    if index.email_domain_is_official(item) is not None:
        return "domain", item.host.ascii if item.host else None
    for code, how in (("display_name_address", "display_name"), ("local_part_address", "local_part")):
        shown = item.observation(code)
        if shown is None or not shown.detail:
            continue
        claimed = shown.detail.rsplit("@", 1)[-1]
        try:
            host, _ = normalize_host(claimed)
        except InvalidInputError:
            continue
        fake = Item(raw=host.ascii, kind="email", normalized=f"x@{host.ascii}", key=f"x@{host.ascii}", host=host)
        if index.email_domain_is_official(fake) is not None:
            return how, shown.detail
    return None, None


def analyse(message: str | bytes, verifier: Verifier, lookup: TxtLookup) -> EmailResult:
    """The e-mail check; :class:`InvalidInputError` when ``message`` is not a message."""
    raw = to_bytes(message)
    lookup = _Breaker(lookup)
    if not _HEADER_LINE.match(raw):
        raise _not_an_email()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    fields = list(msg.raw_items())
    if len(fields) > MAX_HEADER_FIELDS:
        raise InvalidInputError(f"the message has {len(fields)} header fields; at most {MAX_HEADER_FIELDS}",
                                code="email_too_complex", params={"headers": MAX_HEADER_FIELDS, "parts": MAX_PARTS})
    by_name: dict[str, list[str]] = {}
    for name, value in fields:
        by_name.setdefault(name.lower(), []).append(str(value))
    froms = by_name.get("from", [])
    if not froms:
        raise _not_an_email()
    separator = re.search(rb"\r?\n\r?\n", raw)
    body_absent = separator is None or not raw[separator.end():].strip()

    reasons: list[Reason] = []
    from_text = _decoded(froms[0])
    item: Item | None
    try:
        item = emailaddr.parse(from_text)
    except InvalidInputError:
        item = None
        reasons.append(Reason.of("from_unreadable", value=from_text[:120]))
    sender = verifier.check_item(item) if item is not None else None
    from_domain = item.host.ascii if item is not None and item.host is not None else None
    how, claimed = _claims(item, verifier)
    for other in froms[1:]:
        other_item = _try_parse(_decoded(other))
        other_how, other_claim = _claims(other_item, verifier)
        if how is None and other_how is not None:
            how, claimed = "second_from", other_claim
    if len(froms) > 1:
        reasons.append(Reason.of("multiple_from", count=len(froms)))

    # DKIM: every signature (up to the cap), verified here.
    dmarc = _dmarc(from_domain, lookup) if from_domain and how in ("address", "domain") else None
    strict = bool(dmarc and dmarc.get("alignment") == "strict")
    signatures: list[Signature] = []
    sig_values = by_name.get("dkim-signature", [])
    for idx, value in enumerate(sig_values[:MAX_SIGNATURES]):
        tags = _tags(value.encode("utf-8", "surrogateescape"))
        d = (_ascii_domain(tags.get(b"d", b"").decode("ascii", "replace").strip().rstrip(".")) or
             tags.get(b"d", b"").decode("ascii", "replace")[:100])
        selector = tags.get(b"s", b"").decode("ascii", "replace").strip()[:100]
        algorithm = tags.get(b"a", b"").decode("ascii", "replace").strip()[:40]
        params = {"domain": d or "?", "selector": selector or "?", "algorithm": algorithm or "?",
                  "from_domain": from_domain or "?"}
        result, reason, headers_only = _verify(raw, idx, lookup, body_absent=body_absent, params=params)
        aligned = bool(from_domain and d and _aligned(d, from_domain, strict))
        if result == "pass" and not aligned and from_domain:
            reason = Reason.of("dkim_not_aligned", **params)
        signatures.append(Signature(d, selector, algorithm, result, reason, aligned, headers_only))

    good = [s for s in signatures if s.result == "pass" and s.aligned]
    # A pass aligned only by the organizational domain needs the DMARC record's say (strict?).
    needs_dmarc = [s for s in good if from_domain and s.domain != from_domain]
    if dmarc and dmarc.get("unavailable") and needs_dmarc and len(needs_dmarc) == len(good):
        good = []
        reasons.append(Reason.of("dmarc_unavailable", domain=dmarc["domain"]))
    could_align = [s for s in signatures if from_domain and s.domain and _org(s.domain) == _org(from_domain)]
    unreachable = [s for s in could_align if s.result == "unavailable"]

    body_text, links, attachments = _body(_walk(msg))
    body: scan_module.ScanResult | None = None
    if body_text.strip():
        try:
            body = scan_module.scan(_cut(body_text, scan_module.MAX_BYTES), verifier)
        except InvalidInputError:
            body = None

    # The verdict.
    if how in ("address", "domain") and len(froms) == 1:
        if good:
            verdict = "official_sender"
            best = good[0]
            reasons.insert(0, best.reason)
            if best.headers_only:
                reasons.append(Reason.of("dkim_headers_only", domain=best.domain))
            if how == "domain" and sender is not None:
                reasons.extend(r for r in sender.reasons if r.code == "unlisted_address_official_domain")
        elif unreachable or (dmarc and dmarc.get("unavailable") and could_align):
            verdict = "unverifiable"
            reasons.insert(0, Reason.of("official_sender_unverifiable", address=item.normalized if item else "?",
                                        domain=from_domain or "?"))
            reasons.extend(s.reason for s in unreachable)
        else:
            verdict = "forged"
            reasons.insert(0, Reason.of("forged_official_sender", address=item.normalized if item else "?",
                                        domain=from_domain or "?"))
            if signatures:
                reasons.extend(s.reason for s in signatures)
            else:
                reasons.append(Reason.of("no_dkim_signature"))
    elif how is not None:
        verdict = "forged"
        reasons.insert(0, Reason.of("forged_official_name", shown=claimed or "?", address=item.normalized if item else "?"))
        if sender is not None:
            reasons.extend(r for r in sender.reasons if r.code not in ("not_in_registry",))
    elif sender is not None and sender.verdict in ("impersonation", "suspicious"):
        verdict = "impersonation"
        reasons.extend(sender.reasons)
    elif body is not None and body.verdict == "impersonation":
        verdict = "impersonation"
        reasons.append(Reason.of("message_scam_signs"))
    else:
        verdict = "not_official"
        if sender is not None:
            reasons.extend(r for r in sender.reasons if r.code != "not_in_registry")
        reasons.append(Reason.of("sender_not_tokenpocket", domain=from_domain or "?"))

    # Where replies and bounces go.
    reply_to: list[str] = []
    for value in by_name.get("reply-to", [])[:3]:
        for piece in _address_list(_decoded(value)):
            target = _try_parse(piece)
            shown = target.normalized if target is not None else piece[:120]
            reply_to.append(shown)
            if from_domain and (target is None or target.host is None or _org(target.host.ascii) != _org(from_domain)):
                reasons.append(Reason.of("reply_to_elsewhere", reply_to=shown, from_domain=from_domain))
    return_path = None
    paths = by_name.get("return-path", [])
    if paths:
        inner = _decoded(paths[0]).strip().strip("<>").strip()
        return_path = inner[:MAX_SHOWN] or None
        target = _try_parse(inner) if inner else None
        if from_domain and target is not None and target.host is not None and _org(target.host.ascii) != _org(from_domain):
            reasons.append(Reason.of("return_path_elsewhere", return_path=target.normalized, from_domain=from_domain))
    if attachments:
        names = ", ".join(a["filename"] or a["content_type"] for a in attachments[:5])
        reasons.append(Reason.of("email_attachments", count=len(attachments), names=names))
    if body is not None and body.verdict in ("impersonation", "suspicious") and "message_scam_signs" not in {
            r.code for r in reasons}:
        reasons.append(Reason.of("message_scam_signs"))

    risk = RISK.get(verdict, 0)
    if verdict in ("impersonation", "not_official"):
        risk = max([risk if verdict == "impersonation" else 0, sender.risk if sender else 0,
                    body.risk if body else 0])
    arc = _arc(raw, lookup) if "arc-seal" in by_name else None
    subject = _decoded(by_name["subject"][0])[:MAX_SHOWN] if by_name.get("subject") else None
    return EmailResult(
        verdict=verdict, risk=min(100, risk), reasons=_unique(reasons),
        from_address=item.normalized if item else from_text[:MAX_SHOWN], from_domain=from_domain,
        display_name=item.display_name if item else None, sender=sender, signatures=tuple(signatures), dmarc=dmarc,
        arc=arc, receiver_said=_receiver_said(by_name.get("authentication-results", [])), reply_to=tuple(reply_to),
        return_path=return_path, contact_links=tuple(links), attachments=tuple(attachments), body=body,
        headers_only=body_absent, subject=subject,
    )


def _try_parse(text: str) -> Item | None:
    try:
        return emailaddr.parse(text)
    except InvalidInputError:
        return None


def _unique(reasons: list[Reason]) -> tuple[Reason, ...]:
    return tuple(dict.fromkeys(reasons))


def _arc(raw: bytes, lookup: TxtLookup) -> dict[str, Any]:
    """The ARC chain as verified here: shown, never used for the verdict (ARC says what the
    servers on the way saw; it does not make a forged From genuine)."""
    recorder = _Recorder(lookup)
    try:
        cv, results, comment = dkim.ARC(raw, logger=_DKIM_LOG, minkey=1024).verify(dnsfunc=recorder)
    except Exception as err:  # dkimpy's ARC code raises a wide range on malformed chains
        return {"result": "fail", "comment": f"{type(err).__name__}"[:MAX_SHOWN], "sets": 0}
    result = {dkim.CV_Pass: "pass", dkim.CV_Fail: "fail", dkim.CV_None: "none"}.get(cv, "fail")
    if recorder.state == "unavailable":
        result = "unavailable"
    return {"result": result, "comment": str(comment)[:MAX_SHOWN], "sets": len(results)}
