"""The local runtime serves the built dashboard at / on the API's origin: files, history fallback, caching and
security headers; the API's own answers untouched; a clear page when the dashboard is not built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from functions.local.http import local_app
from functions.web_security import DASHBOARD_CONTENT_SECURITY_POLICY

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f9a.js"></script></head></html>'
PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A build as Vite and vite-plugin-pwa lay it out."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-3f9a.js").write_text("console.log('app')\n")
    (root / "assets" / "index-77c1.css").write_text("body{margin:0}\n")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})\n")
    (root / "manifest.webmanifest").write_text('{"name": "Master IA"}')
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return root


@pytest.fixture
def web(dist: Path) -> Iterator[TestClient]:
    with TestClient(local_app(web_dist=dist)) as client:
        yield client


def _assert_secured(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == DASHBOARD_CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["x-frame-options"] == "DENY"


def test_root_is_the_apps_index_with_its_security_headers(web: TestClient) -> None:
    response = web.get("/", headers=PAGE)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    _assert_secured(response)
    # AND a revalidation of an unchanged index is a 304
    etag = response.headers["etag"]
    assert web.get("/", headers={**PAGE, "If-None-Match": etag}).status_code == 304


def test_a_page_of_the_app_falls_back_to_index(web: TestClient) -> None:
    for path in ("/inbox/123", "/contacts", "/campaigns/new/review", "/assetsx/y"):
        response = web.get(path, headers=PAGE)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"
        _assert_secured(response)
    # AND HEAD works like GET
    assert web.head("/inbox/123", headers=PAGE).status_code == 200


def test_hashed_assets_are_cached_for_a_year_with_their_type(web: TestClient) -> None:
    script = web.get("/assets/index-3f9a.js")
    assert script.status_code == 200
    assert script.text == "console.log('app')\n"
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["x-content-type-options"] == "nosniff"
    style = web.get("/assets/index-77c1.css")
    assert style.headers["content-type"].startswith("text/css")
    assert style.headers["cache-control"] == "public, max-age=31536000, immutable"
    # a missing hashed file is a 404, never index.html served as a script
    for headers in ({}, PAGE):
        assert web.get("/assets/index-0000.js", headers=headers).status_code == 404


def test_service_worker_and_manifest_are_revalidated(web: TestClient) -> None:
    worker = web.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    manifest = web.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.headers["cache-control"] == "no-cache"
    assert web.get("/favicon.svg").headers["content-type"].startswith("image/svg+xml")


def test_the_backend_keeps_its_own_answers(web: TestClient) -> None:
    # an unknown API path is the API's 404 problem+json, even for a browser asking for HTML
    for method in ("GET", "POST", "DELETE"):
        response = web.request(method, "/v1/nope", headers=PAGE)
        assert response.status_code == 404, method
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["instance"] == "/v1/nope"
    for path in ("/webhooks/nope", "/sandbox/nope", "/docs/nope", "/media/x", "/ws/x", "/health/x"):
        assert web.get(path, headers=PAGE).status_code == 404, path
    assert web.get("/openapi.json", headers=PAGE).json()["info"]["title"] == "Master IA API"
    assert "swagger-ui" in web.get("/docs", headers=PAGE).text
    # a non-page request for a file that does not exist is a 404 too; so is any other method on a page
    assert web.get("/nope.txt").status_code == 404
    assert web.post("/inbox/123", headers=PAGE).status_code == 404
    # and no file outside the build is ever served
    assert web.get("/../pyproject.toml", headers=PAGE).text in (INDEX, "")
    assert web.get("/%2e%2e/%2e%2e/pyproject.toml").status_code == 404


def test_a_missing_build_is_a_clear_page_not_an_error(tmp_path: Path) -> None:
    with TestClient(local_app(web_dist=tmp_path / "not-built")) as web:
        for path, headers in (("/", {}), ("/", PAGE), ("/inbox/123", PAGE)):
            response = web.get(path, headers=headers)
            assert response.status_code == 503, path
            assert response.headers["content-type"].startswith("text/html")
            assert "make dev" in response.text
            assert response.headers["cache-control"] == "no-cache"
            _assert_secured(response)
        assert web.get("/assets/index-3f9a.js").status_code == 404
        assert web.get("/v1/nope", headers=PAGE).headers["content-type"] == "application/problem+json"
