"""The dashboard on the local runtime: the built ``web/dist`` at ``/``, on the API's own origin (no CORS).

It answers only what no route of the API does (it is the router's fallback), and never a path of the backend:
an unknown ``/v1/...`` stays the API's 404 problem+json. Hashed files under ``/assets`` are cached for a year;
``index.html``, the service worker and the manifest are revalidated every time, so a new build shows at once.
Any other page a browser navigates to (``Accept: text/html``) is the app's ``index.html`` (history fallback).
On AWS, CloudFront does the same from S3, with the same headers (``functions.web_security``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from functions.web_security import DASHBOARD_SECURITY_HEADERS

DEFAULT_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
# First path segments that belong to the backend: never the dashboard's, even when no route matches.
BACKEND_SEGMENTS = frozenset({"v1", "webhooks", "ws", "sandbox", "health", "docs", "openapi.json", "media"})
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
ASSETS = "assets/"
_TYPES = {  # where the platform's mimetypes table may differ or know nothing
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".map": "application/json",
}
NOT_BUILT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Master IA: the dashboard is not built</title></head>
<body>
<h1>The dashboard is not built</h1>
<p>Run <code>make dev</code>, which builds it (<code>npm ci</code> and <code>npm run build</code> in
<code>web/</code>, with Node 20+), or point <code>WEB_DIST_DIR</code> at a build.</p>
<p>The API is up: <a href="/docs">/docs</a>, <a href="/health">/health</a>.</p>
</body>
</html>
"""


def is_backend(path: str) -> bool:
    return path.lstrip("/").split("/", 1)[0] in BACKEND_SEGMENTS


class Dashboard:
    """An ASGI fallback: files of ``dist``, else ``index.html`` for a page, else ``not_found`` (the API's 404)."""

    def __init__(self, dist: Path, not_found: ASGIApp) -> None:
        self.dist = dist
        self.not_found = not_found
        self.files = StaticFiles(directory=dist, check_dir=False)  # safe lookup, ETag and 304, HEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and not is_backend(scope["path"]):
            response = await self._response(scope)
        if response is None:
            await self.not_found(scope, receive, send)
            return
        response.headers.update(DASHBOARD_SECURITY_HEADERS)
        await response(scope, receive, send)

    async def _response(self, scope: Scope) -> Response | None:
        path = scope["path"].lstrip("/") or "index.html"
        is_page = "text/html" in Headers(scope=scope).get("accept", "")
        if not (self.dist / "index.html").is_file():
            if not (is_page or path == "index.html"):
                return None
            return HTMLResponse(NOT_BUILT_PAGE, status_code=503, headers={"Cache-Control": NO_CACHE})
        try:
            response = await self.files.get_response(path, scope)
        except HTTPException:  # no such file (or a folder)
            if not is_page or path.startswith(ASSETS):
                return None
            path = "index.html"
            response = await self.files.get_response(path, scope)
        response.headers["Cache-Control"] = IMMUTABLE if path.startswith(ASSETS) else NO_CACHE
        media_type = _TYPES.get(Path(path).suffix)
        if media_type and response.status_code == 200:
            response.headers["Content-Type"] = media_type
        return response


def mount_dashboard(app: FastAPI, dist: Path) -> None:
    """Serve ``dist`` for every GET that no route of ``app`` answers."""
    app.router.default = Dashboard(dist, app.router.default)
