"""What the stack ships: the ``functions`` package, the core layer, the deps layer and the dashboard.

Staged into ``cdk.out/.staging`` (no Docker, no network): Lambda puts a layer's ``python/`` folder on
``sys.path``, so ``masteria`` is copied under ``python/``. The deps layer is built by ``make layer``
into ``.build/deps``; without it synth uses a small, clearly named placeholder and warns. The dashboard
is built by ``make deploy`` (``npm ci && npm run build`` in ``web/``) into ``web/dist``; without it synth
publishes a one-page placeholder staged under ``.staging`` and warns, the same way.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPS_LAYER = ROOT / ".build" / "deps"
DEPS_PLACEHOLDER = ROOT / "layers" / "deps" / "placeholder"
BAILEYS_HOST = ROOT / "baileys_host"
WEB_DIST = ROOT / "web" / "dist"
WEB_PLACEHOLDER_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Master IA</title></head>'
    "<body><p>Placeholder: the dashboard was not built (make deploy builds web/ first).</p></body></html>\n"
)

# The local runtime (uvicorn, embedded PostgreSQL) never runs on Lambda.
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "local")


def stage(outdir: Path) -> tuple[Path, Path]:
    """Copy the function code and the core layer under ``outdir``; return (code, core layer)."""
    code = outdir / "functions-code"
    core = outdir / "core-layer"
    for path in (code, core):
        if path.exists():
            shutil.rmtree(path)
    shutil.copytree(ROOT / "functions", code / "functions", ignore=_SKIP)
    shutil.copytree(ROOT / "layers" / "core" / "masteria", core / "python" / "masteria", ignore=_SKIP)
    return code, core


def deps_layer(*, placeholder: bool = False) -> Path:
    """The built layer, or the placeholder when asked (tests) or when none was built."""
    if not placeholder and (DEPS_LAYER / "python").is_dir():
        return DEPS_LAYER
    if placeholder:
        return DEPS_PLACEHOLDER
    warnings.warn(
        f"{DEPS_LAYER} is missing: using the placeholder deps layer (run `make layer` before deploying)",
        stacklevel=2,
    )
    return DEPS_PLACEHOLDER


def web_dist(outdir: Path, *, placeholder: bool = False) -> Path:
    """The built dashboard, or a placeholder page staged under ``outdir`` when asked (tests) or when none is built."""
    if not placeholder and (WEB_DIST / "index.html").is_file():
        return WEB_DIST
    if not placeholder:
        warnings.warn(
            f"{WEB_DIST} is missing: publishing a placeholder page (make deploy builds the dashboard first)",
            stacklevel=2,
        )
    page = outdir / "web-placeholder" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(WEB_PLACEHOLDER_PAGE)
    return page.parent
