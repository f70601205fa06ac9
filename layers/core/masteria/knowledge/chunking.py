"""Sections into chunks of about ``max_tokens`` tokens, each overlapping the one before by about ``overlap`` tokens,
never across a section (so every chunk carries the one heading path it sits under).

Tokens are counted with the embedder's own tokenizer where it has one (``count_tokens``: the local wordllama
embedder's), so a chunk is what the model reads, never cut off by its limit. Otherwise (the OpenAI embedder, whose
tokenizer is not shipped) ``approximate_tokens`` counts one token per 4 characters, OpenAI's own rule of thumb for
English; Portuguese runs to a few more tokens per character, so those chunks come out somewhat longer in tokens than
the target, still far below any embedding model's limit (8,191 for OpenAI's).

A chunk is cut at paragraph ends where it can, else at sentence ends, else (a sentence longer than a chunk) between
words: each paragraph, sentence or run of words is at most ``max_tokens - overlap`` tokens, so that an overlap
always fits beside it. The overlap is the last whole sentences of the chunk before that fit in ``overlap``, or, when
the last one is longer, its last words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from masteria.knowledge.extraction import Section

MAX_TOKENS = 300
OVERLAP_TOKENS = 50
HEADING_SEPARATOR = " > "
CHARS_PER_TOKEN = 4
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n+")

TokenCounter = Callable[[Sequence[str]], list[int]]


def approximate_tokens(texts: Sequence[str]) -> list[int]:
    """One token per ``CHARS_PER_TOKEN`` characters (at least one for any text that is not blank)."""
    return [math.ceil(len(text) / CHARS_PER_TOKEN) if text.strip() else 0 for text in texts]


def counter_for(embedder: object) -> TokenCounter:
    """The embedder's own token counter if it has one, else ``approximate_tokens``."""
    counter = getattr(embedder, "count_tokens", None)
    return counter if callable(counter) else approximate_tokens


@dataclass(frozen=True)
class Chunk:
    position: int
    heading: str  # the heading path, "Billing > Refunds" ("" before any heading)
    text: str
    token_count: int

    @property
    def embedding_input(self) -> str:
        """What is embedded: the heading path, then the text (the heading says what the text is about)."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass(frozen=True)
class _Unit:
    text: str
    tokens: int
    paragraph_start: bool  # the first piece of a paragraph: joined to what precedes it by a blank line


def _pieces(paragraph: str, count: TokenCounter, max_tokens: int) -> list[tuple[str, int]]:
    """A paragraph too long for one chunk as sentences, and each sentence still too long as runs of words."""
    sentences = [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
    pieces: list[tuple[str, int]] = []
    for sentence, tokens in zip(sentences, count(sentences), strict=True):
        if tokens <= max_tokens:
            pieces.append((sentence, tokens))
            continue
        words = sentence.split()
        per_word = tokens / max(len(words), 1)
        step = max(1, int(max_tokens / per_word))
        runs = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
        for run, run_tokens in zip(runs, count(runs), strict=True):
            if run_tokens <= max_tokens or len(run.split()) == 1:
                pieces.append((run, run_tokens))
            else:  # the estimate was short: halve the run until it fits
                half = run.split()
                middle = len(half) // 2
                pieces.extend(_pieces(" ".join(half[:middle]) + "\n" + " ".join(half[middle:]), count, max_tokens))
    return pieces


def _units(text: str, count: TokenCounter, max_tokens: int) -> list[_Unit]:
    paragraphs = [p for p in (p.strip() for p in text.split("\n\n")) if p]
    units: list[_Unit] = []
    for paragraph, tokens in zip(paragraphs, count(paragraphs), strict=True):
        if tokens <= max_tokens:
            units.append(_Unit(paragraph, tokens, True))
            continue
        for index, (piece, piece_tokens) in enumerate(_pieces(paragraph, count, max_tokens)):
            units.append(_Unit(piece, piece_tokens, index == 0))
    return units


def _join(units: Sequence[_Unit]) -> str:
    out = ""
    for unit in units:
        out = unit.text if not out else out + ("\n\n" if unit.paragraph_start else " ") + unit.text
    return out


def _overlap(units: Sequence[_Unit], overlap: int) -> list[_Unit]:
    """The tail of a chunk the next one starts with: whole trailing units within ``overlap`` tokens, or the last
    words of the last unit when it alone is longer."""
    if overlap <= 0 or not units:
        return []
    kept: list[_Unit] = []
    total = 0
    for unit in reversed(units):
        if total + unit.tokens > overlap:
            break
        kept.insert(0, unit)
        total += unit.tokens
    if kept:
        return [_Unit(kept[0].text, kept[0].tokens, True), *kept[1:]]
    last = units[-1]
    words = last.text.split()
    take = max(1, int(len(words) * overlap / max(last.tokens, 1)))
    return [_Unit(" ".join(words[-take:]), min(overlap, last.tokens), True)]


def chunk_sections(
    sections: Sequence[Section],
    *,
    count: TokenCounter = approximate_tokens,
    max_tokens: int = MAX_TOKENS,
    overlap: int = OVERLAP_TOKENS,
) -> list[Chunk]:
    """Every section's text as chunks in document order, numbered from 0."""
    if not 0 <= overlap < max_tokens:
        raise ValueError("the overlap must be shorter than a chunk")
    drafts: list[tuple[str, str]] = []
    for section in sections:
        heading = HEADING_SEPARATOR.join(section.headings)
        current: list[_Unit] = []
        tokens = 0
        fresh = 0  # units of ``current`` that are not the overlap carried from the chunk before
        # pieces of at most ``max_tokens - overlap`` tokens, so that the overlap always fits beside the next one
        for unit in _units(section.text, count, max_tokens - overlap):
            if current and tokens + unit.tokens > max_tokens:
                if fresh:
                    drafts.append((heading, _join(current)))
                current = _overlap(current, overlap) if fresh else []
                tokens = sum(u.tokens for u in current)
                fresh = 0
                while current and tokens + unit.tokens > max_tokens:  # no room for the overlap beside this one
                    tokens -= current.pop(0).tokens
            current.append(unit)
            tokens += unit.tokens
            fresh += 1
        if current and fresh:
            drafts.append((heading, _join(current)))
    counts = count([text for _, text in drafts]) if drafts else []
    return [
        Chunk(position=n, heading=heading, text=text, token_count=tokens)
        for n, ((heading, text), tokens) in enumerate(zip(drafts, counts, strict=True))
    ]
