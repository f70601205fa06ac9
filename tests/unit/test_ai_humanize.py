"""How an AI answer goes out like a person's (masteria.ai.humanize), and the handoff's detectors on the customer's
words (masteria.ai.handoff): pure functions, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from masteria.ai import handoff, humanize

LONG = (
    "O plano básico custa 49 reais por mês e inclui até três usuários. O plano pro custa 99 reais e não tem limite "
    "de usuários. A entrega do equipamento leva dois dias úteis nas capitais. No interior, o prazo é de até cinco "
    "dias úteis. Você pode cancelar quando quiser, sem multa! Quer que eu te mande o link de contratação? O Sr. "
    "Silva, nosso consultor, também pode te ligar."
)


def test_sentences_end_at_punctuation_and_line_breaks_but_not_at_abbreviations() -> None:
    said = humanize.sentences('Oi! Tudo bem? O Sr. Silva disse "ok." Depois\nligou. R$ 49.90 é o preço…  Fim')
    assert said == ["Oi!", "Tudo bem?", 'O Sr. Silva disse "ok."', "Depois", "ligou.", "R$ 49.90 é o preço…", "Fim"]


def test_a_short_answer_is_left_whole() -> None:
    assert humanize.trim("Custa 49 reais.", 600) == "Custa 49 reais."
    assert humanize.split("Custa 49 reais. Entrega em dois dias.") == ["Custa 49 reais. Entrega em dois dias."]


def test_trimming_keeps_whole_sentences_within_the_limit() -> None:
    trimmed = humanize.trim(LONG, 150)
    assert len(trimmed) <= 150
    assert trimmed.endswith("usuários.")  # the sentence that would cross the limit is left out whole
    assert LONG.startswith(trimmed)


def test_a_first_sentence_longer_than_the_limit_is_cut_at_a_word_with_an_ellipsis() -> None:
    trimmed = humanize.trim("palavra " * 40, 50)
    assert len(trimmed) <= 50 and trimmed.endswith("…") and not trimmed.endswith(" …")
    assert "palavr…" not in trimmed  # never in the middle of a word


def test_a_long_answer_is_split_at_sentence_boundaries_into_a_few_parts() -> None:
    parts = humanize.split(LONG, part_chars=120)
    assert len(parts) > 1
    assert " ".join(parts) == " ".join(humanize.sentences(LONG))  # nothing lost, nothing cut mid-sentence
    assert all(part[-1] in ".!?…" for part in parts)
    assert all(len(part) <= 120 for part in parts[:-1])


def test_a_paragraph_break_ends_a_part_and_the_parts_are_capped() -> None:
    assert humanize.split("Primeiro.\n\nSegundo.") == ["Primeiro.", "Segundo."]
    many = " ".join(f"Frase número {n} com algum texto." for n in range(40))
    parts = humanize.split(many, part_chars=60, max_parts=3)
    assert len(parts) == 3 and " ".join(parts) == many


def test_the_delay_grows_with_the_length_jittered_and_capped() -> None:
    short = [humanize.delay("Sim.", random.Random(seed)) for seed in range(50)]
    longer = [humanize.delay("x" * 120, random.Random(seed)) for seed in range(50)]
    assert min(longer) > max(short)
    assert min(short) >= humanize.MIN_DELAY
    assert len({humanize.delay("x" * 40, random.Random(seed)) for seed in range(50)}) == 50  # jittered
    assert humanize.delay("x" * 4000, random.Random(1)) == humanize.MAX_DELAY
    assert humanize.MAX_DELAY < 25  # under WhatsApp's typing indicator
    # reading the customer's burst adds to the first part's delay
    rng = random.Random(7)
    assert humanize.delay("Sim, temos.", random.Random(7), read="y" * 200) > humanize.delay("Sim, temos.", rng)


def test_the_delay_is_the_same_for_the_same_seed() -> None:
    assert humanize.delay("Olá, tudo bem?", random.Random(3)) == humanize.delay("Olá, tudo bem?", random.Random(3))


def test_a_plan_spaces_the_parts_one_after_another() -> None:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    planned = humanize.plan(["Primeira parte.", "Segunda parte, mais longa que a primeira."], read="oi", start=start,
                            rng=random.Random(1))  # fmt: skip
    first, second = (p.send_at for p in planned)
    assert (
        start + timedelta(seconds=humanize.MIN_DELAY)
        <= first
        < second
        <= start + 2 * timedelta(seconds=humanize.MAX_DELAY)
    )


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Quero falar com um atendente", True),
        ("posso falar com alguém?", True),
        ("Prefiro um HUMANO", True),
        ("I want to talk to a real person", True),
        ("Qual o preço do plano?", False),
        ("Obrigado pela atenção", False),
    ],
)
def test_a_request_for_a_person_is_recognised(text: str, asks: bool) -> None:
    assert handoff.asks_for_person(text) is asks


def test_a_blocked_topic_is_found_as_whole_words_accents_and_case_aside() -> None:
    topics = ["Política", "reembolso judicial"]
    assert handoff.blocked_topic("o que vocês acham da politica?", topics) == "Política"
    assert handoff.blocked_topic("Quero um REEMBOLSO JUDICIAL", topics) == "reembolso judicial"
    assert handoff.blocked_topic("quero um reembolso", topics) is None
    assert handoff.blocked_topic("despoliticado", topics) is None


def test_an_answer_that_found_nothing_is_recognised() -> None:
    assert handoff.is_not_found("Não encontrei essa informação.")
    assert handoff.is_not_found("I could not find that information.")
    assert handoff.is_not_found("Não sei, desculpe.")
    assert not handoff.is_not_found("O plano custa 49 reais.")
