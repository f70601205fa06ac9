"""``{{variables}}`` in templates: which a text uses, and the text with their values filled in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from masteria.errors import FieldError, Invalid

# Contact fields a variable may name; custom fields are ``custom.<key>``.
CONTACT_FIELDS = ("name", "first_name", "phone", "email", "language")
# a name and up to two dotted parts: ``name``, ``custom.plan``; a cadence's ``contact.custom.plan`` (cadences.variables)
_VARIABLE = re.compile(r"{{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*){0,2})\s*}}")
TEXT_MESSAGE_MAX = 4096  # a WhatsApp text message body (META.md §3.1)


def variables(text: str) -> list[str]:
    """The variables ``text`` uses, in order of first use."""
    return list(dict.fromkeys(_VARIABLE.findall(text)))


def check_variables(text: str, *, custom_keys: set[str]) -> None:
    unknown = [
        v for v in variables(text) if v not in CONTACT_FIELDS and not (v.startswith("custom.") and v[7:] in custom_keys)
    ]
    if unknown:
        raise Invalid(
            "the template uses unknown variables",
            [
                FieldError(
                    "body",
                    f"unknown variable {{{{{v}}}}}: use {', '.join(CONTACT_FIELDS)} or custom.<key>",
                    code="unknown_variable",
                    params={"variable": v},
                )
                for v in unknown
            ],
        )


def contact_values(contact: Mapping[str, Any]) -> dict[str, str]:
    """The variable values of a contact (``name``, ``first_name``, …, ``custom.<key>``); empty ones left out."""
    values = {k: str(contact[k]) for k in ("name", "phone", "email", "language") if contact.get(k)}
    if values.get("name"):
        values["first_name"] = values["name"].split()[0]
    for key, value in (contact.get("custom_fields") or {}).items():
        if value is not None and value != "":
            values[f"custom.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def render(text: str, values: Mapping[str, str], defaults: Mapping[str, str]) -> str:
    """``text`` with every variable replaced; a variable with no value and no default → 422 listing them all."""
    missing = [v for v in variables(text) if not values.get(v) and not defaults.get(v)]
    if missing:
        raise Invalid(
            "some variables have no value and no default",
            [
                FieldError(f"variables.{v}", "no value for this contact and no default", code="no_value")
                for v in missing
            ],
        )
    rendered = _VARIABLE.sub(lambda m: values.get(m.group(1)) or defaults[m.group(1)], text)
    if len(rendered) > TEXT_MESSAGE_MAX:
        raise Invalid(
            "the message is too long",
            [
                FieldError(
                    "body",
                    f"at most {TEXT_MESSAGE_MAX} characters",
                    code="text_too_long",
                    params={"max": TEXT_MESSAGE_MAX},
                )
            ],
        )
    return rendered
