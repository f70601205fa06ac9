"""Phone numbers: everything we store or send is E.164, normalized with ``phonenumbers``."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat

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


@dataclass(frozen=True)
class _Pattern:
    lengths: frozenset[int]  # empty: any length
    regex: re.Pattern[str]

    def matches(self, national: str) -> bool:
        return (not self.lengths or len(national) in self.lengths) and self.regex.fullmatch(national) is not None


# Every kind of number a region's metadata describes; ``phonenumbers`` calls a number valid when it fits the
# region's general pattern and the pattern of one of these.
_KINDS = (
    "mobile", "fixed_line", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail",
)  # fmt: skip


def _pattern(desc: object) -> _Pattern | None:
    regex = getattr(desc, "national_number_pattern", None)
    return _Pattern(frozenset(getattr(desc, "possible_length", ())), re.compile(regex)) if regex else None


@functools.cache
def _validity(code: int) -> tuple[_Pattern, tuple[_Pattern, ...]] | None:
    """The general pattern and the kinds' patterns of the one region of country ``code``, compiled once (a code
    shared by several regions, such as +1, is left to ``phonenumbers``, which tells them apart)."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0]) if len(regions) == 1 else None
    general = _pattern(metadata.general_desc) if metadata is not None else None
    if metadata is None or general is None:
        return None
    kinds = tuple(p for p in (_pattern(getattr(metadata, kind)) for kind in _KINDS) if p is not None)
    return general, kinds


def _valid(code: int, national: str) -> bool:
    """``phonenumbers.is_valid_number`` for a national number without leading zeros, in a quarter of its time:
    the same metadata and test (the general pattern and any kind's), with patterns compiled once and the
    commonest kinds tried first (the library tries mobile last, after eight rarer kinds)."""
    validity = _validity(code)
    if validity is None:
        return bool(
            phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=code, national_number=int(national)))
        )
    general, kinds = validity
    return general.matches(national) and any(kind.matches(national) for kind in kinds)


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
    return f"+{code}{national}" if _valid(code, national) else None


def normalize(raw: str, region: str) -> str:
    """``raw`` in E.164 (``+5511912345678``), read in ``region`` unless it starts with ``+``/``00``."""
    text = raw.strip()
    if any(c.isalpha() for c in text):  # phonenumbers reads keypad letters as digits: 0800-FLORES is no number
        raise InvalidPhone("not a phone number: it has letters")
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
