"""What a model call costs: list prices per million tokens, dated snapshots priced as their model, unknown models
unpriced rather than guessed."""

from __future__ import annotations

from decimal import Decimal

from masteria.ai.shapes import Usage
from masteria.ai.usage import Price, estimate_cost, price_of


def test_input_and_output_tokens_are_priced_per_million() -> None:
    cost = estimate_cost(Usage(prompt_tokens=1_000_000, completion_tokens=500_000), "gpt-4o-mini")
    assert (cost.usd, cost.priced) == (Decimal("0.15") + Decimal("0.30"), True)
    assert estimate_cost(Usage(prompt_tokens=1200, completion_tokens=300), "gpt-4o-mini").usd == Decimal("0.00036")


def test_a_dated_snapshot_is_priced_as_its_model_and_not_as_a_shorter_name() -> None:
    assert price_of("gpt-4o-mini-2024-07-18") == price_of("gpt-4o-mini")
    assert price_of("gpt-4o-2024-08-06") == price_of("gpt-4o")
    assert price_of("gpt-4o-mini") != price_of("gpt-4o")
    assert price_of("gpt-4o-audio-preview") is None  # not a snapshot of gpt-4o: another model, another price


def test_an_unknown_model_costs_nothing_and_says_it_was_not_priced() -> None:
    cost = estimate_cost(Usage(prompt_tokens=10, completion_tokens=10), "llama3.1:8b")
    assert (cost.usd, cost.priced) == (Decimal(0), False)


def test_embeddings_have_no_output_price_and_the_local_embedder_is_free() -> None:
    assert estimate_cost(Usage(prompt_tokens=2_000_000), "text-embedding-3-small").usd == Decimal("0.04")
    local = estimate_cost(Usage(prompt_tokens=10**9), "wordllama-l2-supercat-256")
    assert (local.usd, local.priced) == (Decimal(0), True)


def test_a_table_of_ones_own_replaces_the_list_prices() -> None:
    prices = {"my-model": Price(Decimal(1), Decimal(2))}
    assert estimate_cost(Usage(prompt_tokens=500_000, completion_tokens=500_000), "my-model", prices).usd == Decimal(
        "1.5"
    )
    assert not estimate_cost(Usage(prompt_tokens=1), "gpt-4o-mini", prices).priced
