"""A knowledge base's page fetch through the SSRF guard (the real GuardedTransport over httpx.MockTransport, with a
resolver standing in for DNS): every redirect hop checked again, the size capped, the media type checked."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from masteria.knowledge.fetch import MAX_REDIRECTS, FetchError, fetch_page
from masteria.webhooks.ssrf import GuardedTransport

ADDRESSES = {"www.loja.com.br": "93.184.215.14", "cdn.loja.com.br": "93.184.215.15", "interno.loja.com.br": "10.0.0.5"}


def _client(answer: Callable[[httpx.Request], httpx.Response], seen: list[httpx.Request]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    def resolve(host: str, port: int) -> list[str]:
        return [ADDRESSES[host]]

    transport = GuardedTransport(httpx.MockTransport(handler), allow_http=True, resolver=resolve)
    return httpx.Client(transport=transport, follow_redirects=False)


def _code(client: httpx.Client, url: str, **kwargs: int) -> str:
    with pytest.raises(FetchError) as failed:
        fetch_page(client, url, **kwargs)
    assert str(failed.value)
    return failed.value.code


def test_a_page_through_a_redirect_with_its_charset() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/faq":
            return httpx.Response(301, headers={"location": "https://cdn.loja.com.br/ajuda"})
        html = "<h1>Ajuda</h1><p>Informação</p>".encode("latin-1")
        return httpx.Response(200, headers={"content-type": "text/html; charset=ISO-8859-1"}, content=html)

    page = fetch_page(_client(answer, seen), "http://www.loja.com.br/faq")
    assert (page.url, page.format, page.encoding) == ("https://cdn.loja.com.br/ajuda", "html", "iso8859-1")
    assert page.data == "<h1>Ajuda</h1><p>Informação</p>".encode("latin-1")
    # each hop went to the address the guard validated, with the host kept for Host
    assert [(r.url.host, r.headers["host"]) for r in seen] == [
        ("93.184.215.14", "www.loja.com.br"),
        ("93.184.215.15", "cdn.loja.com.br"),
    ]
    assert seen[0].headers["user-agent"].startswith("MasterIA-Knowledge")


def test_a_redirect_to_our_network_is_refused_before_any_request_goes_there() -> None:
    seen: list[httpx.Request] = []
    for target in ("http://interno.loja.com.br/", "http://169.254.169.254/latest/meta-data/", "http://127.1/"):
        client = _client(lambda request, target=target: httpx.Response(302, headers={"location": target}), seen)
        assert _code(client, "https://www.loja.com.br/") == "page_refused"
    assert {r.url.host for r in seen} == {"93.184.215.14"}  # only the public page was ever asked


def test_refusals_by_status_type_size_redirects_and_time() -> None:
    seen: list[httpx.Request] = []
    url = "https://www.loja.com.br/x"
    assert _code(_client(lambda r: httpx.Response(404, text="no"), seen), url) == "page_status"
    assert _code(_client(lambda r: httpx.Response(204), seen), url) == "page_status"
    image = _client(lambda r: httpx.Response(200, headers={"content-type": "image/png"}, content=b"\x89PNG"), seen)
    assert _code(image, url) == "page_type"
    untyped = _client(lambda r: httpx.Response(200, content=b"hello"), seen)
    assert _code(untyped, url) == "page_type"
    big = _client(lambda r: httpx.Response(200, headers={"content-type": "text/html"}, content=b"a" * 5000), seen)
    assert _code(big, url, max_bytes=4096) == "page_too_large"

    def streamed(request: httpx.Request) -> httpx.Response:  # no length announced: the cap is counted while reading
        return httpx.Response(200, headers={"content-type": "text/plain"}, content=iter([b"a" * 3000, b"b" * 3000]))

    assert _code(_client(streamed, seen), url, max_bytes=4096) == "page_too_large"
    loop = _client(lambda r: httpx.Response(302, headers={"location": "/x"}), seen)
    assert _code(loop, url) == "page_redirects"
    assert sum(1 for r in seen if r.url.path == "/x" and r.method == "GET") >= MAX_REDIRECTS

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    assert _code(_client(slow, seen), url) == "page_timeout"

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert _code(_client(down, seen), url) == "page_unreachable"
    assert _code(_client(lambda r: httpx.Response(200), seen), "ftp://www.loja.com.br/x") == "page_refused"


@pytest.mark.parametrize("location", ["http://[::1/", "http://[zz]/", "https://xn--/x", "http://a\x01b/"])
def test_a_redirect_to_an_address_that_is_no_url_is_a_clear_error(location: str) -> None:
    client = _client(lambda request: httpx.Response(302, headers={"location": location}), [])
    assert _code(client, "https://www.loja.com.br/") == "page_unreachable"
