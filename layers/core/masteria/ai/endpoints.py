"""Which chat model answers for a company: its own OpenAI-compatible endpoint (base URL, model, key sealed at rest)
or the platform's default, and a persona version's model over the company's.

Precedence, field by field: the persona version's ``chat_model``, then the company's, then ``AI_CHAT_MODEL``; the
company's base URL, then ``AI_BASE_URL`` (OpenAI's own when unset). The key goes only where it belongs: the
company's key to the company's (or the platform's) URL, the platform's key to the platform's URL only, never to a
host a company typed; a company URL without a key of its own gets a placeholder (a self-hosted server that asks
for none). Requests to a company's host go through the SSRF guard (``container.ai_http``); the platform's URL and,
on the local runtime, the AI sandbox do not. Nothing is cached: each call reads the company's row and builds its
client, so one company's key never serves another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.orm import Session

from masteria.ai.models import AiSettings, PersonaVersion
from masteria.ai.shapes import ChatRequest, ChatResult
from masteria.crypto import CompanyKeys, seal, unseal
from masteria.settings import Runtime
from masteria.webhooks.ssrf import GuardedTransport, UnsafeUrl

if TYPE_CHECKING:
    from masteria.ai.openai_adapter import OpenAiChat
    from masteria.bootstrap import Container
    from masteria.ports import LLM

API_KEY = "api_key"  # the sealed column
NO_KEY = "not-needed"  # what a company's keyless endpoint gets as the (required, non-empty) key
SANDBOX_PATH = "/sandbox/openai/"
INTERACTIVE_TIMEOUT = 20.0  # seconds


@dataclass(frozen=True)
class Endpoint:
    """Where a company's chat calls go. ``source``: ``platform`` (the platform's URL and key), ``company`` (the
    company's key and/or URL). ``guarded``: through the SSRF guard."""

    base_url: str
    model: str
    source: str
    guarded: bool
    api_key: str | None = None  # None: the platform's own client (``container.llm``)

    @property
    def host(self) -> str:  # named by its host only: a URL may carry credentials
        return httpx.URL(self.base_url).host


def platform_base_url(container: Container) -> str:
    from masteria.ai.openai_adapter import OPENAI_BASE_URL

    return container.settings.ai_base_url or OPENAI_BASE_URL


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def is_trusted(container: Container, base_url: str) -> bool:
    """The platform's own URL, or on the local runtime the AI sandbox on this machine: no SSRF guard."""
    if _same_url(base_url, platform_base_url(container)):
        return True
    s = container.settings
    if s.masteria_runtime is Runtime.AWS:
        return False
    url = httpx.URL(base_url)
    return url.host in {s.local_host, "127.0.0.1", "localhost"} and (url.path.rstrip("/") + "/").startswith(
        SANDBOX_PATH
    )


def company_settings(session: Session, company_id: uuid.UUID) -> AiSettings | None:
    return session.get(AiSettings, company_id)


def seal_key(session: Session, keys: CompanyKeys, row: AiSettings, api_key: str) -> bytes:
    """``api_key`` sealed under the company's data key, bound to this company's ``ai_settings.api_key``."""
    key = keys.key(session, row.company_id)
    return seal(api_key, key=key, company_id=row.company_id, table=AiSettings.__tablename__, column=API_KEY,
                row_id=row.company_id)  # fmt: skip


def company_key(session: Session, container: Container, row: AiSettings) -> str | None:
    """The company's own API key, unsealed (``SecretUnreadable`` if it was tampered with or moved)."""
    if row.api_key is None:
        return None
    key = container.company_keys.key(session, row.company_id)
    return unseal(row.api_key, key=key, company_id=row.company_id, table=AiSettings.__tablename__, column=API_KEY,
                  row_id=row.company_id)  # fmt: skip


def resolve_endpoint(
    session: Session,
    *,
    container: Container,
    company_id: uuid.UUID,
    persona_version: PersonaVersion | None = None,
) -> Endpoint:
    row = company_settings(session, company_id)
    platform_url = platform_base_url(container)
    model = (
        (persona_version.chat_model if persona_version is not None else None)
        or (row.chat_model if row is not None else None)
        or container.settings.ai_chat_model
    )
    if row is None or (row.base_url is None and row.api_key is None):
        return Endpoint(base_url=platform_url, model=model, source="platform", guarded=False)
    base_url = row.base_url or platform_url
    key = company_key(session, container, row)
    if key is None:
        if _same_url(base_url, platform_url):  # the company named the platform's own URL: the platform's key
            return Endpoint(base_url=platform_url, model=model, source="platform", guarded=False)
        key = NO_KEY
    return Endpoint(
        base_url=base_url, model=model, source="company", guarded=not is_trusted(container, base_url), api_key=key
    )


class AiGuardedTransport(GuardedTransport):
    """The SSRF guard for a company's AI endpoint: a refused address is a connection error (the SDK's
    ``APIConnectionError``, an ``unavailable`` model error), not a ``ValueError`` the adapter would read as an
    unreadable answer."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except UnsafeUrl as error:
            raise httpx.ConnectError(f"refused by the SSRF guard: {error}", request=request) from error


class EndpointChat:
    """An ``LLM`` on one resolved endpoint, with its model as the default for requests that name none. ``close()``
    releases a client it built (never the container's shared ones)."""

    def __init__(self, inner: LLM, model: str, endpoint: Endpoint, owned: OpenAiChat | None = None) -> None:
        self._inner, self._model, self.endpoint, self._owned = inner, model, endpoint, owned

    @property
    def model(self) -> str:
        return self._model

    def chat(self, request: ChatRequest) -> ChatResult:
        if request.model is None:
            request = request.model_copy(update={"model": self._model})
        return self._inner.chat(request)

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None


def timeout_of(container: Container, endpoint: Endpoint, *, interactive: bool = False) -> float:
    """How long a call to ``endpoint`` waits for an answer (see ``chat_for_endpoint``)."""
    timeout = container.settings.ai_timeout_seconds
    return min(timeout, INTERACTIVE_TIMEOUT) if interactive and endpoint.api_key is not None else timeout


def chat_for_endpoint(container: Container, endpoint: Endpoint, *, interactive: bool = False) -> EndpointChat:
    """The chat model at ``endpoint`` (the platform's shared client for the platform's own). ``interactive``: a
    person waits on the API for it (a check, a test), so a company's endpoint gets ``INTERACTIVE_TIMEOUT`` at most
    and no retry, well within the API's 29 seconds."""
    if endpoint.api_key is None:
        return EndpointChat(container.llm, endpoint.model, endpoint)
    from masteria.ai.openai_adapter import OpenAiChat

    s = container.settings
    chat = OpenAiChat(
        base_url=endpoint.base_url,
        api_key=endpoint.api_key,
        model=endpoint.model,
        timeout_seconds=timeout_of(container, endpoint, interactive=interactive),
        max_retries=0 if interactive else s.ai_max_retries,
        # the shared guarded client is the container's and outlives this chat: not closed with it
        http_client=container.ai_http if endpoint.guarded else None,
    )
    return EndpointChat(chat, endpoint.model, endpoint, owned=None if endpoint.guarded else chat)


def chat_model_for(
    session: Session,
    *,
    container: Container,
    company_id: uuid.UUID,
    persona_version: PersonaVersion | None = None,
) -> EndpointChat:
    """The chat model (an ``LLM``) that answers for ``company_id`` (and ``persona_version``'s model, if it names
    one). It has ``model`` (what requests naming none use), ``endpoint`` (where it goes) and ``close()`` (call it when
    done: a company's own endpoint holds a client)."""
    endpoint = resolve_endpoint(session, container=container, company_id=company_id, persona_version=persona_version)
    return chat_for_endpoint(container, endpoint)
