"""What the sandboxes' spec validators share: a vendor's YAML as JSON Schema reads it, and jsonschema-rs's errors as
``$.json.path: message`` lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jsonschema_rs


def as_json(node: Any) -> Any:
    """YAML's values as JSON's: numeric keys (response codes) as strings, dates as ISO strings."""
    if isinstance(node, dict):
        return {str(key): as_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_json(item) for item in node]
    if hasattr(node, "isoformat"):
        return node.isoformat()
    return node


def problems(errors: Iterable[jsonschema_rs.ValidationError]) -> list[str]:
    """Each error as ``$.json.path: message``."""
    found = []
    for error in errors:
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
        found.append(f"{path}: {error.message}"[:300])
    return found
