"""OpenAI's OpenAPI document (``openai_openapi/``) as a validator of what we send to ``/chat/completions`` and
``/embeddings`` (schemas ``CreateChatCompletionRequest``, ``CreateEmbeddingRequest``), and of what the AI sandbox
answers (``CreateChatCompletionResponse``, ``CreateEmbeddingResponse``).

OpenAI's own request examples (the ``curl`` bodies of both paths' ``x-oaiMeta``) pass the schemas as written; one
correction is applied, proven by tests/unit/test_ai_sandbox.py:
- the document is OpenAPI 3.1 but keeps 3.0's ``nullable: true`` on some schemas (``max_completion_tokens``,
  ``frequency_penalty``, ``store``, ``audio``…), a keyword JSON Schema 2020-12 ignores, so ``null`` was refused
  where OpenAI documents it as allowed (and the SDK sends it for a parameter given as ``None``): such a schema
  also accepts ``null``.
(The response examples omit ``refusal``, which the response schema requires; the sandbox's answers carry it, as
OpenAI's do, so the response schemas need no correction either.)
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

SPEC_DIR = Path(__file__).resolve().parent / "openai_openapi"
SPEC_FILE = SPEC_DIR / "openapi.yaml"
_BASE = "urn:openai-api"


def _correct(node: Any) -> Any:
    """The correction above, applied to every schema of the spec."""
    if isinstance(node, list):
        return [_correct(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: _correct(value) for key, value in node.items()}
    if fixed.get("nullable") is not True:  # (not a property named so)
        return fixed
    del fixed["nullable"]
    kind = fixed.get("type")
    if isinstance(kind, str) and "enum" not in fixed:
        return {**fixed, "type": [kind, "null"]}
    if isinstance(kind, list) and "enum" not in fixed:
        return {**fixed, "type": [*kind, "null"]}
    return {"anyOf": [fixed, {"type": "null"}]}  # a $ref, an enum, a oneOf…: null beside it


_LOADING = threading.Lock()  # concurrent first requests share one load of the 3 MB document


def load() -> dict[str, Any]:
    """The document, its schemas corrected, read anew (its paths' examples as published). Not kept: the
    validators keep only what they compiled, not the 15,000 objects of the parsed YAML."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster
    raw = yaml.load(SPEC_FILE.read_text(), Loader=loader)  # noqa: S506 - a safe loader
    corrected: dict[str, Any] = copy.copy(raw)
    corrected["components"] = {**raw["components"], "schemas": _correct(raw["components"]["schemas"])}
    return corrected


@functools.cache
def _registry_unlocked() -> jsonschema_rs.Registry:
    """The document's schemas, once, for every validator to resolve its references in."""
    return jsonschema_rs.Registry([(_BASE, as_json({"components": load()["components"]}))])


@functools.cache
def _validator_unlocked(schema: str) -> jsonschema_rs.Validator:
    ref = f"{_BASE}#/components/schemas/{schema}"
    return jsonschema_rs.Draft202012Validator({"$ref": ref}, registry=_registry_unlocked())


def _validator(schema: str) -> jsonschema_rs.Validator:
    with _LOADING:
        return _validator_unlocked(schema)


def schema_errors(schema: str, body: Any) -> list[str]:
    """What is wrong with ``body`` per the document's ``components.schemas[schema]`` (empty: nothing)."""
    if not isinstance(body, dict):
        return ["$: the body must be a JSON object"]
    return problems(_validator(schema).iter_errors(body))


def chat_completion_errors(body: Any) -> list[str]:
    """What is wrong with a ``POST /chat/completions`` body per OpenAI's spec."""
    return schema_errors("CreateChatCompletionRequest", body)


def embedding_errors(body: Any) -> list[str]:
    """What is wrong with a ``POST /embeddings`` body per OpenAI's spec."""
    return schema_errors("CreateEmbeddingRequest", body)


def warm() -> None:
    """Load the document and its validators now (in the background), not on the first request."""
    threading.Thread(
        target=lambda: (chat_completion_errors({}), embedding_errors({})), name="openai-spec-warm", daemon=True
    ).start()
