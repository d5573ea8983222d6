"""Helpers for registry tests: ephemeral keys, a minimal valid document, signing.

A plain module (not conftest) so test files import what they use. Keys are generated per
call with ``minisign.KeyPair.generate()``; the maintainers' keys are never touched.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import minisign

from verifier.registry.schema import format_timestamp, trusted_comment_for
from verifier.signing import TrustedKey, from_base64

# Base64 starts of secret key files (unencrypted / scrypt), split so no tracked file holds
# the literal markers that tests/test_no_secret_keys.py hunts for.
PLAIN_SECRET_PREFIX = "RWQA" + "AEIy"
ENCRYPTED_SECRET_PREFIX = "RWRT" + "Y0Iy"

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
ISSUED = NOW - timedelta(days=1)
EXPIRES = ISSUED + timedelta(days=60)


@dataclass(frozen=True)
class TestKey:
    """An ephemeral key pair: the py-minisign secret, its stock file bytes and its TrustedKey."""

    __test__ = False  # not a pytest class

    secret: minisign.SecretKey
    trusted: TrustedKey

    @property
    def key_id(self) -> str:
        return self.trusted.key_id

    @property
    def secret_bytes(self) -> bytes:
        return bytes(self.secret) + b"\n"

    @property
    def public_bytes(self) -> bytes:
        return f"untrusted comment: minisign public key {self.key_id}\n{self.trusted.base64}\n".encode()


def make_key() -> TestKey:
    pair = minisign.KeyPair.generate()
    return TestKey(secret=pair.secret_key, trusted=from_base64(pair.public_key.to_base64().decode()))


def make_registry_doc(**overrides: Any) -> dict[str, Any]:
    """A minimal valid schema-1 document; keyword arguments replace top-level fields."""
    doc: dict[str, Any] = {
        "schema_version": 1,
        "registry_id": "tokenpocket-official-channels",
        "serial": 3,
        "issued_at": format_timestamp(ISSUED),
        "expires_at": format_timestamp(EXPIRES),
        "issuer": {
            "name": "TokenPocket",
            "brand": {"en": "TokenPocket", "zh": "TokenPocket 钱包"},
            "brand_terms": ["tokenpocket", "tp wallet"],
            "contact": "service@tokenpocket.pro",
        },
        "policies": [
            {"code": "no_seed_request", "en": "Support never asks for your seed phrase.", "zh": "官方客服绝不会索要助记词。"}
        ],
        "channels": [
            {
                "id": "web-main",
                "kind": "domain",
                "value": "tokenpocket.pro",
                "status": "active",
                "evidence": "https://tokenpocket.pro/",
                "label": {"en": "Official website", "zh": "官方网站"},
                "include_subdomains": True,
            }
        ],
        "impersonations": [],
    }
    doc.update(copy.deepcopy(overrides))
    return doc


def encode_doc(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def comment_of(doc: dict[str, Any]) -> str:
    return trusted_comment_for(doc["registry_id"], doc["serial"], doc["issued_at"], doc["expires_at"])


def sign_doc(
    doc_or_bytes: dict[str, Any] | bytes,
    key: TestKey,
    *,
    trusted_comment: str | None = None,
    prehash: bool = True,
) -> tuple[bytes, bytes]:
    """Sign a document (or raw bytes) with ``key``; return ``(raw, signature_file_bytes)``.

    The trusted comment defaults to the document's; for raw bytes that are not a valid
    document, pass one.
    """
    if isinstance(doc_or_bytes, dict):
        raw = encode_doc(doc_or_bytes)
        comment = trusted_comment if trusted_comment is not None else comment_of(doc_or_bytes)
    else:
        raw = doc_or_bytes
        if trusted_comment is None:
            comment = comment_of(json.loads(raw))
        else:
            comment = trusted_comment
    sig = key.secret.sign(raw, prehash=prehash, trusted_comment=comment)
    return raw, bytes(sig) + b"\n"
