"""The CDK app synthesizes offline."""

from __future__ import annotations

import json
from pathlib import Path

from infra.app import build_app


def test_app_synthesizes_offline(tmp_path: Path) -> None:
    assembly = build_app(outdir=str(tmp_path)).synth()
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    assert "version" in manifest
