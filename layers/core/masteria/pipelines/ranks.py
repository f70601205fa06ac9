"""Fractional ranks: strings that sort a column's cards, with a new one between any two, so a move writes one row
and never renumbers the column.

David Greenspan's "fractional indexing" (the scheme Figma and Linear use): a key is a variable-length integer part
(its first character says its length: ``a`` has one digit after it, ``b`` two… and ``Z`` one, ``Y`` two… for the
negatives) then a fraction in base 62 with no trailing zero. Appending or prepending steps the integer (a column
filled one card at a time keeps short keys); a key between two others takes the midpoint of their fractions.
Keys compare byte by byte (``0-9 < A-Z < a-z``): the database column uses the ``C`` collation.

(PyPI's ``fractional-indexing`` implements the same, but untyped, last released in 2023, and it pulls setuptools
in as a runtime dependency of the Lambda layer; this is the algorithm alone.)
"""

from __future__ import annotations

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
_ZERO = DIGITS[0]
_SMALLEST_INTEGER = "A" + _ZERO * 26  # reserved: nothing could be put before it
FIRST = "a" + _ZERO  # the rank of the first card of an empty column


class RankError(ValueError):
    """A key that is not a rank, or two ranks out of order."""


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise RankError(f"invalid rank head {head!r}")


def _split(key: str) -> tuple[str, str]:
    if not key:
        raise RankError("empty rank")
    length = _integer_length(key[0])
    if len(key) < length:
        raise RankError(f"invalid rank {key!r}")
    integer, fraction = key[:length], key[length:]
    if any(c not in DIGITS for c in key[1:]):
        raise RankError(f"invalid rank {key!r}")
    if (integer == _SMALLEST_INTEGER and not fraction) or fraction.endswith(_ZERO):
        raise RankError(f"invalid rank {key!r}")
    return integer, fraction


def validate(key: str) -> str:
    """``key`` when it is a rank, else ``RankError``."""
    _split(key)
    return key


def _midpoint(a: str, b: str | None) -> str:
    """A fraction strictly between fractions ``a`` and ``b`` (``""`` is zero, ``None`` is one), no trailing zero."""
    if b is not None and a >= b:
        raise RankError(f"{a!r} >= {b!r}")
    if b:
        common = 0
        for x, y in zip(a.ljust(len(b), _ZERO), b, strict=False):
            if x != y:
                break
            common += 1
        if common:
            return b[:common] + _midpoint(a[common:], b[common:])
    digit_a = DIGITS.index(a[0]) if a else 0
    digit_b = DIGITS.index(b[0]) if b is not None else _BASE
    if digit_b - digit_a > 1:
        return DIGITS[(digit_a + digit_b + 1) // 2]
    if b is not None and len(b) > 1:
        return b[:1]
    return DIGITS[digit_a] + _midpoint(a[1:], None)


def _increment(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    for i in reversed(range(len(digits))):
        position = DIGITS.index(digits[i]) + 1
        if position < _BASE:
            digits[i] = DIGITS[position]
            return head + "".join(digits)
        digits[i] = _ZERO
    if head == "Z":
        return "a" + _ZERO
    if head == "z":
        return None
    head = chr(ord(head) + 1)
    if head > "a":
        digits.append(_ZERO)
    else:
        digits.pop()
    return head + "".join(digits)


def _decrement(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    for i in reversed(range(len(digits))):
        position = DIGITS.index(digits[i]) - 1
        if position >= 0:
            digits[i] = DIGITS[position]
            return head + "".join(digits)
        digits[i] = DIGITS[-1]
    if head == "a":
        return "Z" + DIGITS[-1]
    if head == "A":
        return None
    head = chr(ord(head) - 1)
    if head < "Z":
        digits.append(DIGITS[-1])
    else:
        digits.pop()
    return head + "".join(digits)


def between(a: str | None, b: str | None) -> str:
    """A rank strictly after ``a`` and before ``b`` (``None``: the column's start or end)."""
    if a is not None and b is not None and a >= b:
        raise RankError(f"{a!r} >= {b!r}")
    if a is None and b is None:
        return FIRST
    if a is None:
        assert b is not None
        integer, fraction = _split(b)
        if integer == _SMALLEST_INTEGER:
            return integer + _midpoint("", fraction)
        if fraction:
            return integer
        lower = _decrement(integer)
        if lower is None:
            raise RankError("no rank before the smallest")  # pragma: no cover - 62**26 cards prepended
        return lower
    integer_a, fraction_a = _split(a)
    if b is None:
        higher = _increment(integer_a)
        return integer_a + _midpoint(fraction_a, None) if higher is None else higher
    integer_b, fraction_b = _split(b)
    if integer_a == integer_b:
        return integer_a + _midpoint(fraction_a, fraction_b)
    higher = _increment(integer_a)
    if higher is not None and higher < b:
        return higher
    return integer_a + _midpoint(fraction_a, None)


def spread(a: str | None, b: str | None, count: int) -> list[str]:
    """``count`` ranks in order strictly between ``a`` and ``b`` (short ones: bisected, not chained)."""
    if count <= 0:
        return []
    if count == 1:
        return [between(a, b)]
    if b is None:
        keys = [between(a, None)]
        for _ in range(count - 1):
            keys.append(between(keys[-1], None))
        return keys
    if a is None:
        keys = [between(None, b)]
        for _ in range(count - 1):
            keys.append(between(None, keys[-1]))
        return list(reversed(keys))
    middle = between(a, b)
    half = count // 2
    return [*spread(a, middle, half), middle, *spread(middle, b, count - half - 1)]
