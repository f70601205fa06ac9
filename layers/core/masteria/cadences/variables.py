"""The values a cadence's messages are filled with: ``contact.<field>`` / ``contact.custom.<key>`` and
``lead.<field>`` / ``lead.custom.<key>``, in a template parameter's mapping (anything else there is a literal) or as
``{{contact.name}}`` in a text (rendered by ``templates.rendering.render``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from masteria.templates.rendering import CONTACT_FIELDS, contact_values, variables

LEAD_FIELDS = ("title", "value", "currency", "next_step", "due_date")
PREFIXES = ("contact.", "lead.")
_CUSTOM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def is_variable(value: str) -> bool:
    """Whether a parameter's mapping names a variable (else it is a literal value)."""
    return value.startswith(PREFIXES)


def problem(variable: str, *, custom_keys: set[str]) -> str | None:
    """Why ``variable`` is not one a cadence fills (None: it is)."""
    scope, _, field = variable.partition(".")
    if scope not in ("contact", "lead"):
        return f"use contact.<field> or lead.<field>, not {variable!r}"
    if field.startswith("custom."):
        key = field.removeprefix("custom.")
        if not _CUSTOM_KEY.match(key):
            return f"{key!r} is not a custom field key"
        if scope == "contact" and key not in custom_keys:
            return f"the company has no custom field {key!r}"
        return None
    allowed = CONTACT_FIELDS if scope == "contact" else LEAD_FIELDS
    if field not in allowed:
        listed = ", ".join(f"{scope}.{f}" for f in allowed)
        return f"{scope}.{field} is not a field: use {listed} or {scope}.custom.<key>"
    return None


def text_problems(text: str, *, custom_keys: set[str]) -> list[str]:
    """Why each ``{{variable}}`` of ``text`` is not one a cadence fills."""
    return [
        f"{{{{{v}}}}}: {reason}" for v in variables(text) if (reason := problem(v, custom_keys=custom_keys)) is not None
    ]


def values(contact: Mapping[str, Any], lead: Mapping[str, Any] | None) -> dict[str, str]:
    """Every variable's value for this contact and lead (``contact.name``, ``lead.value``, …); empty ones left out.
    ``contact`` has ``name``, ``phone``, ``email``, ``language``, ``custom_fields``; ``lead`` the lead's fields."""
    found = {f"contact.{k}": v for k, v in contact_values(contact).items()}
    for key in LEAD_FIELDS if lead is not None else ():
        value = lead.get(key) if lead is not None else None
        if value is not None and value != "":
            found[f"lead.{key}"] = str(value)
    for key, value in ((lead or {}).get("custom_fields") or {}).items():
        if value is not None and value != "":
            found[f"lead.custom.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return found


def resolve(mapping: Mapping[str, str], found: Mapping[str, str]) -> dict[str, str]:
    """A template's parameters (parameter → variable or literal) as values: a variable with no value is left out
    (the step's defaults, then the template's, fill it)."""
    resolved: dict[str, str] = {}
    for parameter, source in mapping.items():
        if not is_variable(source):
            resolved[parameter] = source
        elif found.get(source):
            resolved[parameter] = found[source]
    return resolved
