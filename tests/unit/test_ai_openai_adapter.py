"""The OpenAI adapters against OpenAI-shaped answers (MockTransport: no network): requests as the API documents them,
answers parsed into our types, the SDK's retries, and every failure as a ``ModelError`` that leaks neither the key
nor the prompt."""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai._base_client as sdk_client  # the module whose ``time.sleep`` paces the SDK's retries
import pytest

from masteria.ai.errors import Category, ModelError
from masteria.ai.openai_adapter import OpenAiChat, OpenAiEmbedder
from masteria.ai.shapes import (
    ChatRequest,
    FinishReason,
    SystemMessage,
    ToolDefinition,
    ToolResultMessage,
    Usage,
    UserMessage,
)

KEY = "sk-test-0123456789abcdefSECRET"
PROMPT = "Meu CPF é 123.456.789-00, qual o preço do plano?"
BASE_URL = "https://models.example.com/v1"
Handler = Callable[[httpx.Request], httpx.Response]


def completion(message: dict[str, Any], *, finish_reason: str = "stop", model: str = "gpt-4o-mini-2024-07-18") -> Any:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_767_225_600,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49},
    }


def api_error(status: int, code: str | None, message: str, param: str | None = None, **headers: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return httpx.Response(status, json=body, headers=headers)


class Attempts:
    """A MockTransport handler answering from a script, one answer per attempt, recording each request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers, self.requests = list(answers), list[httpx.Request]()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(
            answer.status_code, headers=answer.headers, content=answer.content
        )  # a fresh one each time

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's waits between attempts, recorded instead of slept (the clock itself is left alone)."""
    waited: list[float] = []

    class Clock:
        time = staticmethod(time.time)

        @staticmethod
        def sleep(seconds: float) -> None:
            waited.append(seconds)

    monkeypatch.setattr(sdk_client, "time", Clock)
    return waited


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)  # the SDK's and httpx's debug lines too
    yield caplog


def chat(handler: Handler, *, max_retries: int = 2) -> OpenAiChat:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return OpenAiChat(base_url=BASE_URL, api_key=KEY, model="gpt-4o-mini", max_retries=max_retries, http_client=client)


def ask(text: str = PROMPT, **fields: Any) -> ChatRequest:
    return ChatRequest(messages=(SystemMessage(content="Você atende a loja."), UserMessage(content=text)), **fields)


def failure(adapter: OpenAiChat, request: ChatRequest | None = None) -> ModelError:
    with pytest.raises(ModelError) as caught:
        adapter.chat(request or ask())
    return caught.value


def test_a_plain_answer_is_read_with_its_usage_and_model(sleeps: list[float]) -> None:
    # GIVEN a model answering in text
    attempts = Attempts(httpx.Response(200, json=completion({"content": "O plano custa R$ 99."})))
    # WHEN it is asked, with a temperature and an output limit
    result = chat(attempts).chat(ask(temperature=0.2, max_output_tokens=300))
    # THEN the answer, why it stopped, the tokens and the answering snapshot are ours to read
    assert (result.content, result.tool_calls, result.finish_reason) == ("O plano custa R$ 99.", (), FinishReason.STOP)
    assert result.usage == Usage(prompt_tokens=42, completion_tokens=7)
    assert result.model == "gpt-4o-mini-2024-07-18"
    # AND the request went as the API documents it: the key in a header, optional fields only when set
    request = attempts.requests[0]
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/chat/completions")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert attempts.body() == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Você atende a loja."},
            {"role": "user", "content": PROMPT},
        ],
        "temperature": 0.2,
        "max_completion_tokens": 300,
    }
    assert sleeps == []


def test_a_tool_call_comes_back_with_its_arguments_parsed_and_goes_back_as_history() -> None:
    arguments = {"stage_id": "7f1c", "confidence": 0.9, "evidence": "pode ser amanhã às 10h"}
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "propose_stage", "arguments": json.dumps(arguments)},
    }
    attempts = Attempts(
        httpx.Response(200, json=completion({"content": None, "tool_calls": [call]}, finish_reason="tool_calls"))
    )
    stage = {
        "type": "object",
        "properties": {"stage_id": {"type": "string", "enum": ["7f1c"]}},
        "required": ["stage_id"],
    }
    tool = ToolDefinition(name="propose_stage", description="Move the lead to a stage.", parameters=stage)
    adapter = chat(attempts)

    result = adapter.chat(ask("pode ser amanhã às 10h", tools=(tool,), tool_choice="auto"))

    assert result.finish_reason is FinishReason.TOOL_CALLS and result.content is None
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [("call_1", "propose_stage", arguments)]
    assert attempts.body()["tools"] == [
        {
            "type": "function",
            "function": {"name": "propose_stage", "description": tool.description, "parameters": stage},
        }
    ]
    assert attempts.body()["tool_choice"] == "auto"

    # the call and its result continue the conversation in OpenAI's shape
    follow_up = ChatRequest(
        messages=(*ask().messages, result.as_message(), ToolResultMessage(tool_call_id="call_1", content='{"ok":true}'))
    )
    adapter.chat(follow_up)
    assistant, tool_result = attempts.body()["messages"][-2:]
    assert assistant == {"role": "assistant", "content": None, "tool_calls": [{**call, "function": {
        "name": "propose_stage", "arguments": json.dumps(arguments)}}]}  # fmt: skip
    assert tool_result == {"role": "tool", "tool_call_id": "call_1", "content": '{"ok":true}'}


@pytest.mark.parametrize("arguments", ["{not json", "[1, 2]"])
def test_tool_arguments_that_are_not_a_json_object_are_an_invalid_response(arguments: str) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "handoff", "arguments": arguments}}
    attempts = Attempts(httpx.Response(200, json=completion({"tool_calls": [call]}, finish_reason="tool_calls")))
    error = failure(chat(attempts))
    assert (error.category, error.code, error.retryable) == (
        Category.INVALID_RESPONSE,
        "tool_arguments_not_json_object",
        False,
    )


def test_an_answer_without_choices_is_an_invalid_response() -> None:
    error = failure(chat(Attempts(httpx.Response(200, json={"id": "x", "object": "chat.completion", "choices": []}))))
    assert error.category is Category.INVALID_RESPONSE


def test_a_refused_key_is_auth_and_not_retried(sleeps: list[float]) -> None:
    attempts = Attempts(api_error(401, "invalid_api_key", "Incorrect API key provided."))
    error = failure(chat(attempts))
    assert (error.category, error.status, error.code, error.retryable) == (Category.AUTH, 401, "invalid_api_key", False)
    assert len(attempts.requests) == 1 and sleeps == []


def test_a_spent_quota_is_auth_though_it_comes_as_a_429(sleeps: list[float]) -> None:
    attempts = Attempts(api_error(429, "insufficient_quota", "You exceeded your current quota."))
    assert failure(chat(attempts, max_retries=0)).category is Category.AUTH


def test_a_429_is_retried_after_the_servers_retry_after_and_then_succeeds(sleeps: list[float]) -> None:
    # GIVEN a model that is rate-limited once, asking for 3 seconds
    attempts = Attempts(
        api_error(429, "rate_limit_exceeded", "Rate limit reached.", **{"retry-after": "3"}),
        httpx.Response(200, json=completion({"content": "Olá!"})),
    )
    # WHEN it is asked
    result = chat(attempts).chat(ask())
    # THEN the SDK waited what the server said and the second attempt answered
    assert result.content == "Olá!"
    assert len(attempts.requests) == 2 and sleeps == [3.0]
    # AND the retry sent the same request again
    assert attempts.body(0) == attempts.body(1)


def test_a_429_asking_for_longer_than_the_sdk_waits_fails_at_once_with_the_wait() -> None:
    attempts = Attempts(api_error(429, "rate_limit_exceeded", "Rate limit reached.", **{"retry-after": "600"}))
    error = failure(chat(attempts))
    assert (error.category, error.retry_after, error.retryable) == (Category.RATE_LIMITED, 600.0, True)
    assert len(attempts.requests) == 1


def test_5xx_after_every_retry_is_unavailable_with_exponential_backoff_and_jitter(sleeps: list[float]) -> None:
    attempts = Attempts(api_error(500, None, "The server had an error while processing your request."))
    error = failure(chat(attempts, max_retries=3))
    assert (error.category, error.status, error.retryable) == (Category.UNAVAILABLE, 500, True)
    assert len(attempts.requests) == 4
    # 0.5 s, 1 s, 2 s, each shortened by up to 25 %
    assert len(sleeps) == 3
    assert all(0.75 * base <= wait <= base for wait, base in zip(sleeps, (0.5, 1.0, 2.0), strict=True)), sleeps


def test_a_lost_connection_is_unavailable(sleeps: list[float]) -> None:
    attempts = Attempts(httpx.ConnectError("connection refused"))
    error = failure(chat(attempts, max_retries=1))
    assert (error.category, error.status) == (Category.UNAVAILABLE, None)
    assert len(attempts.requests) == 2


def test_no_answer_in_time_is_a_timeout_after_the_retries(sleeps: list[float]) -> None:
    attempts = Attempts(httpx.ReadTimeout("timed out"))
    error = failure(chat(attempts, max_retries=1))
    assert (error.category, error.retryable) == (Category.TIMEOUT, True)
    assert len(attempts.requests) == 2 and len(sleeps) == 1


def test_a_400_is_an_invalid_request_naming_the_parameter_and_not_retried(sleeps: list[float]) -> None:
    attempts = Attempts(
        api_error(400, "unsupported_parameter", "Unsupported parameter: 'temperature'.", param="temperature")
    )
    error = failure(chat(attempts))
    assert (error.category, error.status, error.code, error.param) == (
        Category.INVALID_REQUEST,
        400,
        "unsupported_parameter",
        "temperature",
    )
    assert len(attempts.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "answer",
    [
        api_error(401, "invalid_api_key", f"Incorrect API key provided: {KEY}. You can find your key at ..."),
        api_error(400, "context_length_exceeded", f"This model's maximum context length... '{PROMPT}'", param=KEY),
        api_error(503, KEY, f"Overloaded while reading {PROMPT}"),
    ],
)
def test_neither_the_key_nor_the_prompt_reaches_the_error_or_the_logs(
    answer: httpx.Response, sleeps: list[float], logs: pytest.LogCaptureFixture
) -> None:
    # GIVEN a provider whose error text quotes the key and the prompt (even in its code and param)
    error = failure(chat(Attempts(answer)))
    # THEN the error, its traceback and every log line carry neither
    printed = "".join(traceback.format_exception(error))
    assert error.__cause__ is None and error.__context__ is None  # the SDK's exception (with its text) is not chained
    lines = [record.getMessage() + repr(vars(record)) for record in logs.records]
    assert any("model call failed" in line for line in lines)
    for text in (str(error), repr(error), printed, *lines):
        assert KEY not in text and "123.456.789-00" not in text


def embedder(
    handler: Handler, *, model: str = "text-embedding-3-small", dimensions: int | None = None
) -> OpenAiEmbedder:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return OpenAiEmbedder(base_url=BASE_URL, api_key=KEY, model=model, dimensions=dimensions, http_client=client)


def embeddings(vectors: list[list[float]], model: str = "text-embedding-3-small") -> httpx.Response:
    data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
    data.reverse()  # the API does not promise the order: the index does
    usage = {"prompt_tokens": 5, "total_tokens": 5}
    return httpx.Response(200, json={"object": "list", "data": data, "model": model, "usage": usage})


def test_embeddings_ask_for_floats_and_dimensions_only_when_configured() -> None:
    attempts = Attempts(embeddings([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]]))
    configured = embedder(attempts, dimensions=3)
    assert (configured.model, configured.dimensions) == ("text-embedding-3-small", 3)  # known before any call

    result = configured.embed(["preço do plano", "horário da loja"])

    assert result.vectors == [[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]]
    assert (result.model, result.dimensions, result.usage.prompt_tokens) == ("text-embedding-3-small", 3, 5)
    assert attempts.body() == {
        "model": "text-embedding-3-small",
        "input": ["preço do plano", "horário da loja"],
        "encoding_format": "float",
        "dimensions": 3,
    }
    native = Attempts(embeddings([[0.1] * 1536]))
    assert embedder(native).dimensions == 1536
    embedder(native).embed(["x"])
    assert "dimensions" not in native.body() and native.body()["encoding_format"] == "float"


def test_embedding_nothing_asks_nothing_and_vectors_of_another_length_are_refused() -> None:
    attempts = Attempts(embeddings([[1.0, 0.0]]))
    assert embedder(attempts, dimensions=3).embed([]).vectors == []
    assert attempts.requests == []
    with pytest.raises(ModelError) as caught:
        embedder(attempts, dimensions=3).embed(["x"])  # a server that ignored ``dimensions``
    assert caught.value.category is Category.INVALID_RESPONSE
    with pytest.raises(TypeError):
        embedder(attempts).embed("one text, not a list")


def test_an_embedding_model_of_unknown_length_must_be_configured() -> None:
    with pytest.raises(ValueError, match="dimensions"):
        embedder(Attempts(embeddings([])), model="nomic-embed-text")
    assert embedder(Attempts(embeddings([])), model="nomic-embed-text", dimensions=768).dimensions == 768


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            httpx.Response(400, json={"error": {"message": "no", "type": 400, "param": 3, "code": None}}),
            id="numbers where strings belong",
        ),
        pytest.param(
            api_error(429, None, "slow down", **{"retry-after": "Wed, 21 Oct 99999999999 07:28:00 GMT"}),
            id="a retry-after date past any calendar",
        ),
    ],
)
def test_an_error_answer_of_any_shape_is_a_model_error_with_nothing_of_the_sdks_attached(
    answer: httpx.Response,
) -> None:
    error = failure(chat(Attempts(answer), max_retries=0))
    assert error.category in (Category.INVALID_REQUEST, Category.RATE_LIMITED)
    assert error.__cause__ is None and error.__context__ is None  # the provider's text never rides along
    assert error.param is None


def test_an_answer_that_is_not_json_is_an_invalid_response() -> None:
    broken = httpx.Response(200, content=b'{"id": "x", "choices": [', headers={"content-type": "application/json"})
    error = failure(chat(Attempts(broken)))
    assert (error.category, error.code) == (Category.INVALID_RESPONSE, "unreadable_answer")
    assert error.__context__ is None
    with pytest.raises(ModelError) as caught:
        embedder(Attempts(broken)).embed(["x"])
    assert caught.value.category is Category.INVALID_RESPONSE


def test_embeddings_without_a_token_count_count_none() -> None:
    answer = embeddings([[0.6, 0.8, 0.0]])
    body = json.loads(answer.content)
    body["usage"] = {"prompt_tokens": None, "total_tokens": None}
    result = embedder(Attempts(httpx.Response(200, json=body)), dimensions=3).embed(["x"])
    assert result.vectors == [[0.6, 0.8, 0.0]] and result.usage.prompt_tokens == 0
