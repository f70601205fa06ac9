"""The dashboard's API types (web/src/lib/api/schema.d.ts) are generated from the app's OpenAPI: they must
match what the app serves now, or the dashboard is typed against an API that no longer exists."""

from __future__ import annotations

import subprocess
from pathlib import Path

from functions.api.openapi import dumps

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"


def test_the_committed_api_types_match_the_apps_openapi(tmp_path: Path) -> None:
    assert GENERATOR.exists(), "the dashboard's packages are not installed: run `make web-check` (npm ci in web/)"
    document = tmp_path / "openapi.json"
    document.write_text(dumps())
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(document), "--default-non-nullable", "false", "-o", str(generated)],
        cwd=WEB, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    committed = (WEB / "src" / "lib" / "api" / "schema.d.ts").read_text()
    assert generated.read_text() == committed, "web/src/lib/api/schema.d.ts is stale: run `make api-types`"
