"""Wallet addresses: EVM, TRON, Bitcoin (base58 and bech32/bech32m) and Solana.

Checksums are verified where the format has one (base58check with double SHA-256, BIP-173 /
BIP-350 bech32); an address-shaped string whose checksum fails is still reported as an address,
with ``wallet_checksum_invalid``, because a one-character change is exactly what an address
poisoning scam looks like. EVM mixed-case (EIP-55) checksums need Keccak, which the standard
library lacks: they are flagged ``evm_checksum_unverified`` instead of being trusted.
"""

from __future__ import annotations

import functools
import hashlib
import re

from verifier.errors import InvalidInputError
from verifier.model import Item, Observation

# The chain named by ``platform`` when a caller says which chain an address is on.
CHAIN_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("evm", "ethereum", "eth", "erc20", "bsc", "bnb", "bep20", "polygon", "matic", "arbitrum", "optimism",
         "base", "avalanche", "avax", "heco", "okc", "linea", "zksync"),
        "evm",
    ),
    **dict.fromkeys(("tron", "trx", "trc20"), "tron"),
    **dict.fromkeys(("bitcoin", "btc"), "bitcoin"),
    **dict.fromkeys(("solana", "sol", "spl"), "solana"),
}

# Each chain key as a person reads it (en, zh): reasons and pages never show the bare key ("evm").
CHAIN_NAMES: dict[str, tuple[str, str]] = {
    "evm": ("Ethereum/EVM", "以太坊/EVM"),
    "tron": ("TRON", "波场 TRON"),
    "bitcoin": ("Bitcoin", "比特币"),
    "solana": ("Solana", "Solana"),
}

_EVM = re.compile(r"0x[0-9a-fA-F]{40}")
_BECH32_SHAPE = re.compile(r"(?:bc|tb)1[02-9ac-hj-np-z]{6,87}|(?:BC|TB)1[02-9AC-HJ-NP-Z]{6,87}")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_SHAPE = re.compile(f"[{_B58}]{{25,44}}")
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32M_CONST = 0x2BC830A3
# Base58check version byte expected for each leading character.
_BTC_VERSIONS = {"1": 0x00, "3": 0x05}
_TRON_VERSION = 0x41


def get_chain(name: str | None) -> str | None:
    """The chain key (``evm``, ``tron``, ``bitcoin``, ``solana``) for a chain name, or None."""
    return CHAIN_ALIASES.get(name.strip().casefold()) if name else None


def b58decode(text: str) -> bytes | None:
    """Base58 (Bitcoin alphabet) to bytes; None if a character is outside the alphabet."""
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _check58(raw: bytes, version: int) -> bool:
    """A 25-byte base58check payload with this version byte and a good double-SHA-256 checksum."""
    if len(raw) != 25 or raw[0] != version:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_BECH32_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _convertbits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    acc = bits = 0
    out = []
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & ((1 << tobits) - 1))
    if bits >= frombits or (acc << (tobits - bits)) & ((1 << tobits) - 1):
        return None  # BIP-173: no more than 4 bits of zero padding
    return out


def segwit_valid(address: str) -> bool:
    """BIP-173 (witness v0, bech32) / BIP-350 (v1+, bech32m) address check, ``bc`` or ``tb``."""
    address = address.lower()
    hrp, _, rest = address.rpartition("1")
    data = [_BECH32_CHARSET.find(c) for c in rest]
    if len(address) > 90 or hrp not in ("bc", "tb") or len(data) < 7 or -1 in data:
        return False
    const = _polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    version = data[0]
    if version > 16 or const != (1 if version == 0 else _BECH32M_CONST):
        return False
    program = _convertbits(data[1:-6], 5, 8)
    if program is None or not 2 <= len(program) <= 40:
        return False
    return version != 0 or len(program) in (20, 32)


@functools.lru_cache(maxsize=4096)
def identify(text: str) -> tuple[str, tuple[Observation, ...]] | None:
    """``(chain, observations)`` if ``text`` is shaped like an address, else None."""
    if _EVM.fullmatch(text):
        body = text[2:]
        mixed = body != body.lower() and body != body.upper()
        return "evm", ((Observation("evm_checksum_unverified", text),) if mixed else ())
    if _BECH32_SHAPE.fullmatch(text):
        obs = () if segwit_valid(text) else (Observation("wallet_checksum_invalid", "bech32"),)
        if text[:2].lower() == "tb":
            obs += (Observation("testnet_address", "bitcoin testnet"),)
        return "bitcoin", obs
    if not _B58_SHAPE.fullmatch(text):
        return None
    raw = b58decode(text)
    if raw is None:
        return None
    if text[0] == "T" and len(text) == 34:
        ok = _check58(raw, _TRON_VERSION)
        return "tron", (() if ok else (Observation("wallet_checksum_invalid", "base58check"),))
    if text[0] in _BTC_VERSIONS and 26 <= len(text) <= 35 and _check58(raw, _BTC_VERSIONS[text[0]]):
        return "bitcoin", ()
    if 32 <= len(text) <= 44 and len(raw) == 32:
        return "solana", ()
    if text[0] in _BTC_VERSIONS and 26 <= len(text) <= 35:
        return "bitcoin", (Observation("wallet_checksum_invalid", "base58check"),)
    return None


def looks_like(text: str) -> bool:
    """Cheap gate for the classifier: could this be an address at all?"""
    return 14 <= len(text) <= 90 and identify(text) is not None


def parse(text: str, chain: str | None = None) -> Item:
    """An address as an :class:`Item` (``kind="wallet_address"``, ``platform`` = chain key).

    ``normalized`` is the address as given (case matters in base58 and EIP-55), except bech32,
    which is case-insensitive and lower-cased. A ``chain`` the caller named that does not
    match the address format adds ``chain_mismatch``.
    """
    found = identify(text)
    if found is None:
        raise InvalidInputError(
            f"{text[:80]!r} is not a wallet address; expected an EVM 0x address, a TRON T… address, "
            "a Bitcoin address or a Solana address",
            code="invalid_wallet_address",
        )
    detected, observations = found
    normalized = text.lower() if _BECH32_SHAPE.fullmatch(text) else text
    if chain is not None and chain != detected:
        observations += (Observation("chain_mismatch", f"expected {chain}, looks like {detected}"),)
    return Item(
        raw=text,
        kind="wallet_address",
        normalized=normalized,
        key=normalized,
        platform=detected,
        observations=observations,
    )
