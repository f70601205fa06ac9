"""Swagger UI at ``/docs`` from files the app serves itself (the ``fastapi-swagger`` package ships Swagger UI 5), so
the docs work with no internet and under the dashboard's Content-Security-Policy: the page has no inline script,
Swagger UI starts from ``/docs/assets/init.js``."""

from __future__ import annotations

import functools
import html
from importlib import metadata, resources

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from functions.web_security import DASHBOARD_SECURITY_HEADERS
from masteria.errors import NotFound

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
_VENDOR = "fastapi_swagger.resources"
_VENDOR_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
# What FastAPI's own /docs page runs inline, as a file; the OpenAPI URL comes from the page's data attribute.
INIT_JS = """"use strict";
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""

router = APIRouter(include_in_schema=False)


@functools.cache
def _version() -> str:
    return metadata.version("fastapi-swagger")  # in the asset URLs, so an upgrade is fetched afresh


@functools.cache
def _vendor_file(name: str) -> bytes:
    return resources.files(_VENDOR).joinpath(name).read_bytes()


@router.api_route(DOCS_PATH, methods=["GET", "HEAD"], response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    assets = html.escape(f"{root}{ASSETS_PATH}")
    version = html.escape(_version())
    openapi_url = html.escape(f"{root}{request.app.openapi_url}")
    title = html.escape(f"{request.app.title} - Swagger UI")
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css?v={version}">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png?v={version}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js?v={version}"></script>
<script src="{assets}/init.js?v={version}"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers={**DASHBOARD_SECURITY_HEADERS, "Cache-Control": "no-cache"})


@router.api_route(f"{ASSETS_PATH}/{{name}}", methods=["GET", "HEAD"])
def swagger_asset(name: str) -> Response:
    if name == "init.js":
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
        return Response(INIT_JS, media_type="text/javascript; charset=utf-8", headers=headers)
    if name not in _VENDOR_FILES:
        raise NotFound(f"no docs asset {name!r}")
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400"}  # ?v= busts it
    return Response(_vendor_file(name), media_type=_VENDOR_FILES[name], headers=headers)
