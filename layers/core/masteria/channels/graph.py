"""The one client of Meta's Graph API: an ``httpx.Client`` in (tests pass a ``MockTransport``),
typed errors out. The WhatsApp channel adds messaging, media and webhooks management to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from masteria.channels import meta_errors
from masteria.channels.meta_errors import Category, GraphTransientError

DEFAULT_VERSION = "v23.0"
DEFAULT_BASE_URL = "https://graph.facebook.com"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_PAGES = 100  # 250 templates per WABA at most (META.md §3.3): far fewer pages than this


class GraphClient:
    def __init__(self, http: httpx.Client, *, version: str = DEFAULT_VERSION, base_url: str = DEFAULT_BASE_URL):
        self._http = http
        self._base = base_url.rstrip("/")
        self._root = f"{self._base}/{version}"

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if "://" in path and not path.startswith(self._base + "/"):
            # a paging URL pointing anywhere but the Graph API would receive our token
            raise meta_errors.GraphPermanentError(
                code=-1, message="unexpected paging URL", details=None, category=Category.PERMANENT, trace_id=None
            )
        url = path if "://" in path else f"{self._root}/{path.lstrip('/')}"
        try:
            response = self._http.request(
                method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
            )
        except httpx.TimeoutException as error:
            raise GraphTransientError(
                code=-1, message="timeout", details=None, category=Category.TRANSIENT, trace_id=None
            ) from error
        except httpx.TransportError as error:
            raise GraphTransientError(
                code=-1, message="network error", details=None, category=Category.TRANSIENT, trace_id=None
            ) from error
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict):
            return body
        raise meta_errors.from_response(response.status_code, body)

    def pages(self, path: str, *, token: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paginated edge, following ``paging.next``."""
        body = self.request("GET", path, token=token, params=params)
        for _ in range(MAX_PAGES):
            yield from body.get("data", [])
            next_url = body.get("paging", {}).get("next")
            if not next_url:
                return
            body = self.request("GET", next_url, token=token)

    # ---- message templates (META.md §3.3) --------------------------------------------------------

    def list_templates(self, waba_id: str, *, token: str, fields: str | None = None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"limit": 100, **({"fields": fields} if fields else {})}
        return self.pages(f"{waba_id}/message_templates", token=token, params=params)

    def create_template(self, waba_id: str, template: dict[str, Any], *, token: str) -> dict[str, Any]:
        return self.request("POST", f"{waba_id}/message_templates", token=token, json=template)

    def delete_template(self, waba_id: str, *, name: str, token: str, template_id: str | None = None) -> bool:
        params = {"name": name, **({"hsm_id": template_id} if template_id else {})}
        return bool(self.request("DELETE", f"{waba_id}/message_templates", token=token, params=params).get("success"))

    # ---- phone numbers (connections) -------------------------------------------------------------

    def phone_number(self, phone_number_id: str, *, token: str) -> dict[str, Any]:
        fields = "id,display_phone_number,verified_name,quality_rating,throughput,messaging_limit_tier"
        return self.request("GET", phone_number_id, token=token, params={"fields": fields})

    def waba_phone_numbers(self, waba_id: str, *, token: str) -> Iterator[dict[str, Any]]:
        return self.pages(f"{waba_id}/phone_numbers", token=token, params={"fields": "id"})
