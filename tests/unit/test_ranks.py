"""Fractional ranks: a key strictly between any two, in byte order, staying short where boards put cards."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masteria.pipelines import ranks


def _ordered(keys: list[str]) -> bool:
    encoded = [k.encode("ascii") for k in keys]  # the C collation's order: bytes
    return all(a < b for a, b in pairwise(encoded))


def test_the_first_key_and_keys_around_it() -> None:
    assert ranks.between(None, None) == "a0"
    assert ranks.between("a0", None) == "a1"
    assert ranks.between(None, "a0") == "Zz"
    assert ranks.between("a0", "a1") == "a0V"
    assert ranks.between("a0", "a0V") == "a0G"
    assert ranks.between("az", None) == "b00"  # the integer part grows a digit, not the fraction
    assert ranks.between(None, "Z0") == "Yzz"


@pytest.mark.parametrize("bad", ["", "a", "b0", "a00", "A" + "0" * 26, "a0!", "é0", "1"])
def test_what_is_not_a_rank_is_refused(bad: str) -> None:
    with pytest.raises(ranks.RankError):
        ranks.validate(bad)


def test_out_of_order_bounds_are_refused() -> None:
    with pytest.raises(ranks.RankError):
        ranks.between("a1", "a0")
    with pytest.raises(ranks.RankError):
        ranks.between("a1", "a1")


def test_a_column_filled_one_card_at_a_time_keeps_short_keys() -> None:
    # 100,000 cards appended (an import), and as many prepended (new leads go on top)
    appended, prepended = ["a0"], ["a0"]
    for _ in range(100_000):
        appended.append(ranks.between(appended[-1], None))
        prepended.append(ranks.between(None, prepended[-1]))
    assert _ordered(appended) and _ordered(list(reversed(prepended)))
    assert max(map(len, appended)) <= 4 and max(map(len, prepended)) <= 4


def test_repeated_drops_into_one_gap_grow_a_character_per_five_drops_at_most() -> None:
    low, high = "a0", "a1"
    for _ in range(1000):  # always right after the same card
        high = ranks.between(low, high)
    assert low < high and len(high) <= 2 + 1000 // 5
    for _ in range(1000):  # then always right before the same card
        low = ranks.between(low, high)
    assert low < high and len(low) <= 2 + 2000 // 5


def test_random_drops_keep_a_total_order() -> None:
    chance = random.Random(17)
    keys = [ranks.between(None, None)]
    for _ in range(5000):
        i = chance.randrange(len(keys) + 1)
        keys.insert(i, ranks.between(keys[i - 1] if i else None, keys[i] if i < len(keys) else None))
    assert _ordered(keys)
    assert len(set(keys)) == len(keys)
    assert all(ranks.validate(k) == k for k in keys)


@pytest.mark.parametrize("count", [0, 1, 2, 7, 100])
@pytest.mark.parametrize("bounds", [(None, None), ("a5", None), (None, "a5"), ("a5", "a6"), ("a5", "a5001")])
def test_spread_gives_ordered_keys_inside_the_bounds(count: int, bounds: tuple[str | None, str | None]) -> None:
    low, high = bounds
    keys = ranks.spread(low, high, count)
    assert len(keys) == count
    assert _ordered([k for k in (low, *keys, high) if k is not None])


_key = st.lists(st.sampled_from(ranks.DIGITS), min_size=0, max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=2, max_size=40))
def test_between_any_two_keys_of_a_built_column(choices: list[int]) -> None:
    keys = ["a0"]
    for choice in choices:
        i = choice % (len(keys) + 1)
        keys.insert(i, ranks.between(keys[i - 1] if i else None, keys[i] if i < len(keys) else None))
    assert _ordered(keys)
    for a, b in pairwise(keys):
        middle = ranks.between(a, b)
        assert a < middle < b
