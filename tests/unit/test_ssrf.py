"""The SSRF guard: a table of refused and accepted URLs with a stub resolver, and a transport proving no
connection is ever opened to a refused address (nor to a rebound one)."""

from __future__ import annotations

import httpx
import pytest

from masteria.webhooks.ssrf import GuardedTransport, UnsafeUrl, check_url

PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def stub(answers: dict[str, list[str]]) -> object:
    def resolver(host: str, port: int) -> list[str]:
        return answers.get(host, [PUBLIC_V4])

    return resolver


REFUSED = [
    ("http://hooks.example.com/", "https"),
    ("ftp://hooks.example.com/", "https"),
    ("https://user:pass@hooks.example.com/", "user name"),
    ("https://user@hooks.example.com/", "user name"),
    ("https:///path", "no host"),
    ("https://127.0.0.1/", "loopback"),
    ("https://localhost/", "loopback"),
    ("https://2130706433/", "loopback"),
    ("https://0x7f000001/", "loopback"),
    ("https://127.1/", "loopback"),
    ("https://0177.0.0.1/", "loopback"),
    ("https://127.0.0.1./", "loopback"),
    ("https://10.0.0.5/", "private"),
    ("https://172.16.3.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://100.64.0.1/", "shared"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://169.254.10.10/", "link-local"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://224.0.0.1/", "multicast"),
    ("https://240.0.0.1/", "reserved"),
    ("https://[::1]/", "loopback"),
    ("https://[::]/", "unspecified"),
    ("https://[fe80::1]/", "link-local"),
    ("https://[fd00:ec2::254]/", "metadata"),
    ("https://[fc00::1]/", "private"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),
    ("https://[::ffff:169.254.169.254]/", "metadata"),
    ("https://[64:ff9b::7f00:1]/", "loopback"),
    ("https://[64:ff9b::a00:1]/", "private"),
    ("https://[2002:7f00:1::]/", "loopback"),
    ("https://[2002:a9fe:a9fe::]/", "metadata"),
    ("https://[ff02::1]/", "multicast"),
    ("https://internal.example.com/", "private"),  # resolves to a private address
    ("https://mixed.example.com/", "loopback"),  # one public and one loopback address
    ("https://metadata.example.com/", "metadata"),
]
ANSWERS = {
    "localhost": ["127.0.0.1", "::1"],
    "internal.example.com": ["10.1.2.3"],
    "mixed.example.com": [PUBLIC_V4, "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
}


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_refused(url: str, why: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, resolver=stub(ANSWERS))  # type: ignore[arg-type]
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://hooks.example.com/x", PUBLIC_V4),
        (f"https://[{PUBLIC_V6}]:8443/", PUBLIC_V6),
        ("https://93.184.215.14/", PUBLIC_V4),
    ],
)
def test_accepted(url: str, address: str) -> None:
    assert check_url(url, resolver=stub({})).address == address  # type: ignore[arg-type]


def test_plain_http_and_private_addresses_only_where_allowed() -> None:
    assert check_url("http://hooks.example.com/", allow_http=True, resolver=stub({})).scheme == "http"  # type: ignore[arg-type]
    with pytest.raises(UnsafeUrl):
        check_url("http://127.0.0.1:9/", allow_http=True, resolver=stub({}))  # type: ignore[arg-type]
    assert check_url("http://127.0.0.1:9/", allow_http=True, allow_private=True).address == "127.0.0.1"


class Recording(httpx.BaseTransport):
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(204)


@pytest.mark.parametrize(("url", "_why"), REFUSED)
def test_no_connection_is_ever_opened_to_a_refused_url(url: str, _why: str) -> None:
    inner = Recording()
    guarded = GuardedTransport(inner, resolver=stub(ANSWERS))  # type: ignore[arg-type]
    # httpx itself refuses some spellings before our transport sees them
    with httpx.Client(transport=guarded) as client, pytest.raises((UnsafeUrl, httpx.InvalidURL)):
        client.post(url, content=b"{}")
    assert inner.requests == []


def test_the_connection_goes_to_the_checked_address_with_the_name_for_host_and_tls() -> None:
    inner = Recording()
    with httpx.Client(transport=GuardedTransport(inner, resolver=stub({}))) as client:  # type: ignore[arg-type]
        client.post("https://hooks.example.com:8443/in?x=1", content=b"{}")
    (sent,) = inner.requests
    assert (sent.url.host, sent.url.port, sent.url.path, sent.url.query) == (PUBLIC_V4, 8443, "/in", b"x=1")
    assert sent.headers["host"] == "hooks.example.com:8443"
    assert sent.extensions["sni_hostname"] == "hooks.example.com"


def test_dns_rebinding_between_deliveries_is_refused() -> None:
    answers = iter([[PUBLIC_V4], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    inner = Recording()
    with httpx.Client(transport=GuardedTransport(inner, resolver=rebinding)) as client:
        assert client.post("https://rebind.example.com/", content=b"{}").status_code == 204
        with pytest.raises(UnsafeUrl):
            client.post("https://rebind.example.com/", content=b"{}")
    assert [r.url.host for r in inner.requests] == [PUBLIC_V4]
