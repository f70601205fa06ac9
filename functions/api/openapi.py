"""Print the API's OpenAPI document (``python -m functions.api.openapi``): the dashboard's types are generated
from it (``make api-types``), and a test fails when the committed types are stale."""

from __future__ import annotations

import json
import sys
from typing import Any

from functions.api.app import create_app


def document() -> dict[str, Any]:
    return create_app().openapi()


def dumps() -> str:
    return json.dumps(document(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dumps())
