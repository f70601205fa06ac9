"""Phone numbers: everything we store or send is E.164, normalized with ``phonenumbers``."""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "the country code is not valid",
    phonenumbers.ValidationResult.TOO_SHORT: "the number is too short",
    phonenumbers.ValidationResult.TOO_LONG: "the number is too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "the number has an invalid length for its region",
}


class InvalidPhone(ValueError):
    """A phone number that cannot be normalized; ``str()`` says why, for the user."""


_PUNCTUATION = str.maketrans("", "", " ()-./")


@functools.cache
def _country_code(prefix: str) -> tuple[int, int]:
    """(country code, its length in digits) that ``prefix`` (up to three digits) starts with; (0, 0) if none."""
    for size in (1, 2, 3):
        code = int(prefix[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code, size
    return 0, 0


def _fast(text: str, region: str) -> str | None:
    """E.164 without ``phonenumbers.parse`` for the common shapes (``+<digits>``, or plain national
    digits), accepted only when the library says the number is valid; anything else takes the full
    parse. A number valid as written is exactly what ``parse`` would also return, because parse only
    strips prefixes from numbers that are not valid whole."""
    digits = text.translate(_PUNCTUATION)
    if digits[:1] == "+":
        if not digits[1:].isdigit() or digits[1] == "0":
            return None
        code, size = _country_code(digits[1:4])
        national = digits[1 + size :]
    else:
        code = phonenumbers.country_code_for_region(region)
        national = digits
    if not code or not national.isdigit() or national[0] == "0":
        return None  # leading zeros (trunk prefixes, Italian numbers) need the full parse
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return f"+{code}{national}" if phonenumbers.is_valid_number(number) else None


def normalize(raw: str, region: str) -> str:
    """``raw`` in E.164 (``+5511912345678``), read in ``region`` unless it starts with ``+``/``00``."""
    text = raw.strip()
    fast = _fast(text, region.upper()) if text else None
    if fast is not None:
        return fast
    if not text:
        raise InvalidPhone("the phone number is empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region.upper())
    except NumberParseException as error:
        raise InvalidPhone(f"not a phone number: {error._msg}") from error
    if not phonenumbers.is_valid_number(number):
        reason = _REASONS.get(phonenumbers.is_possible_number_with_reason(number), "it is not a valid number")
        raise InvalidPhone(f"invalid phone number for region {region.upper()}: {reason}")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
