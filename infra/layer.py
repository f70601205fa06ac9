"""Builds the deps layer from uv.lock: runtime dependencies only, for Lambda's Python on arm64.

``make layer`` runs ``python -m infra.layer``; it prints the unzipped size (target <= 75 MB: 68.1 MB
when measured, 13 of it the openai SDK; Lambda allows 250 MB for a function and its layers). Pruned:
the AWS SDK (boto3, botocore, s3transfer, jmespath), which the Lambda Python runtime already ships,
and phonenumbers' geocoding, carrier and time-zone data, which nothing here uses (only parsing and
formatting). Needs the network (PyPI); synth never calls it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".build" / "deps"
PYTHON_VERSION = "3.14"  # the functions' runtime (infra.constructs.functions.RUNTIME)
PLATFORM = "aarch64-manylinux_2_28"  # Lambda's Amazon Linux 2023 on Graviton
TARGET_MB = 75
PROVIDED_BY_RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath"}
PRUNED = ["phonenumbers/geodata", "phonenumbers/carrierdata", "phonenumbers/tzdata"]


def requirements(uv: str) -> list[str]:
    exported = subprocess.run(  # noqa: S603 - our own uv, fixed arguments
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--no-header"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    pins = [line.split(";")[0].strip() for line in exported.splitlines() if line and not line.startswith(("#", " "))]
    return [pin for pin in pins if pin.split("==")[0].lower() not in PROVIDED_BY_RUNTIME]


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1_000_000


def build(uv: str) -> float:
    if OUT.exists():
        shutil.rmtree(OUT)
    site = OUT / "python"
    pins = requirements(uv)
    # The export is the whole closure, so --no-deps keeps the runtime-provided SDK out.
    subprocess.run(  # noqa: S603 - our own uv, pins from our lock file
        [uv, "pip", "install", "--quiet", "--no-deps", "--only-binary=:all:", "--python-platform", PLATFORM,
         "--python-version", PYTHON_VERSION, "--target", str(site), *pins],
        check=True,
        cwd=ROOT,
    )  # fmt: skip
    for relative in PRUNED:
        shutil.rmtree(site / relative, ignore_errors=True)
    for stub in site.rglob("*.pyi"):
        stub.unlink()
    return size_mb(OUT)


def main() -> None:
    uv = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".tools" / "bin" / "uv")
    size = build(uv)
    verdict = "within" if size <= TARGET_MB else "OVER"
    print(f"deps layer: {OUT} is {size:.1f} MB unzipped ({verdict} the {TARGET_MB} MB target)")  # noqa: T201


if __name__ == "__main__":
    main()
