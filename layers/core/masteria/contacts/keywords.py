"""Is an inbound text a stop request or an opt-in? The inbound pipeline asks this one module."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable

DEFAULT_STOP_KEYWORDS = ("STOP", "SAIR", "PARAR", "CANCELAR", "DESCADASTRAR", "UNSUBSCRIBE")
# Not "SIM" or "VOLTAR": everyday answers ("yes", "go back") must not opt anyone in by themselves.
DEFAULT_OPT_IN_KEYWORDS = ("START", "SUBSCRIBE", "VOLTAR A RECEBER")

# Punctuation around a keyword ("Stop!", "¿parar?") does not change its meaning.
_STRIP = string.whitespace + string.punctuation + "\u00a1\u00bf\u2026\u201c\u201d\u2018\u2019\u00ab\u00bb"


def fold(text: str) -> str:
    """Case-, accent- and surrounding-punctuation-insensitive form: ``" Sáir! "`` → ``"sair"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_accents.casefold().strip(_STRIP).split())


def _matches(text: str, keywords: Iterable[str]) -> bool:
    folded = fold(text)
    return bool(folded) and folded in {fold(k) for k in keywords}


def is_stop_request(text: str, keywords: Iterable[str] = DEFAULT_STOP_KEYWORDS) -> bool:
    """True when the whole message is one of the stop keywords (``"please stop"`` is not)."""
    return _matches(text, keywords)


def is_opt_in(text: str, keywords: Iterable[str] = DEFAULT_OPT_IN_KEYWORDS) -> bool:
    """True when the whole message is one of the opt-in keywords."""
    return _matches(text, keywords)
