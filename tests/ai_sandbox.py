"""The AI sandbox in-process as the platform's model, for integration tests: the container's ``llm`` talks to it
through a TestClient (no socket), as the local runtime's does over HTTP."""

from __future__ import annotations

from typing import cast

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from functions.local.sandbox.ai import AiSandbox, router
from masteria.ai.openai_adapter import OpenAiChat
from masteria.bootstrap import Container

SANDBOX_URL = "http://testserver/sandbox/openai/v1"


def use_ai_sandbox(container: Container) -> tuple[AiSandbox, TestClient]:
    """Make the sandbox the platform's AI (``AI_BASE_URL`` and ``container.llm``); the sandbox and its client."""
    sandbox = AiSandbox()
    app = FastAPI()
    app.include_router(router(sandbox))
    http = TestClient(app)
    container.settings = container.settings.model_copy(update={"ai_base_url": SANDBOX_URL, "ai_max_retries": 0})
    container.llm = OpenAiChat(
        base_url=SANDBOX_URL, api_key="masteria-local", model=container.settings.ai_chat_model, max_retries=0,
        http_client=cast(httpx.Client, http),  # a TestClient is an httpx.Client
    )  # fmt: skip
    return sandbox, http
