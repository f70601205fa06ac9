"""The Graph client against Meta's own examples (MockTransport: no network), and error mapping by code."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from masteria.channels.providers.meta_cloud.errors import (
    Category,
    GraphError,
    GraphOutcomeUnknown,
    GraphPermanentError,
    GraphTransientError,
)
from masteria.channels.providers.meta_cloud.graph import GraphClient
from tests.meta import EXAMPLES


def _example(part: str, name: str = "example_response.json") -> Any:
    return json.loads((EXAMPLES / part / name).read_text())


def test_sync_follows_every_page_with_the_token_in_a_header() -> None:
    templates = _example("get_response_200")["data"]
    seen: list[httpx.Request] = []

    def graph(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.headers["authorization"] == "Bearer token-1"
        if "after" not in request.url.params:
            return httpx.Response(
                200,
                json={
                    "data": templates[:1],
                    "paging": {
                        "cursors": {"after": "A"},
                        "next": "https://graph.facebook.com/v23.0/123/message_templates?limit=100&after=A",
                    },
                },
            )
        return httpx.Response(200, json={"data": templates[1:], "paging": {"cursors": {"before": "A"}}})

    client = GraphClient(httpx.MockTransport(graph))
    names = [t["name"] for t in client.list_templates("123", token="token-1")]
    assert names == [t["name"] for t in templates]
    assert seen[0].url.path == "/v23.0/123/message_templates"


def test_paging_urls_off_the_graph_host_are_refused() -> None:
    def graph(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [], "paging": {"next": "https://evil.example.com/steal"}})

    client = GraphClient(httpx.MockTransport(graph))
    with pytest.raises(GraphPermanentError, match="unexpected paging URL"):
        list(client.list_templates("123", token="t"))


@pytest.mark.parametrize("request_file", sorted(p.name for p in (EXAMPLES / "post_request").glob("*.json")))
def test_create_sends_the_template_as_meta_documents_it(request_file: str) -> None:
    template = _example("post_request", request_file)

    def graph(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path == "/v23.0/123/message_templates"
        assert json.loads(request.content) == template
        return httpx.Response(200, json=_example("post_response_200"))

    client = GraphClient(httpx.MockTransport(graph))
    assert client.create_template("123", template, token="t") == _example("post_response_200")


def test_delete_by_name_and_id() -> None:
    def graph(request: httpx.Request) -> httpx.Response:
        assert request.method == "DELETE"
        assert dict(request.url.params) == {"name": "hello_world", "hsm_id": "42"}
        return httpx.Response(200, json=_example("delete_response_200"))

    client = GraphClient(httpx.MockTransport(graph))
    assert client.delete_template("123", name="hello_world", template_id="42", token="t") is True


def _error(code: int, status: int = 400) -> GraphError:
    body = {"error": {"message": "m", "type": "OAuthException", "code": code, "error_data": {"details": "d"}}}
    client = GraphClient(httpx.MockTransport(lambda r: httpx.Response(status, json=body)))
    with pytest.raises(GraphError) as raised:
        client.request("GET", "x", token="t")
    return raised.value


@pytest.mark.parametrize(
    ("code", "status", "category", "retryable"),
    [
        (130429, 400, Category.RATE_LIMITED, True),
        (4, 429, Category.RATE_LIMITED, True),  # old pages said 429, the current one 400: the code decides
        (4, 400, Category.RATE_LIMITED, True),
        (131056, 400, Category.PAIR_RATE_LIMITED, True),
        (131000, 500, Category.TRANSIENT, True),
        (131048, 400, Category.CAMPAIGN_STOPPING, False),
        (368, 403, Category.CAMPAIGN_STOPPING, False),
        (132015, 400, Category.CAMPAIGN_STOPPING, False),
        (131047, 400, Category.OUTSIDE_WINDOW, False),
        (131049, 400, Category.RETRY_AFTER_A_DAY, False),
        (131050, 400, Category.RECIPIENT_FINAL, False),
        (131026, 400, Category.RECIPIENT_FINAL, False),
        (190, 401, Category.AUTH, False),
        (132000, 400, Category.PERMANENT, False),
        (999999, 503, Category.PERMANENT, False),  # an unknown code is not retried, whatever the status
    ],
)
def test_errors_map_by_code_never_by_status(code: int, status: int, category: Category, retryable: bool) -> None:
    error = _error(code, status)
    assert (error.code, error.category, error.retryable) == (code, category, retryable)
    assert isinstance(error, GraphTransientError) is retryable
    assert "d" in error.detail


def test_no_body_and_network_failures() -> None:
    bare = GraphClient(httpx.MockTransport(lambda r: httpx.Response(502, text="<html>")))
    with pytest.raises(GraphTransientError):
        bare.request("GET", "x", token="t")

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    slow = GraphClient(httpx.MockTransport(timeout))
    with pytest.raises(GraphOutcomeUnknown, match="ReadTimeout"):  # it may have reached Meta
        slow.request("GET", "x", token="t")

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    down = GraphClient(httpx.MockTransport(refused))
    with pytest.raises(GraphTransientError, match="could not connect") as caught:  # nothing was sent
        down.request("GET", "x", token="t")
    assert not isinstance(caught.value, GraphOutcomeUnknown)
