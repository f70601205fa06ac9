"""Phone normalization, stop/opt-in keywords and CSV cell escaping: pure functions."""

from __future__ import annotations

import csv
import io
import random

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat

from masteria.contacts import phones
from masteria.contacts.csv_safety import safe_cell, unsafe_cell
from masteria.contacts.keywords import is_opt_in, is_stop_request
from masteria.contacts.phones import InvalidPhone, normalize


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(11) 91234-5678", "BR", "+5511912345678"),
        ("+55 11 91234-5678", "US", "+5511912345678"),
        ("005511912345678", "US", "+5511912345678"),
        ("11912345678", "BR", "+5511912345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+44 20 7946 0958", "BR", "+442079460958"),
    ],
)
def test_numbers_are_normalized_to_e164(raw: str, region: str, expected: str) -> None:
    assert normalize(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("", "empty"), ("abc", "not a phone number"), ("123", "invalid"), ("+55 11 9123", "too short")],
)
def test_invalid_numbers_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone, match=reason):
        normalize(raw, "BR")


STOP_MATRIX = [
    ("STOP", True),
    ("stop", True),
    ("  Stop!  ", True),
    ("Sáir", True),
    ("SAIR.", True),
    ("parar", True),
    ("Cancelar", True),
    ("descadastrar", True),
    ("UNSUBSCRIBE", True),
    ("\uff33\uff34\uff2f\uff30", True),  # full-width "STOP" folds (NFKD)
    ("\u201cParar\u201d", True),
    ("please stop sending", False),
    ("stop it", False),
    ("stopp", False),
    ("", False),
    ("!!!", False),
    ("quero sair da lista", False),
]


@pytest.mark.parametrize(("text", "expected"), STOP_MATRIX)
def test_stop_keyword_matrix(text: str, expected: bool) -> None:
    assert is_stop_request(text) is expected


def test_keywords_are_configurable() -> None:
    assert is_stop_request("Basta", ["BASTA"])
    assert not is_stop_request("stop", ["BASTA"])
    assert is_opt_in("Start!") and is_opt_in("voltar a receber")
    assert not is_opt_in("start now")
    assert not is_opt_in("sim")  # an everyday "yes" is no opt-in keyword by default
    assert is_opt_in("sim", ["SIM"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+5511912345678", "'+5511912345678"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ana", "Ana"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_formula_cells_are_neutralized(value: str | None, expected: str) -> None:
    assert safe_cell(value) == expected


def test_escaped_phone_survives_a_csv_round_trip() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell("+5511912345678"), safe_cell('=HYPERLINK("x")')])
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert row[0] == "'+5511912345678"
    assert normalize(unsafe_cell(row[0]), "BR") == "+5511912345678"
    assert not row[1].startswith("=")


def _full_parse(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse("+" + text[2:] if text.startswith("00") else text, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if phonenumbers.is_valid_number(number) else None


@settings(max_examples=2000, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=5, max_size=15),
    shape=st.sampled_from(["+{d}", "{d}", "({a}) {b}", "+{a} {b}", "00{d}"]),
    region=st.sampled_from(["BR", "US", "GB", "IT", "DE", "PT", "MX", "AR", "IN", "AU"]),
)
def test_the_fast_path_agrees_with_the_full_parse(digits: str, shape: str, region: str) -> None:
    text = shape.format(d=digits, a=digits[:2], b=digits[2:])
    try:
        ours: str | None = normalize(text, region)
    except InvalidPhone:
        ours = None
    assert ours == _full_parse(text, region)


def test_the_fast_validity_agrees_with_phonenumbers_in_every_region() -> None:
    """Every region's example numbers of every kind, and near misses of them (digits changed, added,
    dropped): the compiled patterns say valid exactly when ``phonenumbers.is_valid_number`` does."""
    rng = random.Random(7)
    checked = valid = 0
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            for kind in range(12):
                example = phonenumbers.example_number_for_type(region, kind) if region != "001" else None
                if example is None:
                    continue
                for _ in range(10):
                    digits = list(str(example.national_number))
                    for _ in range(rng.randint(0, 3)):
                        digits[rng.randrange(len(digits))] = rng.choice("0123456789")
                    if rng.random() < 0.2:
                        digits.append(rng.choice("0123456789"))
                    national = "".join(digits).lstrip("0") or "1"
                    expected = phonenumbers.is_valid_number(
                        phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
                    )
                    assert phones._valid(code, national) == expected, (code, region, national)
                    checked, valid = checked + 1, valid + expected
    assert checked > 10_000 and valid > checked // 4  # both answers well represented
