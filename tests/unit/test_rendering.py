from __future__ import annotations

import pytest

from masteria.errors import Invalid
from masteria.templates.rendering import check_variables, contact_values, render, variables

CONTACT = {"name": "Ana Souza", "phone": "+5511912345678", "email": None, "custom_fields": {"plan": "pro", "vip": True}}


def test_variables_in_order_without_repeats() -> None:
    assert variables("Hi {{ first_name }}, {{custom.plan}} … {{first_name}}") == ["first_name", "custom.plan"]


def test_render_with_values_and_defaults() -> None:
    values = contact_values(CONTACT)
    text = "Oi {{first_name}}! Plano {{custom.plan}}, VIP {{custom.vip}}, email {{email}}"
    assert render(text, values, {"email": "-"}) == "Oi Ana! Plano pro, VIP true, email -"


def test_every_missing_variable_is_listed() -> None:
    with pytest.raises(Invalid) as raised:
        render("{{email}} {{custom.city}} {{name}}", contact_values(CONTACT), {})
    assert [e.field for e in raised.value.errors] == ["variables.email", "variables.custom.city"]


def test_unknown_variables_and_length() -> None:
    with pytest.raises(Invalid, match="unknown variables"):
        check_variables("{{surname}} {{custom.nope}}", custom_keys={"plan"})
    check_variables("{{name}} {{custom.plan}}", custom_keys={"plan"})
    with pytest.raises(Invalid, match="too long"):
        render("{{name}}" + "x" * 4096, {"name": "A"}, {})
