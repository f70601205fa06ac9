"""Queue names are declared once, in the domain (the job module that sends to it: a module-level ``QUEUE`` or
``<NAME>_QUEUE``), and the manifest imports them: every queue a domain module declares is one the manifest
has a consumer for (or the local runtime's own ``events``), no two declarations spell one queue, the manifest
spells none itself, and no call sends to a queue spelt in place."""

from __future__ import annotations

import ast
from pathlib import Path

from functions import manifest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "layers" / "core" / "masteria"
SENDS = {"send", "send_batch", "record_job", "schedule"}  # Queue.send(_batch), the outbox, the Scheduler


def _sources(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in sorted(folder.rglob("*.py")) if "migrations" not in p.parts]


def _declared() -> dict[str, list[str]]:
    """Each queue name the domain declares, with where (``module:NAME``)."""
    found: dict[str, list[str]] = {}
    for path in _sources(DOMAIN):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and (target.id == "QUEUE" or target.id.endswith("_QUEUE")):
                    assert isinstance(node.value.value, str), f"{path}:{target.id}"
                    found.setdefault(node.value.value, []).append(f"{path.relative_to(DOMAIN)}:{target.id}")
    return found


def test_every_queue_the_domain_declares_is_one_the_manifest_declares() -> None:
    declared = _declared()
    assert declared, "no queue declarations found: has the convention changed?"
    known = set(manifest.local_queue_configs())
    assert set(declared) <= known, sorted(set(declared) - known)
    # and every queue the manifest has a consumer for comes from one declaration of the domain
    consumed = {q for q in manifest.queue_configs() if not q.endswith("-dlq")}
    assert consumed <= set(declared), sorted(consumed - set(declared))
    twice = {name: where for name, where in declared.items() if len(where) > 1}
    assert not twice, twice


def test_the_manifest_spells_no_queue_name() -> None:
    """Its triggers' queues and its ``sends_to`` are the domain's names, imported, never literals."""
    tree = ast.parse((ROOT / "functions" / "manifest.py").read_text())
    places: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "queue":
                    places.append(keyword.value)
                elif keyword.arg == "sends_to" and isinstance(keyword.value, ast.Tuple):
                    places.extend(keyword.value.elts)
    assert len(places) > 10, "no queues found in the manifest: has its shape changed?"
    spelt = [f"line {p.lineno}: {ast.unparse(p)}" for p in places if not isinstance(p, ast.Name)]
    assert spelt == [], spelt


def test_no_call_sends_to_a_queue_spelt_in_place() -> None:
    """A queue given as a literal (``queue.send("campaign-send", ...)``) would be a second spelling."""
    offenders: list[str] = []
    for path in _sources(DOMAIN, ROOT / "functions"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name not in SENDS:
                continue
            queue = [k.value for k in node.keywords if k.arg == "queue"]
            if name in ("send", "send_batch") and node.args:
                queue.append(node.args[0])
            if any(isinstance(q, ast.Constant) and isinstance(q.value, str) for q in queue):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], offenders
