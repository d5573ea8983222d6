"""Phone numbers: E.164 when the number is valid, the digits (flagged) when it is not.

phonenumbers is only called on text that is already phone-shaped (the classifier's gate), both
because it is the slowest step of a check and because it would happily read digits out of text
that is not a phone number at all.
"""

from __future__ import annotations

import re

import phonenumbers

from verifier.errors import InvalidInputError
from verifier.model import Item, Observation

# "+86 138 0013 8000", "+1 (800) 555-0100", "008613800138000", "138-0013-8000".
_SHAPE = re.compile(r"\+?\(?[0-9][0-9 ().\-]{2,24}[0-9]")
_NOT_DIGIT = re.compile(r"[^0-9]")
MIN_DIGITS = 5
MAX_DIGITS = 17  # 15 for E.164, plus an international "00" prefix
# A bare national number is read as Chinese: the service's users are mostly in China, and
# the region is reported (phone_region_assumed) rather than silently trusted.
DEFAULT_REGION = "CN"


def looks_like(text: str) -> bool:
    """Phone-shaped: digits with the usual separators, 5 to 17 digits."""
    if not _SHAPE.fullmatch(text):
        return False
    count = len(_NOT_DIGIT.sub("", text))
    return MIN_DIGITS <= count <= MAX_DIGITS


def _e164(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse(text: str) -> Item:
    """A phone number as an :class:`Item` (``kind="phone"``).

    ``+…`` and ``00…`` are international; a bare number is tried as a national number of
    :data:`DEFAULT_REGION` (observation ``phone_region_assumed``). Anything not valid is kept
    as its digits with ``phone_unparsed``: short digit strings are as likely QQ numbers.
    """
    digits = _NOT_DIGIT.sub("", text)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise InvalidInputError(
            f"{text[:80]!r} has {len(digits)} digits; expected a phone number of {MIN_DIGITS} to 15 digits "
            "such as +86 138 0013 8000",
            code="invalid_phone",
        )
    observations: list[Observation] = []
    international = text.startswith("+") or digits.startswith("00")
    if text.startswith("+"):
        normalized = _e164(text, None)
    elif digits.startswith("00"):
        normalized = _e164("+" + digits[2:], None)
    else:
        normalized = _e164(text, DEFAULT_REGION)
        if normalized is not None:
            observations.append(Observation("phone_region_assumed", DEFAULT_REGION))
    if normalized is None:
        normalized = "+" + digits.removeprefix("00") if international else digits
        observations.append(Observation("phone_unparsed", normalized))
    return Item(raw=text, kind="phone", normalized=normalized, key=normalized, observations=tuple(observations))
