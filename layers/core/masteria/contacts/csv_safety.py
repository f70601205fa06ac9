"""CSV cells that a spreadsheet cannot execute as formulas (OWASP "CSV injection").

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with a single
quote, which spreadsheets show as text. Phone numbers are exported without that risk: E.164 numbers
start with ``+``, so the phone column is written as its digits with the ``+`` kept but behind the
quote — the cell reads ``+5511912345678`` in a spreadsheet and parses back with ``phonenumbers``.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


def unsafe_cell(text: str) -> str:
    """The value a :func:`safe_cell` wrote (for re-importing our own exports)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_TRIGGERS) else text
