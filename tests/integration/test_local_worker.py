"""``masteria worker``: the local runtime's process for one function exits as soon as the runtime that
started it is gone (killed, it cannot stop its workers), and at once if it was gone before it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text

from masteria.bootstrap import DatabaseUrls
from tests.e2e.waits import eventually

ROOT = Path(__file__).resolve().parents[2]
# A stand-in for ``masteria dev``: starts the worker as the runtime does, then waits to be killed.
RUNTIME = """
import subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-m", "functions.local.cli", "worker", "campaign_sender",
                           "--runtime-pid", str(__import__("os").getpid())])
print(worker.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _backends(engine: Engine) -> int:
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        ).scalar_one()
    return int(count)


def test_a_worker_exits_when_its_runtime_is_killed(
    database_urls: DatabaseUrls, owner_engine: Engine, tmp_path: Path
) -> None:
    before = _backends(owner_engine)
    env = {**os.environ, "DATABASE_URL": database_urls.owner, "DATABASE_APP_URL": database_urls.app,
           "MASTERIA_DATA_DIR": str(tmp_path), "JWT_SECRET": "x" * 64}  # fmt: skip
    runtime = subprocess.Popen([sys.executable, "-c", RUNTIME], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert runtime.stdout is not None
    worker = int(runtime.stdout.readline())
    try:
        eventually(lambda: _backends(owner_engine) > before)  # the worker is up: it polls its queue
        assert _alive(worker)
        runtime.send_signal(signal.SIGKILL)
        runtime.wait()
        eventually(lambda: not _alive(worker), seconds=5)
    finally:  # a failed check leaves neither behind
        runtime.kill()
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_a_worker_whose_runtime_is_already_gone_does_not_start(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "functions.local.cli", "worker", "campaign_sender", "--runtime-pid", "1"]
    env = {**os.environ, "MASTERIA_DATA_DIR": str(tmp_path)}
    assert subprocess.run(command, cwd=ROOT, env=env, timeout=60, check=False).returncode == 1
