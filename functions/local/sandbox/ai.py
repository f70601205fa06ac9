"""The AI sandbox: an OpenAI-compatible model as the local runtime's AI, served under ``/sandbox/openai``.

Model side (what an OpenAI client calls, with the base URL ``<local>/sandbox/openai/v1`` and any non-empty API
key): ``POST /v1/chat/completions`` and ``POST /v1/embeddings``, every body checked against OpenAI's OpenAPI
document (``openai_spec.py``; a wrong one gets OpenAI's 400 error shape listing the problems), answered
deterministically (``ai_answers.py``): a tool call of ``handoff`` to a customer who asks for a person, of
``propose_stage`` to one who names a time, else the context's sentences closest to the question; embeddings are
hashing vectors, the same for the same text, close for texts sharing words.

Tester side: ``GET /sandbox/openai/requests`` lists the requests answered (newest last, the last 1,000); ``PUT
/sandbox/openai/settings`` queues failures for the next requests (``inject``: a 429 with ``retry-after``, a 500 or
503, a 401 for the key, or an answer only after ``delay_seconds``, past the caller's timeout); ``GET`` reads them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import deque
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from functions.local.sandbox import ai_answers
from functions.local.sandbox.openai_spec import chat_completion_errors, embedding_errors, warm

KEPT_REQUESTS = 200  # (an embeddings request may carry a megabyte of chunks)
KEPT_REJECTED = 100
DEFAULT_DIMENSIONS = 256  # a vector's length when no ``dimensions`` is asked for, but for OpenAI's own models:
NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
MAX_DIMENSIONS = 3072  # text-embedding-3-large's
_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth"
    " (i.e. Authorization: Bearer YOUR_KEY)."
)
# OpenAI's words for the failures a test can inject: (type, code, message)
_FAILURES: dict[int, tuple[str, str | None, str]] = {
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


class AiInjection(BaseModel):
    """A failure for one of the next requests (chat completions or embeddings): an error answered with OpenAI's
    shape, or an answer that comes only after ``delay_seconds`` (a timeout for the caller), or both."""

    http_status: Literal[401, 429, 500, 503] | None = Field(default=None, examples=[429])
    retry_after_seconds: int = Field(default=1, ge=0, le=3600, description="with 429: the retry-after header")
    delay_seconds: float | None = Field(default=None, ge=0, le=300, examples=[35])


class AiSandboxSettings(BaseModel):
    inject: list[AiInjection] = Field(default_factory=list, description="failures for the next requests, in order")


class AiSandbox:
    """The AI sandbox's state (one per process): its settings and what it was asked."""

    def __init__(self) -> None:
        self.settings = AiSandboxSettings()
        self.requests: deque[dict[str, Any]] = deque(maxlen=KEPT_REQUESTS)  # {"endpoint", "body", "at", "status"}
        self.rejected: deque[dict[str, Any]] = deque(maxlen=KEPT_REJECTED)  # {"endpoint", "body", "problems"}
        self._prefix = uuid.uuid4().hex[:12]
        self._ids = itertools.count()

    def new_id(self, kind: str) -> str:
        """Unique (a random part drawn once per process, then a counter): ``chatcmpl-…``, ``call_…``."""
        return f"{kind}{self._prefix}{next(self._ids):010x}"

    def injected(self) -> AiInjection | None:
        return self.settings.inject.pop(0) if self.settings.inject else None


def error(status: int, message: str, kind: str, *, param: str | None = None, code: str | None = None) -> JSONResponse:
    """An error as OpenAI answers it."""
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers={"x-request-id": f"req_{uuid.uuid4().hex}"})


def _invalid(problems: list[str]) -> JSONResponse:
    first = problems[0].split(":", 1)[0].removeprefix("$").removeprefix(".") or None
    return error(400, "Invalid request body: " + "; ".join(problems)[:2000], "invalid_request_error", param=first)


def _key(request: Request) -> str:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


async def _checked(
    sandbox: AiSandbox, endpoint: str, request: Request
) -> tuple[dict[str, Any] | None, JSONResponse | None]:
    """The request's body if it may be answered; else the error to answer."""
    if not _key(request):
        return None, error(401, _NO_KEY, "invalid_request_error")
    try:
        body = json.loads(await request.body())
    except ValueError:
        message = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your"
        return None, error(400, message + " HTTP library correctly.)", "invalid_request_error")
    # (validation and answers off the event loop: in masteria dev it is the API's too)
    check = chat_completion_errors if endpoint == "chat/completions" else embedding_errors
    problems = await run_in_threadpool(check, body)
    if not problems and endpoint == "embeddings" and int(body.get("dimensions") or 0) > MAX_DIMENSIONS:
        problems = [f"$.dimensions: {body['dimensions']} is greater than the maximum of {MAX_DIMENSIONS}"]
    if problems:
        sandbox.rejected.append({"endpoint": endpoint, "body": body, "problems": problems})
        return None, _invalid(problems)
    injection = sandbox.injected()
    status = injection.http_status if injection is not None and injection.http_status else 200
    sandbox.requests.append({"endpoint": endpoint, "body": body, "at": time.time(), "status": status})
    if injection is None:
        return body, None
    if injection.delay_seconds:
        await asyncio.sleep(injection.delay_seconds)
    if injection.http_status is None:
        return body, None
    kind, code, message = _FAILURES[injection.http_status]
    if injection.http_status == 401:  # as OpenAI does: the refused key quoted (what our side must never log)
        message = f"Incorrect API key provided: {_key(request)}."
    failed = error(injection.http_status, message, kind, code=code)
    if injection.http_status == 429:
        failed.headers["retry-after"] = str(injection.retry_after_seconds)
        failed.headers["x-ratelimit-remaining-requests"] = "0"
    return None, failed


def completion(sandbox: AiSandbox, body: dict[str, Any]) -> dict[str, Any]:
    """A ``CreateChatCompletionResponse`` for the request (``n`` choices, all the same)."""
    content, calls = ai_answers.answer(body)
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    if calls:
        message["tool_calls"] = [
            {
                "id": sandbox.new_id("call_"),
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
            }
            for name, arguments in calls
        ]
    said = content or " ".join(c["function"]["arguments"] for c in message.get("tool_calls", []))
    prompt = ai_answers.tokens(
        " ".join(ai_answers.text_of(m.get("content")) for m in body["messages"] if isinstance(m, dict))
    )
    completion_tokens = ai_answers.tokens(said)
    return {
        "id": sandbox.new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [
            {"index": i, "message": message, "logprobs": None, "finish_reason": "tool_calls" if calls else "stop"}
            for i in range(int(body.get("n") or 1))
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        },
        "service_tier": "default",
        "system_fingerprint": "fp_sandbox",
    }


def _stream(answer: dict[str, Any], *, include_usage: bool) -> StreamingResponse:
    """The answer as ``stream: true`` gets it: one chunk with the whole message, one with the finish reason (and
    one with the usage, when ``stream_options.include_usage`` asks)."""
    head = {k: answer[k] for k in ("id", "created", "model", "system_fingerprint")}
    head["object"] = "chat.completion.chunk"
    first, last = [], []
    for choice in answer["choices"]:
        message = choice["message"]
        calls = [{"index": n, **call} for n, call in enumerate(message.get("tool_calls", []))]
        delta = {"role": "assistant", "content": message["content"]} | ({"tool_calls": calls} if calls else {})
        first.append({"index": choice["index"], "delta": delta, "logprobs": None, "finish_reason": None})
        last.append({"index": choice["index"], "delta": {}, "logprobs": None, "finish_reason": choice["finish_reason"]})
    events = [head | {"choices": first}, head | {"choices": last}]
    if include_usage:
        events.append(head | {"choices": [], "usage": answer["usage"]})
    lines = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events] + ["data: [DONE]\n\n"]
    return StreamingResponse(iter(lines), media_type="text/event-stream")


def embeddings(body: dict[str, Any]) -> dict[str, Any]:
    """A ``CreateEmbeddingResponse``: one hashing vector per input (floats, or base64 as OpenAI encodes them)."""
    given = body["input"]
    items: list[Any] = [given] if isinstance(given, str) or (given and isinstance(given[0], int)) else list(given)
    dimensions = int(body.get("dimensions") or NATIVE_DIMENSIONS.get(body["model"], DEFAULT_DIMENSIONS))
    encode = ai_answers.as_base64 if body.get("encoding_format") == "base64" else (lambda v: v)
    data = [
        {"object": "embedding", "index": i, "embedding": encode(ai_answers.embedding(item, dimensions))}
        for i, item in enumerate(items)
    ]
    used = sum(len(item) if isinstance(item, list) else ai_answers.tokens(item) for item in items)
    usage = {"prompt_tokens": used, "total_tokens": used}
    return {"object": "list", "data": data, "model": body["model"], "usage": usage}


def router(sandbox: AiSandbox) -> APIRouter:
    warm()
    api = APIRouter(prefix="/sandbox/openai", tags=["sandbox"], include_in_schema=False)

    @api.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Any:
        body, refused = await _checked(sandbox, "chat/completions", request)
        if refused is not None or body is None:
            return refused
        answer = await run_in_threadpool(completion, sandbox, body)
        if not body.get("stream"):
            return JSONResponse(answer)
        return _stream(answer, include_usage=bool((body.get("stream_options") or {}).get("include_usage")))

    @api.post("/v1/embeddings")
    async def create_embeddings(request: Request) -> Any:
        body, refused = await _checked(sandbox, "embeddings", request)
        if refused is not None or body is None:
            return refused
        return JSONResponse(await run_in_threadpool(embeddings, body))

    @api.get("/requests")
    def requests() -> list[dict[str, Any]]:
        """The requests answered (errors injected included), newest last."""
        return list(sandbox.requests)

    @api.get("/settings")
    def read_settings() -> AiSandboxSettings:
        return sandbox.settings

    @api.put("/settings")
    def settings(body: AiSandboxSettings) -> AiSandboxSettings:
        sandbox.settings = body
        return body

    return api


__all__ = ["AiInjection", "AiSandbox", "AiSandboxSettings", "router"]
