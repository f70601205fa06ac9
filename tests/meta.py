"""Meta's own examples of the message templates API (tests/fixtures/meta, copied from Meta's spec)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "meta" / "openapi" / "examples" / "message_templates"


def example(part: str, name: str = "example_response.json") -> Any:
    return json.loads((EXAMPLES / part / name).read_text())


def create_requests() -> dict[str, dict[str, Any]]:
    """Every template creation request of Meta's examples, by file name."""
    return {path.stem: json.loads(path.read_text()) for path in sorted((EXAMPLES / "post_request").glob("*.json"))}
