"""Benchmark figures: printed as a table and merged into .bench/results.json."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / ".bench" / "results.json"


def report(name: str, value: float, unit: str, goal: str = "") -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = {"value": round(value, 3), "unit": unit, "goal": goal}
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\n{name:<40} {value:>14,.2f} {unit:<10} goal {goal or '-'}")
