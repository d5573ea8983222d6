"""Helpers for the e-mail check's tests: a loopback DNS server, generated DKIM keys, signed mail.

Nothing here reaches the internet: the DNS server listens on 127.0.0.1 (UDP and TCP, a free
port) and answers TXT records from a dict; the keys are generated per test session (RSA 2048
with ``cryptography``, Ed25519 with PyNaCl) and the test mail is signed with dkimpy.
"""

from __future__ import annotations

import base64
import socket
import socketserver
import struct
import threading
from dataclasses import dataclass

import dkim
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

#: The test registry's official mail domain (served only by the loopback DNS below).
MAIL_DOMAIN = "tp-official-mail.org"
OFFICIAL_ADDRESS = f"service@{MAIL_DOMAIN}"


@dataclass(frozen=True)
class DkimKey:
    selector: str
    domain: str
    algorithm: bytes  # b"rsa-sha256" | b"ed25519-sha256"
    private: bytes  # what dkim.sign takes
    record: str  # the TXT record at <selector>._domainkey.<domain>

    @property
    def name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"


def rsa_key(selector: str, domain: str) -> DkimKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return DkimKey(selector, domain, b"rsa-sha256", private, f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}")


def ed25519_key(selector: str, domain: str) -> DkimKey:
    key = nacl.signing.SigningKey.generate()
    private = base64.b64encode(bytes(key))
    public = base64.b64encode(bytes(key.verify_key)).decode()
    return DkimKey(selector, domain, b"ed25519-sha256", private, f"v=DKIM1; k=ed25519; p={public}")


def sign(message: bytes, key: DkimKey, *, headers: tuple[str, ...] = ("from", "to", "subject", "date", "reply-to")) -> bytes:
    """``message`` with a DKIM-Signature by ``key`` on top."""
    present = {line.split(b":", 1)[0].strip().lower().decode() for line in message.split(b"\n\n", 1)[0].splitlines()
               if b":" in line and not line[:1].isspace()}
    include = [h.encode() for h in headers if h in present]
    signature = dkim.sign(message, key.selector.encode(), key.domain.encode(), key.private,
                          signature_algorithm=key.algorithm, include_headers=include)
    return signature + message


def mail(*, sender: str, subject: str = "TokenPocket security notice", body: str = "", extra: str = "",
         html: str | None = None) -> bytes:
    """A small RFC 5322 message (CRLF line ends), plain text or multipart/alternative."""
    head = (f"From: {sender}\r\nTo: victim@example.net\r\nSubject: {subject}\r\n"
            f"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n1@{MAIL_DOMAIN}>\r\n{extra}MIME-Version: 1.0\r\n")
    if html is None:
        return (head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + body.replace("\n", "\r\n") + "\r\n").encode("utf-8")
    boundary = "b0undary"
    return (head + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--{boundary}--\r\n").encode("utf-8")


class LoopbackDNS:
    """A tiny authoritative-style DNS server on 127.0.0.1 (UDP and TCP) answering TXT queries
    from ``records`` (name → list of TXT texts); NXDOMAIN for any other name.

    ``mode`` switches behaviour for a test: ``"answer"``, ``"servfail"``, or ``"drop"`` (no reply:
    the resolver times out)."""

    def __init__(self, records: dict[str, list[str]] | None = None) -> None:
        self.records: dict[str, list[str]] = {k.lower().rstrip("."): v for k, v in (records or {}).items()}
        self.mode = "answer"
        self.queries: list[str] = []
        server = self

        class UDP(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                reply = server.reply(data)
                if reply is not None:
                    sock.sendto(reply, self.client_address)

        class TCP(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                head = self.request.recv(2)
                if len(head) < 2:
                    return
                (size,) = struct.unpack("!H", head)
                data = b""
                while len(data) < size:
                    chunk = self.request.recv(size - len(data))
                    if not chunk:
                        return
                    data += chunk
                reply = server.reply(data)
                if reply is not None:
                    self.request.sendall(struct.pack("!H", len(reply)) + reply)

        # UDP and TCP on one port: a free UDP port may be taken for TCP by another test's
        # connection, so try again on a new port (closing the UDP socket, never leaking it).
        for attempt in range(20):
            self._udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), UDP)
            self.port = self._udp.server_address[1]
            try:
                self._tcp = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), TCP)
                break
            except OSError:
                self._udp.server_close()
                if attempt == 19:
                    raise
        for srv in (self._udp, self._tcp):
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def add(self, name: str, text: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).append(text)

    def reply(self, data: bytes) -> bytes | None:
        if self.mode == "drop":
            return None
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self.mode == "servfail":
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".")
        self.queries.append(name)
        texts = self.records.get(name)
        if texts is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.TXT:
            rdatas = [dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, _chunks(t)) for t in texts]
            response.answer.append(dns.rrset.from_rdata_list(question.name, 60, rdatas))
        return response.to_wire()

    def close(self) -> None:
        for srv in (self._udp, self._tcp):
            srv.shutdown()
            srv.server_close()


def _chunks(text: str) -> list[bytes]:
    data = text.encode("ascii")
    return [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]


def dead_port() -> int:
    """A loopback UDP port nobody listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
