"""minisign signatures: the only module that imports ``minisign`` (py-minisign, pinned).

Everything else in the verifier speaks in bytes, key ids and :class:`TrustedKey`s, so the
library can be swapped (e.g. for a small implementation on ``cryptography``) by rewriting
this file alone. Formats are the stock minisign ones, byte for byte: ``.pub`` and secret
key files made here work with ``minisign -S/-V`` and the other way round.

Key ids are printed as stock ``minisign`` prints them: the 8 key-id bytes are stored
little-endian and shown as a 16-digit upper-case hex number (``337BC20E9BCB9242``).
py-minisign's own ``bytes(PublicKey)`` shows them in storage order, which differs; we never
use it for display.

Refusals raise :class:`RegistrySignatureError` with one of these stable codes:

=====================  ======================================================================
code                   meaning
=====================  ======================================================================
bad_signature_file     not a minisign signature (unparseable, bad base64, over the size cap)
legacy_signature       a signature of the non-prehashed ``Ed`` kind (``minisign -S -l``)
unknown_key            signed by a key whose id is not pinned
bad_signature          the data or the trusted-comment signature does not verify
=====================  ======================================================================
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable

import minisign

from verifier.errors import RegistryError, RegistrySignatureError

#: A stock .minisig is about 300 bytes; the trusted comment is the only variable part.
MAX_SIGNATURE_BYTES = 4096
#: Stock minisign's default untrusted comment says "minisign"; ours names the tool.
SIGNATURE_UNTRUSTED_COMMENT = "signature from verifier secret key"
_KEY_ID_SLICE = slice(2, 10)  # after the 2-byte algorithm tag, in every minisign blob


class SigningKeyError(RegistryError):
    """A secret or public key file cannot be used (unparseable, encrypted, wrong password)."""

    code = "bad_key"
    status = 500


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key the verifier accepts signatures from.

    ``key_id`` is as stock minisign prints it (16 upper-case hex digits); ``base64`` is the
    second line of the ``.pub`` file, what ``minisign -P`` takes.
    """

    key_id: str
    base64: str
    public_key: minisign.PublicKey = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    """What a good signature proved: who signed, and the (signed) trusted comment."""

    key_id: str
    trusted_comment: str


def _key_id_of_blob(blob: bytes) -> str:
    return blob[_KEY_ID_SLICE][::-1].hex().upper()


def from_base64(text: str) -> TrustedKey:
    """Build a :class:`TrustedKey` from a base64 public key (``RW...``, as ``minisign -P``)."""
    text = text.strip()
    try:
        public_key = minisign.PublicKey.from_base64(text)
    except (minisign.Error, ValueError) as exc:
        raise SigningKeyError(
            f"{text[:60]!r} is not a minisign public key ({exc}); expected the base64 line of a .pub file, starting RW",
            code="bad_public_key",
        ) from None
    canonical = public_key.to_base64().decode("ascii")
    return TrustedKey(key_id=_key_id_of_blob(base64.b64decode(canonical)), base64=canonical, public_key=public_key)


def public_key_from_text(text: str) -> TrustedKey:
    """Read a public key given as a stock ``.pub`` file's text or as a bare base64 line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 2 and lines[0].startswith("untrusted comment:"):
        return from_base64(lines[1])
    if len(lines) == 1:
        return from_base64(lines[0])
    raise SigningKeyError(
        "not a minisign public key: expected 'untrusted comment: ...' then one base64 line",
        code="bad_public_key",
    )


def pinned_keys() -> tuple[TrustedKey, ...]:
    """The keys pinned in the package (``verifier/keys/<KEYID>.pub``), sorted by key id.

    A file whose name does not match the key id inside it is a packaging mistake and fails
    loudly, so a renamed file cannot silently pin a different key.
    """
    keys = []
    for entry in resources.files("verifier").joinpath("keys").iterdir():
        if not entry.name.endswith(".pub"):
            continue
        key = public_key_from_text(entry.read_text(encoding="ascii"))
        if entry.name != f"{key.key_id}.pub":
            raise SigningKeyError(f"pinned key file verifier/keys/{entry.name} holds key {key.key_id}", code="bad_public_key")
        keys.append(key)
    return tuple(sorted(keys, key=lambda k: k.key_id))


def verify_detached(data: bytes, signature: bytes, keys: Iterable[TrustedKey], *, path: str) -> VerifiedSignature:
    """Check a detached ``.minisig`` over ``data`` against the given keys (as ``minisign -V -H``).

    ``path`` names the signed file in messages. Returns the signer's key id and trusted
    comment; raises :class:`RegistrySignatureError` (codes in the module docstring).
    """
    keys = tuple(keys)
    if len(signature) > MAX_SIGNATURE_BYTES:
        raise RegistrySignatureError(
            f"{path}.minisig: signature file is {len(signature)} bytes, over the {MAX_SIGNATURE_BYTES}-byte cap",
            code="bad_signature_file",
            path=path,
        )
    try:
        parsed = minisign.Signature.from_bytes(signature)
        key_id = _key_id_of_blob(base64.b64decode(signature.splitlines()[1], validate=True))
    except (minisign.Error, ValueError, IndexError, UnicodeDecodeError, binascii.Error) as exc:
        raise RegistrySignatureError(
            f"{path}: signature file is not a minisign signature ({exc}); re-sign with `verifier registry sign`",
            code="bad_signature_file",
            path=path,
        ) from None
    if not parsed.is_prehashed():
        raise RegistrySignatureError(
            f"{path}: legacy (non-prehashed) signature by key {key_id}; only prehashed signatures are accepted "
            "(sign without `minisign -l`, or with `verifier registry sign`)",
            code="legacy_signature",
            path=path,
            key_id=key_id,
        )
    match = next((k for k in keys if k.key_id == key_id), None)
    if match is None:
        pinned = ", ".join(k.key_id for k in keys) or "none"
        raise RegistrySignatureError(
            f"{path}: signed by key {key_id}, which is not pinned (pinned: {pinned}); "
            "sign with a pinned key or ship a release that pins this one",
            code="unknown_key",
            path=path,
            key_id=key_id,
        )
    try:
        match.public_key.verify(data, parsed)
    except minisign.Error:
        raise RegistrySignatureError(
            f"{path}: signature by key {key_id} does not match the file or its trusted comment "
            "(the file changed after signing, or the signature belongs to another file)",
            code="bad_signature",
            path=path,
            key_id=key_id,
        ) from None
    return VerifiedSignature(key_id=key_id, trusted_comment=parsed.trusted_comment)


def generate_keypair(password: str | None) -> tuple[bytes, bytes, str]:
    """Make a new Ed25519 key pair in stock minisign file formats.

    Returns ``(secret_key_file_bytes, public_key_file_bytes, key_id)``. With a password the
    secret key is scrypt-encrypted (as ``minisign -G``); ``None`` gives an unencrypted key
    (as ``minisign -G -W``). An empty password is refused rather than silently unencrypted.
    """
    if password is not None and not password:
        raise SigningKeyError("an empty password protects nothing: give a password or choose no password", code="bad_password")
    pair = minisign.KeyPair.generate()
    secret = pair.secret_key
    try:
        if password is not None:
            secret.encrypt(password)
        secret_bytes = bytes(secret) + b"\n"
    finally:
        secret.wipe()
    public = from_base64(pair.public_key.to_base64().decode("ascii"))
    public_bytes = f"untrusted comment: minisign public key {public.key_id}\n{public.base64}\n".encode("ascii")
    return secret_bytes, public_bytes, public.key_id


def _load_secret_key(secret_key_bytes: bytes) -> minisign.SecretKey:
    try:
        return minisign.SecretKey.from_bytes(secret_key_bytes)
    except (minisign.Error, ValueError) as exc:
        raise SigningKeyError(f"not a minisign secret key file ({exc})", code="bad_secret_key") from None


def secret_key_is_encrypted(secret_key_bytes: bytes) -> bool:
    """True if the secret key file needs a password before it can sign."""
    secret = _load_secret_key(secret_key_bytes)
    try:
        return secret.is_encrypted()
    finally:
        secret.wipe()


def signature_key_id(signature: bytes) -> str:
    """The key id a ``.minisig`` claims (unverified: for messages after signing)."""
    try:
        return _key_id_of_blob(base64.b64decode(signature.splitlines()[1], validate=True))
    except (ValueError, IndexError, binascii.Error):
        raise RegistrySignatureError("not a minisign signature", code="bad_signature_file") from None


def sign_detached(data: bytes, secret_key_bytes: bytes, trusted_comment: str, password: str | None = None) -> bytes:
    """Sign ``data`` (prehashed, like ``minisign -S``) and return the ``.minisig`` file bytes.

    The result ends with a newline, like the stock tool's. Raises :class:`SigningKeyError`
    with code ``password_required`` / ``wrong_password`` / ``bad_secret_key``.
    """
    secret = _load_secret_key(secret_key_bytes)
    try:
        if secret.is_encrypted():
            if password is None:
                raise SigningKeyError(
                    "the secret key is encrypted: set VERIFIER_KEY_PASSWORD or run from a terminal to be asked",
                    code="password_required",
                )
            try:
                secret.decrypt(password)
            except minisign.Error:
                raise SigningKeyError("wrong password for that secret key", code="wrong_password") from None
        try:
            sig = secret.sign(data, prehash=True, untrusted_comment=SIGNATURE_UNTRUSTED_COMMENT, trusted_comment=trusted_comment)
        except minisign.Error as exc:
            raise SigningKeyError(f"cannot sign: {exc}", code="bad_secret_key") from None
        return bytes(sig) + b"\n"
    finally:
        secret.wipe()
