"""The AI progression's pure checks: what counts as quoting the customer, a move's reason, and the tools'
arguments as a model sends them."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from masteria.ai.progression import REASON_MAX_LENGTH, ai_reason, normalized, quotes
from masteria.ai.progression_schemas import ProposeStageArguments, UpdateLeadArguments

SAID = ["Oi!", "Gostei muito do plano anual, AMANHÃ às 15h fica ótimo… pode ser?"]


@pytest.mark.parametrize(
    "evidence",
    [
        "amanhã às 15h",
        "AMANHA AS 15H",  # case and accents
        '"gostei muito do plano anual"',  # quotation marks, punctuation
        "oi gostei",  # across the burst's messages, in order
        "Gostei muito ... amanhã às 15h",  # words left out
        "plano anual […] pode ser?",
    ],
)
def test_the_customers_words_are_a_quote(evidence: str) -> None:
    assert quotes(evidence, SAID)


@pytest.mark.parametrize(
    "evidence",
    [
        "o cliente quer uma reunião",  # the model's words
        "amanhã às 16h",  # a word changed
        "15h amanhã",  # out of order
        "anual ... plano",  # parts out of order
        "gost",  # part of a word
        "...",  # nothing at all
        "",
    ],
)
def test_other_words_are_not(evidence: str) -> None:
    assert not quotes(evidence, SAID)


def test_nothing_is_quoted_from_no_messages() -> None:
    assert not quotes("oi", [])


def test_normalized_text_is_words_folded() -> None:
    assert normalized("  Reunião às 15h30, OK?! ") == "reuniao as 15h30 ok"


def test_a_reason_names_the_persona_version_model_and_confidence_and_fits_a_reason() -> None:
    short = ai_reason(persona_name="Ana", persona_version=3, model="gpt-4o-mini", confidence=0.925, quote="sim")
    assert short == 'AI Ana v3 (gpt-4o-mini), confidence 0.93: "sim"'
    long = ai_reason(persona_name="Ana", persona_version=3, model=None, confidence=1, quote="x" * 900, room=24)
    assert len(long) == REASON_MAX_LENGTH - 24 and long.endswith('…"') and "unknown model" in long


def test_a_models_arguments_are_checked_but_extra_names_ignored() -> None:
    stage = uuid.uuid4()
    parsed = ProposeStageArguments.model_validate(
        {"stage_id": str(stage), "confidence": 0.9, "evidence": "  sim  ", "why": "extra"}
    )
    assert (parsed.stage_id, parsed.confidence, parsed.evidence) == (stage, 0.9, "sim")
    for bad in ({"confidence": True}, {"confidence": 1.01}, {"confidence": float("nan")}, {"evidence": ""},
                {"evidence": "x" * 501}, {"evidence": "a\x00b"}, {"stage_id": "stage-2"}):  # fmt: skip
        with pytest.raises(ValidationError):
            ProposeStageArguments.model_validate({"stage_id": str(stage), "confidence": 0.5, "evidence": "x", **bad})
    assert UpdateLeadArguments.model_validate({"value": 10.5, "owner_id": "ignored"}).model_dump(exclude_none=True) == {
        "value": 10.5
    }
    refused: list[dict[str, object]] = [
        {"value": -1},
        {"value": 1.234},
        {"next_step": ""},
        {"custom_fields": {"k": [1]}},
    ]
    for wrong in refused:
        with pytest.raises(ValidationError):
            UpdateLeadArguments.model_validate(wrong)
