"""`masteria dev` in a subprocess, as a user starts it: for the end-to-end tests and the benchmarks."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MASTERIA = Path(sys.executable).with_name("masteria")
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Runtime:
    url: str
    email: str
    password: str
    process: subprocess.Popen[str]
    data_dir: Path
    lines: list[str]
    reader: threading.Thread

    def output(self, timeout: float = 60) -> str:
        """Everything the process printed (once it has stopped: all of it)."""
        if self.process.poll() is not None:
            self.reader.join(timeout)
        return "".join(self.lines)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/ws"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def data_dir(prefix: str) -> Iterator[Path]:
    """A fresh data folder for a runtime, under ``.data`` rather than pytest's base temp: as root, the embedded
    PostgreSQL runs as another OS user, who cannot traverse pytest's 0700 folders."""
    (ROOT / ".data").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=ROOT / ".data"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgres_running(data_dir: Path) -> bool:
    """Whether the embedded PostgreSQL of ``data_dir`` still runs (its postmaster's pid is alive)."""
    pid_file = data_dir / "pg" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
        return False
    return True


def _stop_postgres(data_dir: Path) -> None:
    """A runtime that had to be killed leaves its PostgreSQL running: stop it (a fast shutdown)."""
    if not postgres_running(data_dir):
        return
    pid = int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while postgres_running(data_dir) and time.monotonic() < deadline:
        time.sleep(0.1)


def stop(process: subprocess.Popen[str], data_dir: Path) -> None:
    """Stop ``masteria dev`` as a user does (Ctrl-C), killing it only if it will not stop; nothing is left running."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    _stop_postgres(data_dir)


@contextmanager
def dev_runtime(data_dir: Path) -> Iterator[Runtime]:
    """Start `masteria dev` on a free port with its own data dir; yields once it printed its URL and login."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "JWT_", "MASTERIA_"))}
    env.update(MASTERIA_DATA_DIR=str(data_dir), LOCAL_PORT=str(port), PYTHONUNBUFFERED="1")
    env.update(WEBHOOKS_ALLOW_HTTP="true", WEBHOOKS_ALLOW_PRIVATE="true")  # the webhook sink is on loopback
    process = subprocess.Popen(
        [str(MASTERIA), "dev"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        output = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            output.append(line)
            if "press Ctrl-C" in line or (not line and process.poll() is not None):
                break
        text = "".join(output)
        url = re.search(r"running at (http://\S+)", text)
        login = re.search(r"demo login.*: (\S+@\S+) / (\S+)", text)
        assert url and login, text
        # Keep reading what it prints: a full pipe would block the process at its next log line.
        stdout = process.stdout
        reader = threading.Thread(target=lambda: output.extend(iter(stdout.readline, "")), daemon=True)
        reader.start()
        yield Runtime(url.group(1), login.group(1), login.group(2), process, data_dir, output, reader)
    finally:
        stop(process, data_dir)
