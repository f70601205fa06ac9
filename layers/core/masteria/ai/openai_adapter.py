"""The ``LLM`` and ``Embedder`` ports over the official ``openai`` SDK, against any OpenAI-compatible base URL
(OpenAI, the local AI sandbox, a self-hosted server).

Retries are the SDK's own (``max_retries``): exponential backoff from 0.5 s with up to 25 % jitter on 408, 409, 429,
5xx, timeouts and lost connections, honouring ``retry-after``/``retry-after-ms`` up to two minutes (a longer
``retry-after`` is not waited for: the error carries it). What still fails becomes a ``ModelError``
(``openai_errors``). Tests pass ``http_client=httpx.Client(transport=httpx.MockTransport(...))``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import httpx
import openai
from openai.types import CreateEmbeddingResponse
from openai.types.chat import ChatCompletion

from masteria.ai.errors import Category, ModelError
from masteria.ai.openai_errors import model_error
from masteria.ai.shapes import (
    AssistantMessage,
    ChatRequest,
    ChatResult,
    Embeddings,
    FinishReason,
    Message,
    SystemMessage,
    ToolCall,
    ToolResultMessage,
    Usage,
    UserMessage,
)
from masteria.observability import logger

OPENAI_BASE_URL = "https://api.openai.com/v1"
# OpenAI's embedding models and the length of their vectors when no ``dimensions`` is asked for.
NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
# Texts per embeddings request: OpenAI takes up to 2,048 inputs and 300,000 tokens per request; 128 knowledge-base
# chunks of a couple of thousand tokens stay under both.
EMBEDDING_BATCH = 128
_T = TypeVar("_T")
_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
    "content_filter": FinishReason.CONTENT_FILTER,
}


def _sdk_client(
    base_url: str, api_key: str, timeout_seconds: float, max_retries: int, http_client: httpx.Client | None
) -> openai.OpenAI:
    if not api_key:
        raise ValueError("an API key is required (the AI sandbox accepts any non-empty one)")
    # The SDK speaks httpx2 but accepts an httpx client as well (its "legacy" client), which is what our tests and
    # the rest of this code base use; its annotation names httpx2 only.
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout_seconds,
        max_retries=max_retries,
        http_client=cast(Any, http_client),
    )


class _OpenAiBase:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._model = model
        self._key = api_key
        self._client = _sdk_client(base_url, api_key, timeout_seconds, max_retries, http_client)

    @property
    def model(self) -> str:
        return self._model

    def close(self) -> None:
        self._client.close()

    def _call(self, model: str, call: Callable[[], _T]) -> _T:
        """``call()``, its SDK exceptions as ``ModelError``. Raised outside the ``except`` so that the SDK's exception
        is neither the cause nor the context: its text may quote the key or the prompt, and a traceback prints it."""
        try:
            return call()
        except openai.OpenAIError as sdk_error:
            error = _as_model_error(sdk_error, model, self._key)
        except ValueError:  # a body that is not JSON (a proxy's page, a broken server): the SDK's json() failed
            error = ModelError(Category.INVALID_RESPONSE, model=model, code="unreadable_answer")
        logger.warning("model call failed", extra=error.log_fields())
        raise error


class OpenAiChat(_OpenAiBase):
    """Chat completions, with tools."""

    def chat(self, request: ChatRequest) -> ChatResult:
        model = request.model or self._model
        arguments = chat_arguments(request, model)
        completion = self._call(model, lambda: self._client.chat.completions.create(**arguments))
        return parse_completion(completion, model=model)


class OpenAiEmbedder(_OpenAiBase):
    """The embeddings endpoint. ``dimensions`` is sent only when configured (only ``text-embedding-3`` and later
    take it); otherwise the model's native length, which must then be known here."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        dimensions: int | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
    ) -> None:
        native = NATIVE_DIMENSIONS.get(model)
        if dimensions is None and native is None:
            raise ValueError(f"the dimensions of embedding model {model!r} are unknown: configure them")
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            model=model,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            http_client=http_client,
        )
        self._requested = dimensions
        self._dimensions: int = dimensions or cast(int, native)

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> Embeddings:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one str")
        vectors: list[list[float]] = []
        prompt_tokens = 0
        for start in range(0, len(texts), EMBEDDING_BATCH):
            batch = list(texts[start : start + EMBEDDING_BATCH])
            response = self._call(
                self._model,
                lambda: self._client.embeddings.create(
                    model=self._model,
                    input=batch,  # noqa: B023 - called right here, within this iteration
                    encoding_format="float",
                    dimensions=self._requested if self._requested is not None else openai.omit,
                ),
            )
            vectors.extend(self._vectors(response, len(batch)))
            counted = getattr(response.usage, "prompt_tokens", 0)
            prompt_tokens += counted if isinstance(counted, int) else 0
        return Embeddings(self._model, self._dimensions, vectors, Usage(prompt_tokens=prompt_tokens))

    def _vectors(self, response: CreateEmbeddingResponse, expected: int) -> list[list[float]]:
        try:
            data = sorted(response.data, key=lambda item: item.index)
            vectors = [list(item.embedding) for item in data]
        except (AttributeError, TypeError):
            vectors = []
        if len(vectors) != expected or any(len(vector) != self._dimensions for vector in vectors):
            # a server that ignored ``dimensions``, or answered another number of vectors than texts
            error = ModelError(Category.INVALID_RESPONSE, model=self._model, code="unexpected_vectors")
            logger.warning("model call failed", extra=error.log_fields())
            raise error
        return vectors


def _message(message: Message) -> dict[str, Any]:
    if isinstance(message, SystemMessage | UserMessage):
        return {"role": message.role, "content": message.content}
    if isinstance(message, ToolResultMessage):
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    assert isinstance(message, AssistantMessage)
    wire: dict[str, Any] = {"role": "assistant", "content": message.content}
    if message.tool_calls:
        wire["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in message.tool_calls
        ]
    return wire


def _as_model_error(sdk_error: openai.OpenAIError, model: str, secret: str) -> ModelError:
    """``model_error``, and should reading the SDK's error fail too, a plain one (never the SDK's text)."""
    try:
        return model_error(sdk_error, model=model, secret=secret)
    except Exception:  # whatever the answer held, the caller gets a ModelError
        return ModelError(Category.INVALID_RESPONSE, model=model, code=type(sdk_error).__name__)


def chat_arguments(request: ChatRequest, model: str) -> dict[str, Any]:
    """The request as the SDK's keyword arguments: optional fields only when set (OpenAI refuses ``tools: []``)."""
    arguments: dict[str, Any] = {"model": model, "messages": [_message(m) for m in request.messages]}
    if request.tools:
        arguments["tools"] = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
            for t in request.tools
        ]
    if request.tool_choice is not None:
        arguments["tool_choice"] = request.tool_choice
    if request.temperature is not None:
        arguments["temperature"] = request.temperature
    if request.max_output_tokens is not None:
        arguments["max_completion_tokens"] = request.max_output_tokens
    return arguments


def _tool_call(call: Any, model: str) -> ToolCall:
    if getattr(call, "type", "function") != "function":
        raise ModelError(Category.INVALID_RESPONSE, model=model, code="unsupported_tool_call")
    raw = call.function.arguments or ""
    try:
        arguments = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        raise ModelError(Category.INVALID_RESPONSE, model=model, code="tool_arguments_not_json_object")
    return ToolCall(id=call.id, name=call.function.name, arguments=arguments)


def parse_completion(completion: object, *, model: str) -> ChatResult:
    """The first choice as a ``ChatResult``. The SDK does not validate answers (a compatible server may leave
    fields out), so whatever cannot be read is an ``invalid_response``."""
    try:
        if not isinstance(completion, ChatCompletion) or not completion.choices:
            raise ModelError(Category.INVALID_RESPONSE, model=model, code="no_choices")
        choice = completion.choices[0]
        calls = tuple(_tool_call(call, model) for call in choice.message.tool_calls or ())
        usage = completion.usage
        return ChatResult(
            content=choice.message.content,
            tool_calls=calls,
            finish_reason=_FINISH.get(str(choice.finish_reason), FinishReason.OTHER),
            usage=Usage(prompt_tokens=usage.prompt_tokens or 0, completion_tokens=usage.completion_tokens or 0)
            if usage
            else Usage(),
            model=completion.model or model,
        )
    except ModelError as error:
        logger.warning("model call failed", extra=error.log_fields())
        raise
    except (AttributeError, TypeError, ValueError):
        unreadable = ModelError(Category.INVALID_RESPONSE, model=model, code="unreadable_answer")
    # raised outside the except: the validation error's text quotes the model's output
    logger.warning("model call failed", extra=unreadable.log_fields())
    raise unreadable
