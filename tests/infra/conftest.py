"""Synthesize the app once per test session; every infra test reads that one template."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Synth:
    directory: Path
    template: dict[str, Any]
    metadata: dict[str, list[dict[str, Any]]]

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == type_}


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    # Synthesis raises if cdk-nag reports an error that is not acknowledged.
    assembly = build_app(outdir=str(outdir), context={"deps_layer": "placeholder", "web_dist": "placeholder"}).synth()
    stack = assembly.stacks[0]
    yield Synth(
        directory=Path(assembly.directory),
        template=json.loads((Path(assembly.directory) / stack.template_file).read_text()),
        metadata=json.loads((Path(assembly.directory) / f"{stack.id}.metadata.json").read_text()),
    )
