"""The one client of Meta's Graph API: an httpx transport in (tests pass a ``MockTransport``), typed errors
out. The WhatsApp channel adds messaging, media and webhooks management to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from masteria.channels.providers.meta_cloud import errors as meta_errors
from masteria.channels.providers.meta_cloud.errors import Category, GraphOutcomeUnknown, GraphTransientError

DEFAULT_VERSION = "v23.0"
DEFAULT_BASE_URL = "https://graph.facebook.com"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_PAGES = 100  # 250 templates per WABA at most (META.md §3.3): far fewer pages than this
MEDIA_HOSTS = frozenset({"lookaside.fbsbx.com", "graph.facebook.com"})
USER_AGENT = "masteria"


@dataclass(frozen=True)
class SendResult:
    wamid: str
    message_status: str | None  # "accepted" or "held_for_quality_assessment"
    wa_id: str | None


class GraphClient:
    """Requests go straight to the transport (its connection pool): an ``httpx.Client`` around it would add
    cookies, redirects, auth and default headers we do not use, a quarter of each campaign send's CPU. Only
    multipart uploads and streamed downloads go through a client, on the same transport."""

    def __init__(
        self, transport: httpx.BaseTransport, *, version: str = DEFAULT_VERSION, base_url: str = DEFAULT_BASE_URL
    ):
        self._transport = transport
        self._http = httpx.Client(transport=transport, headers={"User-Agent": USER_AGENT})
        self._base = base_url.rstrip("/")
        self._root = f"{self._base}/{version}"

    def close(self) -> None:
        self._http.close()  # and the transport, with its connections

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> dict[str, Any]:
        if "://" in path and not path.startswith(self._base + "/"):
            # a paging URL pointing anywhere but the Graph API would receive our token
            raise meta_errors.GraphPermanentError(
                code=-1, message="unexpected paging URL", details=None, category=Category.PERMANENT, trace_id=None
            )
        url = path if "://" in path else f"{self._root}/{path.lstrip('/')}"
        request = httpx.Request(
            method,
            url,
            params=params,
            json=json,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            extensions={"timeout": timeout.as_dict()},
        )
        try:
            response = self._transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            # nothing reached Meta: safe to send again
            raise GraphTransientError(
                code=-1, message="could not connect", details=None, category=Category.TRANSIENT, trace_id=None
            ) from error
        except (httpx.TimeoutException, httpx.TransportError) as error:
            # the request may have reached Meta and been acted on: the outcome is unknown
            raise GraphOutcomeUnknown(
                code=-1, message=type(error).__name__, details=None, category=Category.TRANSIENT, trace_id=None
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

    def debug_token(self, token: str) -> dict[str, Any]:
        """What Meta says of a token (``is_valid``, ``expires_at``: 0 when it never expires), asked with itself."""
        data = self.request("GET", "debug_token", token=token, params={"input_token": token}).get("data")
        return data if isinstance(data, dict) else {}

    def waba_phone_numbers(self, waba_id: str, *, token: str) -> Iterator[dict[str, Any]]:
        return self.pages(f"{waba_id}/phone_numbers", token=token, params={"fields": "id"})

    # ---- messages and media (META.md §3.1, §3.2) -------------------------------------------------

    def send_message(
        self, phone_number_id: str, message: dict[str, Any], *, token: str, timeout: httpx.Timeout = TIMEOUT
    ) -> SendResult:
        """Send a body built by ``masteria.channels.providers.meta_cloud.messages``; Meta's wamid back."""
        answer = self.request("POST", f"{phone_number_id}/messages", token=token, json=message, timeout=timeout)
        sent = (answer.get("messages") or [{}])[0]
        contact = (answer.get("contacts") or [{}])[0]
        return SendResult(
            wamid=str(sent.get("id", "")),
            message_status=sent.get("message_status"),
            wa_id=contact.get("wa_id"),
        )

    def mark_read(self, phone_number_id: str, body: dict[str, Any], *, token: str) -> bool:
        return bool(self.request("POST", f"{phone_number_id}/messages", token=token, json=body).get("success"))

    def upload_media(self, phone_number_id: str, data: bytes, *, mime_type: str, filename: str, token: str) -> str:
        """Upload a file for sending (kept 30 days by Meta); its media id."""
        url = f"{self._root}/{phone_number_id}/media"
        try:
            response = self._http.post(
                url,
                data={"messaging_product": "whatsapp", "type": mime_type},
                files={"file": (filename, data, mime_type)},
                headers={"Authorization": f"Bearer {token}"},
                timeout=TIMEOUT,
            )
        except httpx.TransportError as error:
            raise GraphTransientError(
                code=-1, message="network error", details=None, category=Category.TRANSIENT, trace_id=None
            ) from error
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        if response.is_success and isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        raise meta_errors.from_response(response.status_code, body)

    def media_info(self, media_id: str, *, token: str) -> dict[str, Any]:
        """``url`` (valid 5 minutes), ``mime_type``, ``sha256``, ``file_size`` of an uploaded or received file."""
        return self.request("GET", media_id, token=token)

    def download_media(self, url: str, *, token: str, max_bytes: int = 100 * 1024 * 1024) -> bytes:
        """The file behind a media URL (Meta's CDN wants the token too); only Meta's hosts get the token."""
        host = httpx.URL(url).host
        if not (host in MEDIA_HOSTS or host.endswith(".fbcdn.net") or url.startswith(self._base + "/")):
            raise meta_errors.GraphPermanentError(
                code=-1, message="unexpected media host", details=None, category=Category.PERMANENT, trace_id=None
            )
        with self._http.stream("GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT) as response:
            if not response.is_success:
                response.read()
                raise meta_errors.from_response(response.status_code, _json_or_none(response))
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise meta_errors.GraphPermanentError(
                        code=131052, message="media too large", details=None, category=Category.PERMANENT, trace_id=None
                    )
            return bytes(data)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
