"""What a model call cost, from its ``Usage`` and a price table: recorded per company, so a company's AI spend can be
shown and capped. Pure: no clock, no I/O.

Prices are USD per million tokens, input and output, as the providers list them for standard (not batch, not
cached-input) requests; a model not in the table costs 0 and says so (``priced=False``) rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from masteria.ai.shapes import Usage

_MILLION = Decimal(1_000_000)
_SNAPSHOT = re.compile(r"^-\d{4}-\d{2}-\d{2}$")  # a dated snapshot of a model: gpt-4o-mini-2024-07-18


@dataclass(frozen=True)
class Price:
    input_per_million: Decimal
    output_per_million: Decimal = Decimal(0)


@dataclass(frozen=True)
class Cost:
    usd: Decimal
    priced: bool  # False: the model is not in the price table and ``usd`` is 0, not an estimate


# OpenAI's list prices (standard tier); the local embedder runs on our own machine.
PRICES: Mapping[str, Price] = {
    "gpt-4o-mini": Price(Decimal("0.15"), Decimal("0.60")),
    "gpt-4o": Price(Decimal("2.50"), Decimal("10.00")),
    "gpt-4.1": Price(Decimal("2.00"), Decimal("8.00")),
    "gpt-4.1-mini": Price(Decimal("0.40"), Decimal("1.60")),
    "gpt-4.1-nano": Price(Decimal("0.10"), Decimal("0.40")),
    "gpt-5": Price(Decimal("1.25"), Decimal("10.00")),
    "gpt-5-mini": Price(Decimal("0.25"), Decimal("2.00")),
    "gpt-5-nano": Price(Decimal("0.05"), Decimal("0.40")),
    "text-embedding-3-small": Price(Decimal("0.02")),
    "text-embedding-3-large": Price(Decimal("0.13")),
    "text-embedding-ada-002": Price(Decimal("0.10")),
    "wordllama-l2-supercat-256": Price(Decimal(0)),
}


def price_of(model: str, prices: Mapping[str, Price] = PRICES) -> Price | None:
    """The model's price; a dated snapshot (what the API names in its answers) is priced as its model."""
    if model in prices:
        return prices[model]
    for name in sorted(prices, key=len, reverse=True):
        if model.startswith(name) and _SNAPSHOT.match(model[len(name) :]):
            return prices[name]
    return None


def estimate_cost(usage: Usage, model: str, prices: Mapping[str, Price] = PRICES) -> Cost:
    price = price_of(model, prices)
    if price is None:
        return Cost(usd=Decimal(0), priced=False)
    usd = (
        usage.prompt_tokens * price.input_per_million + usage.completion_tokens * price.output_per_million
    ) / _MILLION
    return Cost(usd=usd, priced=True)
