"""Builds the deps layer from uv.lock: runtime dependencies only, for Lambda's Python on arm64.

``make layer`` runs ``python -m infra.layer``; it prints the unzipped size (target <= 90 MB: 84.3 MB
when measured, 13 of it the openai SDK and 16 the knowledge bases' document readers: lxml 12, which python-docx
needs and BeautifulSoup parses HTML with, pypdf, python-docx, markdownify with BeautifulSoup, python-multipart; the
target was 75 MB, at 68.1 MB, before them; Lambda allows 250 MB for a function and its layers). Pruned:
the AWS SDK (boto3, botocore, s3transfer, jmespath), which the Lambda Python runtime already ships,
and phonenumbers' geocoding, carrier and time-zone data, which nothing here uses (only parsing and
formatting). Needs the network (PyPI); synth never calls it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from packaging.markers import Marker

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".build" / "deps"
PYTHON_VERSION = "3.14"  # the functions' runtime (infra.constructs.functions.RUNTIME)
PLATFORM = "aarch64-manylinux_2_28"  # Lambda's Amazon Linux 2023 on Graviton
TARGET_MB = 90
PROVIDED_BY_RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath"}
PRUNED = ["phonenumbers/geodata", "phonenumbers/carrierdata", "phonenumbers/tzdata"]
# The lock is universal: a package may be pinned twice under exclusive markers (soupsieve for Python < 3.11.5 and
# after); the layer takes the pins whose markers hold on Lambda's Python.
TARGET_ENVIRONMENT = {
    "python_version": PYTHON_VERSION,
    "python_full_version": f"{PYTHON_VERSION}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "platform_machine": "aarch64",
    "platform_system": "Linux",
    "sys_platform": "linux",
    "os_name": "posix",
}


def requirements(uv: str) -> list[str]:
    exported = subprocess.run(  # noqa: S603 - our own uv, fixed arguments
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--no-header"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    pins = [
        pin.strip()
        for line in exported.splitlines()
        if line and not line.startswith(("#", " "))
        for pin, _, marker in [line.partition(";")]
        if not marker.strip() or Marker(marker).evaluate(TARGET_ENVIRONMENT)
    ]
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
