"""How an SMS text travels: GSM-7 when every character is in the GSM 03.38 alphabet, else UCS-2, and in how many
segments (what carriers bill).

A single message holds 160 GSM-7 septets or 70 UCS-2 code units; a longer one is split into parts that each lose
room to the concatenation header: 153 septets or 67 code units. A character of the GSM extension table (``€ [ ] { }
\\ ~ ^ |`` and form feed) takes two septets and is never split across parts, nor is a UTF-16 surrogate pair (an
emoji), so parts are counted by filling them, not by dividing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# GSM 03.38 basic character set (one septet each); the line feed and carriage return are in it.
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: an escape septet, then the character (two septets each).
_EXTENDED = frozenset("\f^{}\\[~]|€")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class Segments:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2) the whole text takes
    count: int  # segments the text is sent in (0 for an empty text)
    per_segment: int  # room in each segment of this text: 160/153 (GSM-7) or 70/67 (UCS-2)
    non_gsm: tuple[str, ...]  # the characters that forced UCS-2, first seen first (empty for GSM-7)


def _width(character: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if character in _EXTENDED else 1
    return 2 if ord(character) > 0xFFFF else 1  # a surrogate pair in UTF-16


def encoding_of(text: str) -> Encoding:
    return "gsm7" if all(c in _BASIC or c in _EXTENDED for c in text) else "ucs2"


def count(text: str) -> Segments:
    """The encoding, the units and the number of segments ``text`` is sent in."""
    encoding = encoding_of(text)
    widths = [_width(c, encoding) for c in text]
    units = sum(widths)
    non_gsm = tuple(dict.fromkeys(c for c in text if c not in _BASIC and c not in _EXTENDED))
    if units <= SINGLE[encoding]:
        return Segments(encoding, units, 1 if text else 0, SINGLE[encoding], non_gsm)
    room, parts, used = PART[encoding], 1, 0
    for width in widths:
        if used + width > room:  # this character starts the next part: it is never split
            parts, used = parts + 1, 0
        used += width
    return Segments(encoding, units, parts, room, non_gsm)
