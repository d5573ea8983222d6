"""verifier.signing: key ids as stock minisign prints them, stock formats, refusal codes."""

from __future__ import annotations

import base64
from pathlib import Path

import minisign
import pytest

from registry_fixtures import ENCRYPTED_SECRET_PREFIX, PLAIN_SECRET_PREFIX, make_key
from verifier.errors import RegistrySignatureError
from verifier.signing import (
    MAX_SIGNATURE_BYTES,
    SigningKeyError,
    generate_keypair,
    pinned_keys,
    public_key_from_text,
    secret_key_is_encrypted,
    sign_detached,
    signature_key_id,
    verify_detached,
)

KEYS_DIR = Path(__file__).resolve().parent.parent / "verifier" / "keys"
DATA = b"the exact bytes\n"


def test_pinned_keys_match_file_names_and_stock_comments():
    keys = pinned_keys()
    assert [k.key_id for k in keys] == ["337BC20E9BCB9242", "F378E9B9331EEA64"]
    for key in keys:
        text = (KEYS_DIR / f"{key.key_id}.pub").read_text()
        # the stock tool wrote "minisign public key <KEYID>" in the untrusted comment
        assert text.splitlines()[0] == f"untrusted comment: minisign public key {key.key_id}"
        assert text.splitlines()[1] == key.base64


@pytest.mark.parametrize(
    "text",
    [
        "RWRCksubDsJ7M8DuUHSYWlLMhFr67jlGKgOYxQfm7SqEEdcDyGaqZBta",
        "  RWRCksubDsJ7M8DuUHSYWlLMhFr67jlGKgOYxQfm7SqEEdcDyGaqZBta\n",
        "untrusted comment: anything\nRWRCksubDsJ7M8DuUHSYWlLMhFr67jlGKgOYxQfm7SqEEdcDyGaqZBta\n",
    ],
)
def test_public_key_from_text_forms(text):
    assert public_key_from_text(text).key_id == "337BC20E9BCB9242"


@pytest.mark.parametrize(
    "text",
    ["", "not base64!", "RWRCksubDsJ7M8Du", "a\nb\nc", base64.b64encode(b"ED" + bytes(40)).decode()],
)
def test_public_key_from_text_refuses(text):
    with pytest.raises(SigningKeyError) as info:
        public_key_from_text(text)
    assert info.value.code == "bad_public_key"


@pytest.mark.parametrize("password", [None, "correct horse"])
def test_generate_keypair_stock_formats(password):
    secret, public, key_id = generate_keypair(password)
    assert secret.endswith(b"\n") and public.endswith(b"\n")
    assert public.decode().splitlines()[0] == f"untrusted comment: minisign public key {key_id}"
    assert public_key_from_text(public.decode()).key_id == key_id
    blob = secret.decode().splitlines()[1]
    assert blob.startswith(ENCRYPTED_SECRET_PREFIX if password else PLAIN_SECRET_PREFIX)
    assert secret_key_is_encrypted(secret) is (password is not None)
    sig = sign_detached(DATA, secret, "hello", password=password)
    assert signature_key_id(sig) == key_id
    assert verify_detached(DATA, sig, [public_key_from_text(public.decode())], path="f").trusted_comment == "hello"


def test_generate_keypair_refuses_empty_password():
    with pytest.raises(SigningKeyError):
        generate_keypair("")


@pytest.mark.parametrize(
    ("password", "code"),
    [(None, "password_required"), ("wrong", "wrong_password")],
)
def test_sign_encrypted_key_needs_right_password(password, code):
    secret, _, _ = generate_keypair("right")
    with pytest.raises(SigningKeyError) as info:
        sign_detached(DATA, secret, "c", password=password)
    assert info.value.code == code


def test_sign_refuses_garbage_key():
    with pytest.raises(SigningKeyError) as info:
        sign_detached(DATA, b"untrusted comment: x\nAAAA\n", "c")
    assert info.value.code == "bad_secret_key"


def test_signature_format_is_stock():
    key = make_key()
    sig = sign_detached(DATA, key.secret_bytes, "registry=x serial=1")
    lines = sig.decode().split("\n")
    assert lines[0] == "untrusted comment: signature from verifier secret key"
    assert base64.b64decode(lines[1])[:2] == b"ED"  # prehashed
    assert lines[2] == "trusted comment: registry=x serial=1"
    assert lines[4] == "" and len(lines) == 5  # ends with exactly one newline


def _legacy(key):
    return bytes(key.secret.sign(DATA, prehash=False, trusted_comment="c")) + b"\n"


def _tampered_comment(key):
    sig = sign_detached(DATA, key.secret_bytes, "serial=1")
    return sig.replace(b"trusted comment: serial=1", b"trusted comment: serial=9")


def _other_key(key):
    return sign_detached(DATA, make_key().secret_bytes, "c")


REFUSALS = [
    ("garbage", lambda k: b"hello", DATA, "bad_signature_file"),
    ("empty", lambda k: b"", DATA, "bad_signature_file"),
    ("bad base64", lambda k: b"untrusted comment: x\n!!!!\ntrusted comment: c\n!!!!\n", DATA, "bad_signature_file"),
    ("too big", lambda k: b"x" * (MAX_SIGNATURE_BYTES + 1), DATA, "bad_signature_file"),
    ("not utf-8", lambda k: b"\xff\xfe\n\n\n\n", DATA, "bad_signature_file"),
    ("legacy", _legacy, DATA, "legacy_signature"),
    ("unknown key", _other_key, DATA, "unknown_key"),
    ("tampered data", lambda k: sign_detached(DATA, k.secret_bytes, "c"), DATA + b" ", "bad_signature"),
    ("tampered comment", _tampered_comment, DATA, "bad_signature"),
]


@pytest.mark.parametrize(("make_sig", "data", "code"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_verify_detached_refusals(make_sig, data, code):
    key = make_key()
    with pytest.raises(RegistrySignatureError) as info:
        verify_detached(data, make_sig(key), [key.trusted], path="data/reg.json")
    assert info.value.code == code
    assert "data/reg.json" in info.value.message


def test_unknown_key_message_names_found_and_pinned_ids():
    key, other = make_key(), make_key()
    sig = sign_detached(DATA, other.secret_bytes, "c")
    with pytest.raises(RegistrySignatureError) as info:
        verify_detached(DATA, sig, [key.trusted], path="p")
    assert other.key_id in info.value.message and key.key_id in info.value.message
    assert info.value.key_id == other.key_id


def test_verify_picks_the_matching_key_among_several():
    keys = [make_key() for _ in range(3)]
    sig = sign_detached(DATA, keys[2].secret_bytes, "c")
    assert verify_detached(DATA, sig, [k.trusted for k in keys], path="p").key_id == keys[2].key_id


def test_key_id_is_byte_reversed_storage_order():
    key = make_key()
    stored = base64.b64decode(key.trusted.base64)[2:10]
    assert key.key_id == stored[::-1].hex().upper()
    assert isinstance(key.trusted.public_key, minisign.PublicKey)
