"""Every error code the API can answer has its sentence in both of the dashboard's languages.

The codes are read from the source (``code="..."`` on an error, ``error_code`` on an error class,
``PydanticCustomError("...")``, the status codes of ``functions/api/errors.py``), so a new code without its
translation fails here, not on a Portuguese screen."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from functions.api import errors as api_errors
from masteria.contacts import csv_import

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "layers" / "core" / "masteria").rglob("*.py")), *sorted((ROOT / "functions").rglob("*.py"))]
FIELD_ERRORS = {"FieldError", "_BadValue", "NotReadable"}
PROBLEMS = {cls.__name__ for cls in api_errors.STATUS} | {"DomainError", "StateConflict", "save_unique", "__init__"}

# pydantic's own error types that our request models can produce (strings, numbers, enums, dates, ids, lists)
PYDANTIC_TYPES = {
    "missing",
    "string_type",
    "string_too_short",
    "string_too_long",
    "string_pattern_mismatch",
    "int_parsing",
    "int_type",
    "float_parsing",
    "bool_parsing",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "literal_error",
    "enum",
    "uuid_parsing",
    "datetime_parsing",
    "date_parsing",
    "time_parsing",
    "too_short",
    "too_long",
    "list_type",
    "dict_type",
    "model_type",
    "json_invalid",
    "extra_forbidden",
    "value_error",
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _codes() -> tuple[set[str], set[str]]:
    """(problem codes, field codes) raised anywhere in the source."""
    problems, fields = set(api_errors._STATUS_CODES.values()), set(PYDANTIC_TYPES)
    fields |= {code for _, _, code in csv_import._MAGIC}  # a table of file kinds, not calls
    for path in SOURCES:
        if "sandbox" in path.parts:
            continue  # the sandbox answers as Meta does, not with our problem bodies
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                for keyword in node.keywords:
                    if (
                        keyword.arg == "code"
                        and isinstance(keyword.value, ast.Constant)
                        and isinstance(keyword.value.value, str)
                    ):
                        if name in FIELD_ERRORS:
                            fields.add(keyword.value.value)
                        elif name in PROBLEMS:
                            problems.add(keyword.value.value)
                if name == "PydanticCustomError" and node.args and isinstance(node.args[0], ast.Constant):
                    fields.add(str(node.args[0].value))
            elif isinstance(node, ast.ClassDef):  # error_code = "..." on an error class
                for item in node.body:
                    if (
                        isinstance(item, ast.Assign)
                        and any(_name(t) == "error_code" for t in item.targets)
                        and isinstance(item.value, ast.Constant)
                    ):
                        problems.add(str(item.value.value))
    return problems, fields


PROBLEM_CODES, FIELD_CODES = _codes()


def _catalogue(locale: str) -> dict[str, dict[str, object]]:
    return json.loads((ROOT / "web" / "src" / "app" / "i18n" / f"{locale}.json").read_text())


def test_the_scan_finds_the_codes_it_should() -> None:
    # a scan that found nothing would pass everything below
    assert {"name_taken", "state_conflict", "wrong_credentials", "whatsapp_error", "not_found"} <= PROBLEM_CODES
    assert {"window_closed", "text_too_long", "option_value", "invalid_email", "unknown_timezone"} <= FIELD_CODES


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_every_code_has_its_sentence(locale: str) -> None:
    catalogue = _catalogue(locale)
    assert {"missing problems": sorted(PROBLEM_CODES - set(catalogue["problem"]))} == {"missing problems": []}
    assert {"missing fields": sorted(FIELD_CODES - set(catalogue["field"]))} == {"missing fields": []}
