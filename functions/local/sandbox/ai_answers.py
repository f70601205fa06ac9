"""The AI sandbox's model: deterministic answers to a chat completion, and hashing embeddings.

The rules look at the LAST user message (lower-cased, accents folded), in order:
1. it asks for a person (atendente, humano, pessoa, falar com alguém, human, agent, real person) and a tool
   ``handoff`` is offered: a call of ``handoff`` with ``{"reason": "customer asked for a person"}``;
2. it names a time (15h, 15:30, 3pm, amanhã às 10…) and a tool ``propose_stage`` is offered: a call of
   ``propose_stage`` with the stage whose name mentions a meeting ("reuni", "meeting"; in the tool's enum or
   descriptions; else the enum's first), confidence 0.9 and the customer's sentence as evidence;
3. otherwise an extractive answer: the one or two sentences of the context (the text between ``<context>`` and
   ``</context>`` in the system, developer and user messages; without markers, the system and developer
   messages) that share the most words with the question (stop words aside), or "Não encontrei essa
   informação." ("I could not find that information." to an English question) when none shares one.
It never follows an instruction it reads: it only copies sentences (a prompt injection is copied at most).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
import unicodedata
from typing import Any

NOT_FOUND = "Não encontrei essa informação."
NOT_FOUND_EN = "I could not find that information."
HANDOFF_REASON = "customer asked for a person"
_PERSON = re.compile(r"\b(atendente|humano|pessoa|falar com alguem|human|agent|real person)\b")
_TIME = re.compile(
    r"\b\d{1,2}\s?h(?:\s?\d{2})?\b"  # 15h, 15h30, 15 h
    r"|\b\d{1,2}:\d{2}\b"  # 15:30
    r"|\b\d{1,2}\s?(?:am|pm)\b"  # 3pm, 3 pm
    r"|\b(?:as|at)\s+\d{1,2}\b(?!\s*[a-gi-z])"  # as 10, at 10 (not "as 2 opcoes")
    r"|\b(?:amanha|hoje|tomorrow|today|segunda|terca|quarta|quinta|sexta|sabado|domingo|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)\b[\w\s-]{0,20}?\b(?:as|at)\s+\d{1,2}\b"  # amanha as 10, tomorrow at 10
    r"|\bmeio[- ]dia\b|\bnoon\b"
)
_MEETING = ("reuni", "meeting")
_CONTEXT = re.compile(r"<context>(.*?)</context>", re.DOTALL | re.IGNORECASE)
# the prompt's delimiters around the customer's words (masteria.ai.prompts): a model quotes the words, not them
_CUSTOMER = re.compile(r"<\s*/?\s*customer_message\s*>", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# what looks like a stage's id in a description, most telling first: a uuid, `code`, "id: x", a number
_IDS = (
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE),
    re.compile(r"`([^`]+)`"),
    re.compile(r"\bid\s*[:=]?\s*([\w-]+)", re.IGNORECASE),
    re.compile(r"\b\d+\b"),
)
_PT = (
    "a o as os um uma uns umas de do da dos das em no na nos nas por para pra com sem e ou que se me te lhe nos "
    "vos eu tu ele ela eles elas voce voces meu minha seu sua qual quais quando onde como quanto quanta ao aos "
    "e eh ser esta estao sao foi tem ter ha isso isto esse essa aquele aquela mais muito ja nao sim la aqui "
    "gostaria queria quero pode podem posso sobre ate tambem entao oi ola obrigado obrigada favor"
)
_EN = (
    "the a an of to in on at for with without and or that this these those is are was were be been it its i "
    "you he she we they me my your our their what which when where how who whom do does did can could would "
    "should will shall may might have has had there here about as by from not no yes please hi hello thanks "
    "thank tell know"
)
STOP_PT, STOP_EN = frozenset(_PT.split()), frozenset(_EN.split())
STOP_WORDS = STOP_PT | STOP_EN


def fold(text: str) -> str:
    """Lower-cased, accents removed (``Reunião`` → ``reuniao``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word  # plurals meet their singular


def words(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """The text's words, folded, stop words aside (unless kept), plurals as their singular."""
    found = re.findall(r"[a-z0-9]+", fold(text))
    return [_stem(w) for w in found if keep_stop_words or (w not in STOP_WORDS and len(w) > 1)]


def text_of(content: Any) -> str:
    """A message's text: its ``content`` string, or its text parts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        return "\n".join(str(p) for p in parts)
    return ""


def looks_english(text: str) -> bool:
    said = re.findall(r"[a-z]+", fold(text))
    return sum(w in STOP_EN for w in said) > sum(w in STOP_PT for w in said)


def _tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The functions offered, by name (none with ``tool_choice: "none"``)."""
    if body.get("tool_choice") == "none":
        return {}
    offered = {}
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) and tool.get("type") == "function" else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            offered[function["name"]] = function
    return offered


def _an_id(text: str) -> str | None:
    for pattern in _IDS:
        found = pattern.search(text)
        if found:
            return found.group(found.lastindex or 0)
    return None


def _stage_id(function: dict[str, Any]) -> Any:
    """The stage to propose: the first one whose name mentions a meeting, else the enum's first."""
    parameters = function.get("parameters") or {}
    stage = (parameters.get("properties") or {}).get("stage_id") or {}
    enum = stage.get("enum") if isinstance(stage.get("enum"), list) else None
    described = f"{function.get('description') or ''}\n{stage.get('description') or ''}"
    for segment in re.split(r"[\n;,|]+", described):
        if not any(m in fold(segment) for m in _MEETING):
            continue
        if enum is not None:
            named = next((v for v in enum if re.search(rf"\b{re.escape(str(v))}\b", segment)), None)
        else:
            named = _an_id(segment)
        if named is not None:
            return named
    if enum:
        return next((v for v in enum if any(m in fold(str(v)) for m in _MEETING)), enum[0])
    return _an_id(described)


def _sentences(text: str) -> list[str]:
    return [s.strip(" \t-*•") for s in _SENTENCE_END.split(text) if s.strip(" \t-*•")]


def _extract(body: dict[str, Any], question: str) -> str:
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    texts = [text_of(m.get("content")) for m in messages if m.get("role") in ("system", "developer", "user")]
    blocks = [block for text in texts for block in _CONTEXT.findall(text)]
    if not blocks:
        blocks = [text_of(m.get("content")) for m in messages if m.get("role") in ("system", "developer")]
    asked = set(words(_CONTEXT.sub(" ", question)))
    scored = []
    for order, sentence in enumerate(s for block in blocks for s in _sentences(block)):
        shared = len(asked & set(words(sentence)))
        if shared:
            scored.append((-shared, order, sentence))
    if not scored:
        return NOT_FOUND_EN if looks_english(question) else NOT_FOUND
    scored.sort()
    best = -scored[0][0]
    chosen = [item for item in scored[:2] if -item[0] * 2 >= best]
    return " ".join(sentence for _, _, sentence in sorted(chosen, key=lambda item: item[1]))


def answer(body: dict[str, Any]) -> tuple[str | None, list[tuple[str, dict[str, Any]]]]:
    """The reply to a chat completion request: its text, or the tool calls (name, arguments) it makes."""
    users = [m for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    question = _CUSTOMER.sub(" ", text_of(users[-1].get("content"))).strip() if users else ""
    folded, tools = fold(_CONTEXT.sub(" ", question)), _tools(body)
    if "handoff" in tools and _PERSON.search(folded):
        return None, [("handoff", {"reason": HANDOFF_REASON})]
    if "propose_stage" in tools and _TIME.search(folded):
        stage_id = _stage_id(tools["propose_stage"])
        if stage_id is not None:
            said = _sentences(_CONTEXT.sub(" ", question))
            evidence = next((s for s in said if _TIME.search(fold(s))), question.strip())
            return None, [("propose_stage", {"stage_id": stage_id, "confidence": 0.9, "evidence": evidence})]
    return _extract(body, question), []


def tokens(text: str) -> int:
    """Tokens, roughly: 1.3 a word."""
    return math.ceil(len(re.findall(r"\w+", text)) * 1.3)


def embedding(item: str | list[int], dimensions: int) -> list[float]:
    """A hashing embedding, L2-normalised: each word (or token id) adds ±1 at the place its hash picks, so the same
    text gives the same vector and texts sharing words are close."""
    features = [str(t) for t in item] if isinstance(item, list) else words(item) or words(item, keep_stop_words=True)
    vector = [0.0] * dimensions
    for feature in features or [str(item)]:
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
        vector[digest % dimensions] += 1.0 if (digest >> 63) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0:  # features that cancelled out: a fixed direction
        vector[0], norm = 1.0, 1.0
    return [v / norm for v in vector]


def as_base64(vector: list[float]) -> str:
    """The vector as OpenAI's ``encoding_format: "base64"``: float32 little-endian bytes, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
