"""/docs works with no internet: Swagger UI's files come from the app itself, and the page runs no inline script."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from functions.api.app import create_app
from functions.web_security import DASHBOARD_CONTENT_SECURITY_POLICY


def test_docs_reference_only_same_origin_assets_that_answer() -> None:
    with TestClient(create_app()) as client:
        # WHEN /docs is opened
        page = client.get("/docs")
        # THEN it is an HTML page under the dashboard's CSP, with no inline script
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == DASHBOARD_CONTENT_SECURITY_POLICY
        assert page.headers["x-frame-options"] == "DENY"
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None
        assert 'data-openapi-url="/openapi.json"' in page.text
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert len(urls) == 4
        # AND every asset is same-origin (a path, no host) and answers with its type
        types = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
        for url in urls:
            assert url.startswith("/docs/assets/"), url
            asset = client.get(url)
            assert asset.status_code == 200, url
            extension = re.search(r"\.[a-z]+(?=\?|$)", url)
            assert extension is not None
            assert asset.headers["content-type"].startswith(types[extension.group()]), url
            assert asset.headers["x-content-type-options"] == "nosniff"
        bundle = client.get(next(u for u in urls if "swagger-ui-bundle.js" in u))
        assert b"SwaggerUIBundle" in bundle.content
        assert "max-age" in bundle.headers["cache-control"]
        init = client.get(next(u for u in urls if "init.js" in u))
        assert b"dataset.openapiUrl" in init.content
        # AND an unknown asset is a problem+json 404, never a file outside the bundle
        for name in ("nope.js", "..%2F__init__.py", "swagger-ui.js.map"):
            missing = client.get(f"/docs/assets/{name}")
            assert missing.status_code == 404
            assert missing.headers["content-type"] == "application/problem+json"
