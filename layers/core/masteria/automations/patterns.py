"""A message trigger's keywords and regular expression.

Keywords match ignoring case and accents (``contacts.keywords.fold``: "PREÇO" matches "preco"), as whole words or
phrases anywhere in the message. A regular expression is checked when the rule is saved, since Python's engine
backtracks and a customer's message must never make a rule run for seconds: at most ``MAX_REGEX`` characters, no
backreferences, no repeated group that itself holds a repetition or an alternative (``(a+)+``, ``(a|aa)*``: the
patterns that backtrack exponentially) and at most ``MAX_UNBOUNDED`` unbounded repetitions in all (``.*a.*b`` is
quadratic at worst); it is matched, ignoring case, against the message's first ``MAX_TEXT`` characters only.
"""

from __future__ import annotations

import re

from masteria.contacts.keywords import fold

MAX_REGEX = 200
MAX_UNBOUNDED = 2
MAX_TEXT = 1000
_UNBOUNDED_BRACES = re.compile(r"\{\d*,\}")
_BRACES = re.compile(r"\{\d+(,\d*)?\}")


def keyword_found(text: str, keywords: list[str]) -> str | None:
    """The first of ``keywords`` found in ``text`` as a whole word or phrase, ignoring case and accents."""
    folded = fold(text[:MAX_TEXT])
    for keyword in keywords:
        wanted = fold(keyword)
        if wanted and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", folded):
            return keyword
    return None


def regex_found(pattern: str, text: str) -> str | None:
    """The first match of ``pattern`` (a checked one) in ``text``, ignoring case (its first 100 characters)."""
    found = re.search(pattern, text[:MAX_TEXT], re.IGNORECASE)
    return found.group(0)[:100] if found is not None else None


def _quantifier_at(pattern: str, index: int) -> tuple[int, bool] | None:
    """The length of the quantifier starting at ``index`` and whether it is unbounded (None: none there)."""
    if index >= len(pattern):
        return None
    if pattern[index] in "*+":
        return 1, True
    if pattern[index] == "?":
        return 1, False
    braces = _BRACES.match(pattern, index)
    if braces is not None:
        return len(braces.group(0)), bool(_UNBOUNDED_BRACES.fullmatch(braces.group(0)))
    return None


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` may not be a trigger's regular expression (None: it may)."""
    if len(pattern) > MAX_REGEX:
        return f"at most {MAX_REGEX} characters"
    try:
        re.compile(pattern)
    except re.error as error:
        return f"not a regular expression: {error.msg}"
    # each open group: whether it holds a repetition or an alternative so far
    groups: list[bool] = []
    unbounded, index, in_class = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if (
                not in_class
                and index + 1 < len(pattern)
                and (pattern[index + 1].isdigit() or pattern[index + 1] == "k")
            ):
                return "backreferences are not allowed"
            index += 2
            repeated = _quantifier_at(pattern, index)
        elif in_class:
            in_class = char != "]"
            index += 1
            continue
        elif char == "[":
            in_class = True
            index += 1
            if index < len(pattern) and pattern[index] == "^":
                index += 1
            if index < len(pattern) and pattern[index] == "]":
                index += 1
            continue
        elif char == "(":
            if pattern.startswith("(?P=", index):
                return "backreferences are not allowed"
            groups.append(False)
            index += 1
            continue
        elif char == "|":
            if groups:
                groups[-1] = True
            index += 1
            continue
        elif char == ")":
            risky = groups.pop() if groups else False
            index += 1
            repeated = _quantifier_at(pattern, index)
            if repeated is not None and risky:
                return "a repeated group may not hold a repetition or an alternative, like (a+)+ or (a|b)*"
            if groups and (risky or repeated is not None):
                groups[-1] = True
        else:
            index += 1
            repeated = _quantifier_at(pattern, index)
        if repeated is None:
            continue
        length, is_unbounded = repeated
        unbounded += int(is_unbounded)
        if groups:
            groups[-1] = True
        index += length
        if index < len(pattern) and pattern[index] in "?+":  # lazy or possessive
            index += 1
    if unbounded > MAX_UNBOUNDED:
        return f"at most {MAX_UNBOUNDED} unbounded repetitions (*, +, {{n,}})"
    return None
