"""The local runtime writes each of our log lines once: as JSON, not again in plain text by the root logger."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import logging
from functions.local.cli import configure_logging
from masteria.observability import logger
configure_logging()
logger.warning("one line", extra={"n": 1})
logging.getLogger("some.library").warning("a library's warning")
"""


def test_each_line_is_written_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'layers' / 'core'}", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert output.count("one line") == 1, output
    assert '"message":"one line"' in output  # the JSON line
    assert output.count("a library's warning") == 1
