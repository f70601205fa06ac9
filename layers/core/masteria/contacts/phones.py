"""Phone numbers: everything we store or send is E.164, normalized with ``phonenumbers``."""

from __future__ import annotations

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


def normalize(raw: str, region: str) -> str:
    """``raw`` in E.164 (``+5511912345678``), read in ``region`` unless it starts with ``+``/``00``."""
    text = raw.strip()
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
