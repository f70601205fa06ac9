"""The import boundaries are enforced by ruff's banned-api rule; prove the rule fires where it must."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).with_name("ruff")

CASES = [
    ("layers/core/masteria/tenancy/_probe.py", "import boto3\n", True),
    ("layers/core/masteria/tenancy/_probe.py", "from fastapi import FastAPI\n", True),
    ("layers/core/masteria/tenancy/_probe.py", "import mangum\n", True),
    ("layers/core/masteria/tenancy/_probe.py", "from starlette.requests import Request\n", True),
    ("functions/api/_probe.py", "import boto3\n", True),
    ("functions/api/_probe.py", "from fastapi import FastAPI\n", False),
    ("layers/core/masteria/adapters/aws/_probe.py", "import boto3\n", False),
]


@pytest.mark.parametrize(("path", "source", "banned"), CASES)
def test_ruff_enforces_import_boundaries(path: str, source: str, banned: bool) -> None:
    probe = ROOT / path
    probe.write_text(f'"""Probe written by a test."""\n\n{source}\n__all__ = ["probe"]\nprobe = 1\n')
    try:
        result = subprocess.run(
            [str(RUFF), "check", "--select", "TID251", "--no-cache", "--output-format", "concise", path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        probe.unlink()
    assert ("TID251" in result.stdout) is banned, result.stdout + result.stderr


def test_no_module_of_the_domain_imports_a_transport() -> None:
    result = subprocess.run(
        [str(RUFF), "check", "--select", "TID251", "--no-cache", "layers/core/masteria", "functions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
