"""How an AI answer goes out like a person's: trimmed to the persona's length at a sentence boundary, a long one split
into a few messages at sentence boundaries, each sent after a delay that grows with what there is to read and type
(jittered, capped), with WhatsApp's typing indicator showing meanwhile. Pure: no clock, no I/O; the randomness
comes in as a ``random.Random``.

The delay before a part: ``BASE`` + the customer's burst read at ``READ_CHARS_PER_SECOND`` (before the first part
only) + the part typed at ``TYPE_CHARS_PER_SECOND``, times a jitter in [1 - ``JITTER``, 1 + ``JITTER``], within
[``MIN_DELAY``, ``MAX_DELAY``] (WhatsApp shows the typing indicator for up to 25 s: every delay stays under it).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

PART_CHARS = 320  # a part grows by whole sentences up to about this many characters
MAX_PARTS = 4  # a longer answer's remainder joins its last part
BASE = 0.8
READ_CHARS_PER_SECOND = 40.0  # reading a short chat message: a skim
TYPE_CHARS_PER_SECOND = 18.0  # a quick typist on a phone
JITTER = 0.2
MIN_DELAY = 1.0
MAX_DELAY = 12.0
ELLIPSIS = "…"

# a sentence ends at . ! ? … (with closing quotes or brackets) followed by whitespace; or at a line break
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'\u201d\u2019)\]]*\s+|\n+")
# abbreviations a sentence does not end at ("Sr. Silva", "e.g. this")
_ABBREVIATIONS = frozenset(
    [
        "sr",
        "sra",
        "srta",
        "dr",
        "dra",
        "prof",
        "profa",
        "av",
        "ex",
        "etc",
        "obs",
        "tel",
        "cel",
        "aprox",
        "nº",
        "no",
        "vs",
        "mr",
        "mrs",
        "ms",
        "st",
        "e.g",
        "i.e",
    ]
)


def _is_abbreviation(piece: str) -> bool:
    last = piece.rstrip().rsplit(None, 1)[-1] if piece.strip() else ""
    return last.rstrip(".").lower() in _ABBREVIATIONS and last.endswith(".")


def sentences(text: str) -> list[str]:
    """``text``'s sentences, in order, stripped; a paragraph break always ends one."""
    pieces: list[str] = []
    start = 0
    for found in _BOUNDARY.finditer(text):
        piece = text[start : found.start()]
        if "\n" not in found.group() and _is_abbreviation(piece):
            continue
        pieces.append(text[start : found.end()].strip())
        start = found.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def trim(text: str, max_chars: int) -> str:
    """``text`` within ``max_chars``: whole sentences from the start, as many as fit; a first sentence that alone
    is too long is cut at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    kept: list[str] = []
    for sentence in sentences(text):
        candidate = " ".join([*kept, sentence])
        if len(candidate) > max_chars:
            break
        kept.append(sentence)
    if kept:
        return " ".join(kept)
    cut = text[: max_chars - len(ELLIPSIS)]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def split(text: str, *, part_chars: int = PART_CHARS, max_parts: int = MAX_PARTS) -> list[str]:
    """``text`` as the messages it goes out in: one when short, else whole sentences grouped into parts of about
    ``part_chars`` (a sentence is never cut), a paragraph break ending a part, ``max_parts`` at most."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= part_chars and "\n\n" not in text:
        return [text]
    parts: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        current = ""
        for sentence in sentences(paragraph):
            if current and len(current) + 1 + len(sentence) > part_chars:
                parts.append(current)
                current = sentence
            else:
                current = f"{current} {sentence}" if current else sentence
        if current:
            parts.append(current)
    if len(parts) > max_parts:
        parts = [*parts[: max_parts - 1], " ".join(parts[max_parts - 1 :])]
    return parts


def delay(part: str, rng: random.Random, *, read: str = "") -> float:
    """Seconds to wait (typing) before sending ``part``, after reading ``read`` (the customer's burst, before the
    first part only)."""
    seconds = BASE + len(read) / READ_CHARS_PER_SECOND + len(part) / TYPE_CHARS_PER_SECOND
    seconds *= rng.uniform(1 - JITTER, 1 + JITTER)
    return min(MAX_DELAY, max(MIN_DELAY, seconds))


@dataclass(frozen=True)
class Planned:
    text: str
    send_at: datetime


def plan(parts: Sequence[str], *, read: str, start: datetime, rng: random.Random) -> list[Planned]:
    """When each part goes: the first after reading ``read`` and typing it, each next one typed after the one
    before it."""
    planned, at = [], start
    for index, part in enumerate(parts):
        at += timedelta(seconds=delay(part, rng, read=read if index == 0 else ""))
        planned.append(Planned(text=part, send_at=at))
    return planned
