"""SMS segments as carriers count them: GSM-7 160/153 septets, UCS-2 70/67 code units, never splitting a
two-septet character or an emoji's surrogate pair."""

from __future__ import annotations

import pytest

from masteria.channels.providers.sms.segments import count, encoding_of


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "gsm7", 0, 0),
        ("Oi", "gsm7", 2, 1),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),  # two parts of 153
        ("a" * 307, "gsm7", 307, 3),
        ("€" * 80, "gsm7", 160, 1),  # two septets each
        ("€" * 81, "gsm7", 162, 2),
        ("a" * 152 + "€", "gsm7", 154, 1),  # one message holds 160
        ("Promoção válida até amanhã", "ucs2", 26, 1),  # ç, ã are not in GSM-7 (but é, à are)
        ("Olá, João: é só responder", "ucs2", 25, 1),
        ("é" * 160, "gsm7", 160, 1),  # é is in the GSM alphabet
        ("ã" * 70, "ucs2", 70, 1),
        ("ã" * 71, "ucs2", 71, 2),
        ("ã" * 134, "ucs2", 134, 2),  # two parts of 67
        ("ã" * 135, "ucs2", 135, 3),
        ("😀" * 35, "ucs2", 70, 1),  # a surrogate pair each
    ],
)
def test_encoding_units_and_segments(text: str, encoding: str, units: int, segments: int) -> None:
    counted = count(text)
    assert (counted.encoding, counted.units, counted.count) == (encoding, units, segments)


def test_a_two_septet_character_is_never_split_across_parts() -> None:
    # 164 septets, in parts of 153: the "€" at septets 153-154 would straddle, so it starts part 2
    counted = count("a" * 152 + "€" + "a" * 10)
    assert (counted.units, counted.count) == (164, 2)
    assert count("a" * 152 + "€" + "a" * 152).count == 3  # 152 | € + 151 | 1
    assert count("a" * 153 + "a" * 153).count == 2  # the same septets without the straddle: two parts


def test_an_emoji_is_never_split_across_parts() -> None:
    text = "ã" * 66 + "😀" + "ã" * 67  # 66 + 2 + 67 = 135 units: the emoji cannot sit at 66..68
    assert count(text).count == 3  # 66 | 2 + 65 | 2
    assert count("ã" * 65 + "😀" + "ã" * 67).count == 2  # 65 + 2 = 67 | 67


def test_the_characters_that_force_ucs2_are_named() -> None:
    assert count("Promoção: 10% off 😀").non_gsm == ("ç", "ã", "😀")
    assert count("Hello [world] €5").non_gsm == ()
    assert encoding_of("Hello [world] €5") == "gsm7"
