"""Meta's OpenAPI spec (``meta_openapi/``, v23.0) as a validator of what we send to ``/{phone}/messages``.

The spec's JSON Schemas do not accept Meta's own examples as written, so a few corrections are applied,
each proven by the examples (tests/unit/test_sandbox_spec.py validates every one of them):
- ``allOf`` branches declare ``additionalProperties: false``, which rejects the shared properties of the
  other branch (``to``, ``messaging_product``…): it becomes ``unevaluatedProperties: false`` on the whole;
- ``recipient_type`` and the template language's ``policy`` are required, but Meta's examples omit them
  (Meta defaults them: ``individual``, ``deterministic``);
- ``type`` may be omitted: it is the message's one content key (``send_text_message_with_preview_url``,
  ``send_reply_to_list_message``);
- a button component's ``index`` is a string or a number, with a pattern (``^[2-6, 11-14]$``) that even
  ``"0"`` fails, and its ``sub_type`` comes in any case and also as ``flow``: both are accepted as given;
- a location's ``latitude`` and ``longitude`` are numbers in the examples, strings in the schema: both;
- read receipts (``{"status": "read", "message_id"…}``) share the path but have no schema: ours follows the
  spec's example ``send_typing_indicator_and_read_receipt``.
"""

from __future__ import annotations

import copy
import functools
import threading
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from functions.local.sandbox.schema_checks import as_json, problems

SPEC_DIR = Path(__file__).resolve().parent / "meta_openapi"
SPEC_FILE = SPEC_DIR / "business-messaging-api_v23.0.yaml"
_BASE = "urn:meta-graph-api"
READ_RECEIPT: dict[str, Any] = {
    "type": "object",
    "required": ["messaging_product", "status", "message_id"],
    "additionalProperties": False,
    "properties": {
        "messaging_product": {"const": "whatsapp"},
        "status": {"const": "read"},
        "message_id": {"type": "string", "minLength": 1},
        "typing_indicator": {
            "type": "object",
            "required": ["type"],
            "additionalProperties": False,
            "properties": {"type": {"const": "text"}},
        },
    },
}


def _correct(node: Any) -> Any:
    """The corrections above, applied to every schema of the spec."""
    if isinstance(node, list):
        return [_correct(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: _correct(value) for key, value in node.items()}
    branches = fixed.get("allOf")
    if isinstance(branches, list) and any(
        isinstance(b, dict) and b.get("additionalProperties") is False for b in branches
    ):
        fixed["allOf"] = [
            {k: v for k, v in b.items() if k != "additionalProperties"} if isinstance(b, dict) else b for b in branches
        ]
        fixed["unevaluatedProperties"] = False
    properties = fixed.get("properties")
    if isinstance(properties, dict):
        if isinstance(properties.get("index"), dict) and "pattern" in properties["index"]:
            properties["index"] = {"type": ["string", "integer"]}
        if isinstance(properties.get("sub_type"), dict) and "enum" in properties["sub_type"]:
            properties["sub_type"] = {"type": "string"}
        for name in ("latitude", "longitude"):
            if isinstance(properties.get(name), dict) and properties[name].get("type") == "string":
                properties[name] = {**properties[name], "type": ["string", "number"]}
    required = fixed.get("required")
    if isinstance(required, list):
        fixed["required"] = [r for r in required if r not in ("recipient_type", "policy")]
    return fixed


_LOADING = threading.Lock()  # concurrent first requests share one load of the 1 MB spec


@functools.cache
def _spec_unlocked() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster
    raw = yaml.load(SPEC_FILE.read_text(), Loader=loader)  # noqa: S506 - a safe loader
    corrected: dict[str, Any] = copy.deepcopy(raw)
    corrected["components"]["schemas"] = _correct(raw["components"]["schemas"])
    return corrected


def _spec() -> dict[str, Any]:
    with _LOADING:
        return _spec_unlocked()


@functools.cache
def _registry_unlocked() -> jsonschema_rs.Registry:
    """The spec's schemas, once, for every message type's validator to resolve its references in."""
    return jsonschema_rs.Registry([(_BASE, as_json({"components": _spec_unlocked()["components"]}))])


@functools.cache
def _validator_unlocked(ref: str) -> jsonschema_rs.Validator:
    # jsonschema-rs (compiled): a template message checks in microseconds, not the pure-Python library's
    # third of a millisecond that made the sandbox's answers slow under campaign load
    return jsonschema_rs.Draft202012Validator({"$ref": f"{_BASE}{ref}"}, registry=_registry_unlocked())


def _validator(ref: str) -> jsonschema_rs.Validator:
    with _LOADING:
        return _validator_unlocked(ref)


_READ_RECEIPT = jsonschema_rs.Draft202012Validator(READ_RECEIPT)


def message_errors(body: Any) -> list[str]:
    """What is wrong with a ``POST /{phone-number-id}/messages`` body per Meta's spec (empty: nothing)."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    if body.get("status") == "read":
        return problems(_READ_RECEIPT.iter_errors(body))
    mapping = _spec()["components"]["schemas"]["Message"]["discriminator"]["mapping"]
    kind = body.get("type") or next((key for key in mapping if key in body), None)
    if kind not in mapping:
        return [f"type: must be one of {', '.join(sorted(mapping))}"]
    return problems(_validator(mapping[kind]).iter_errors({**body, "type": kind}))


def template_errors(body: Any) -> list[str]:
    """What is wrong with a ``POST /{waba-id}/message_templates`` body per Meta's spec."""
    operation = _spec()["paths"]["/{Version}/{WABA-ID}/message_templates"]["post"]
    schema = as_json(operation["requestBody"]["content"]["application/json"]["schema"])
    return problems(jsonschema_rs.Draft202012Validator(schema).iter_errors(body))


def warm() -> None:
    """Load the spec and its validators now (in the background), not on the first request."""
    threading.Thread(target=lambda: (message_errors({}), template_errors({})), name="spec-warm", daemon=True).start()
