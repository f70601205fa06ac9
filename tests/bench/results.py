"""Benchmark figures: printed as a table and merged into .bench/results.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / ".bench" / "results.json"


def report(name: str, value: float, unit: str, goal: str = "") -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = {"value": round(value, 3), "unit": unit, "goal": goal}
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\n{name:<40} {value:>14,.2f} {unit:<10} goal {goal or '-'}")


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent on anything but idling and waiting for I/O, so far."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
