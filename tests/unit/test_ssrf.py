"""The SSRF guard: a table of refused and accepted URLs with a stub resolver, and transports proving no
connection is ever opened to a refused address (nor to a rebound one, nor after a redirect), and that
the one opened goes to the checked address with the host name for ``Host``, SNI and the certificate."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest

from masteria.clock import SystemClock
from masteria.webhooks.delivery import DispatchJob
from masteria.webhooks.dispatch import dispatch
from masteria.webhooks.ssrf import GuardedTransport, Resolver, UnsafeUrl, check_url, direct_transport

PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
ANSWERS = {
    "localhost": ["127.0.0.1", "::1"],
    "internal.example.com": ["10.1.2.3"],
    "mixed.example.com": [PUBLIC_V4, "127.0.0.1"],
    "mixed-v6.example.com": [PUBLIC_V6, "fd12:3456::1"],
    "metadata.example.com": ["169.254.169.254"],
    "cgnat.example.com": ["100.100.1.1"],
    "nowhere.example.com": [],
    "garbage.example.com": ["not-an-address"],
}


def stub(answers: dict[str, list[str]]) -> Resolver:
    """A resolver answering from ``answers``, and with one public address for any other name."""

    def resolver(host: str, port: int) -> list[str]:
        return answers.get(host, [PUBLIC_V4])

    return resolver


REFUSED = [
    # scheme, user info, host, port
    ("http://hooks.example.com/", "https"),
    ("ftp://hooks.example.com/", "https"),
    ("hooks.example.com/in", "https"),
    ("https://user:pass@hooks.example.com/", "user name"),
    ("https://user@hooks.example.com/", "user name"),
    ("https:///path", "no host"),
    ("https://hooks.example.com:0/", "invalid port"),
    ("https://hooks.example.com:70000/", "invalid port"),
    ("https://hooks.example.com:https/", "invalid port"),
    # address classes, as literals
    ("https://127.0.0.1/", "loopback"),
    ("https://10.0.0.5/", "private"),
    ("https://172.16.3.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://100.64.0.1/", "shared"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://169.254.10.10/", "link-local"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://224.0.0.1/", "multicast"),
    ("https://240.0.0.1/", "reserved"),
    ("https://255.255.255.255/", "reserved"),
    ("https://192.0.0.8/", "reserved"),  # Python 3.11.7's is_global calls this one global
    ("https://198.51.100.7/", "documentation"),
    ("https://198.18.0.1/", "benchmarking"),
    ("https://[::1]/", "loopback"),
    ("https://[::]/", "unspecified"),
    ("https://[fe80::1]/", "link-local"),
    ("https://[fe80::1%25eth0]/", "link-local"),  # with a zone id
    ("https://[fec0::1]/", "site-local"),  # global for Python 3.11.7's is_global
    ("https://[fd00:ec2::254]/", "metadata"),
    ("https://[fc00::1]/", "private"),
    ("https://[ff02::1]/", "multicast"),
    ("https://[2001:db8::1]/", "documentation"),
    ("https://[3fff::1]/", "documentation"),
    # IPv4 inside IPv6
    ("https://[::ffff:127.0.0.1]/", "loopback"),
    ("https://[::ffff:169.254.169.254]/", "metadata"),
    ("https://[::127.0.0.1]/", "loopback"),  # IPv4-compatible
    ("https://[64:ff9b::7f00:1]/", "loopback"),  # NAT64
    ("https://[64:ff9b::a00:1]/", "private"),
    ("https://[64:ff9b:1::a00:1]/", "private"),  # local-use NAT64
    ("https://[2002:7f00:1::]/", "loopback"),  # 6to4
    ("https://[2002:a9fe:a9fe::]/", "metadata"),
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "reserved"),  # Teredo
    # odd IPv4 spellings, as inet_aton reads them
    ("https://2130706433/", "loopback"),
    ("https://0x7f000001/", "loopback"),
    ("https://0X7F000001/", "loopback"),
    ("https://127.1/", "loopback"),
    ("https://0x7f.1/", "loopback"),
    ("https://0177.0.0.1/", "loopback"),
    ("https://017700000001/", "loopback"),
    ("https://127.0.0.1./", "loopback"),
    ("https://0/", "unspecified"),
    ("https://0xa9.254.169.254/", "metadata"),
    # names, through the resolver
    ("https://localhost/", "loopback"),
    ("https://internal.example.com/", "private"),
    ("https://mixed.example.com/", "loopback"),  # one public and one loopback address
    ("https://mixed-v6.example.com/", "private"),  # one public and one unique local address
    ("https://metadata.example.com/", "metadata"),
    ("https://cgnat.example.com/", "shared"),
    ("https://nowhere.example.com/", "does not resolve"),
    ("https://garbage.example.com/", "not an IP address"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_refused(url: str, why: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, resolver=stub(ANSWERS))
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("url", "address", "port"),
    [
        ("https://hooks.example.com/x", PUBLIC_V4, 443),
        ("HTTPS://Hooks.Example.COM/x", PUBLIC_V4, 443),
        ("https://hooks.example.com:8443/x", PUBLIC_V4, 8443),
        ("https://hooks.example.com:22/x", PUBLIC_V4, 22),
        (f"https://[{PUBLIC_V6}]:8443/", PUBLIC_V6, 8443),
        (f"https://{PUBLIC_V4}/", PUBLIC_V4, 443),
        ("https://134744072/", "8.8.8.8", 443),  # public addresses in odd spellings are read, not looked up
        ("https://0x8.8.2056/", "8.8.8.8", 443),
        ("https://[2002:5db8:d70e::]/", "2002:5db8:d70e::", 443),  # 6to4 of a public address
    ],
)
def test_accepted(url: str, address: str, port: int) -> None:
    target = check_url(url, resolver=stub({}))
    assert (target.address, target.port) == (address, port)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://internal.example.com/", "the host internal.example.com resolves to a private address (10.1.2.3)"),
        ("https://0x7f000001/", "127.0.0.1 is a loopback address"),
        ("https://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is an IPv6 address embedding 127.0.0.1, a loopback address"),
        ("https://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ],
)
def test_refusals_say_why_in_words_for_the_user(url: str, message: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, resolver=stub(ANSWERS))
    assert str(refused.value) == message


def test_a_host_name_the_resolver_cannot_encode_is_refused_not_a_crash() -> None:
    # IDNA refuses a 64-character label before any lookup: the default resolver, yet no network
    with pytest.raises(UnsafeUrl, match="not a valid host name"):
        check_url(f"https://{'a' * 64}.example.com/")


def test_literals_are_never_handed_to_the_resolver() -> None:
    def no_lookup(host: str, port: int) -> list[str]:
        raise AssertionError(f"looked up {host}")

    assert check_url(f"https://[{PUBLIC_V6}]/", resolver=no_lookup).address == PUBLIC_V6
    with pytest.raises(UnsafeUrl, match="loopback"):
        check_url("https://127.1/", resolver=no_lookup)


def test_plain_http_and_private_addresses_only_where_allowed() -> None:
    assert check_url("http://hooks.example.com/", allow_http=True, resolver=stub({})).port == 80
    with pytest.raises(UnsafeUrl, match="https or http"):
        check_url("ftp://hooks.example.com/", allow_http=True, resolver=stub({}))
    with pytest.raises(UnsafeUrl, match="loopback"):
        check_url("http://127.0.0.1:9/", allow_http=True, resolver=stub({}))
    assert check_url("http://127.0.0.1:9/", allow_http=True, allow_private=True).address == "127.0.0.1"


class Recording(httpx.BaseTransport):
    """An inner transport that records what reaches it and answers with ``response``."""

    def __init__(self, response: httpx.Response | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.response = response or httpx.Response(204)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.response


@pytest.mark.parametrize(("url", "_why"), REFUSED)
def test_no_connection_is_ever_opened_to_a_refused_url(url: str, _why: str) -> None:
    inner = Recording()
    guarded = GuardedTransport(inner, resolver=stub(ANSWERS))
    # httpx itself refuses some spellings (a bad port, no host) before our transport sees them
    with (
        httpx.Client(transport=guarded) as client,
        pytest.raises((UnsafeUrl, httpx.InvalidURL, httpx.UnsupportedProtocol)),
    ):
        client.post(url, content=b"{}")
    assert inner.requests == []


def test_the_request_goes_to_the_checked_address_with_the_name_for_host_and_tls() -> None:
    inner = Recording()
    with httpx.Client(transport=GuardedTransport(inner, resolver=stub({}))) as client:
        response = client.post("https://hooks.example.com:8443/in?x=1", content=b"{}", headers={"X-A": "1"})
    (sent,) = inner.requests
    assert (sent.url.host, sent.url.port, sent.url.path, sent.url.query) == (PUBLIC_V4, 8443, "/in", b"x=1")
    assert (sent.headers["host"], sent.headers["x-a"], sent.read()) == ("hooks.example.com:8443", "1", b"{}")
    assert sent.extensions["sni_hostname"] == "hooks.example.com"
    assert response.request.url == "https://hooks.example.com:8443/in?x=1"  # the caller's request is untouched


def test_an_ipv6_answer_is_dialled_in_brackets() -> None:
    inner = Recording()
    resolver = stub({"hooks.example.com": [PUBLIC_V6]})
    with httpx.Client(transport=GuardedTransport(inner, resolver=resolver)) as client:
        client.post("https://hooks.example.com/in", content=b"{}")
    (sent,) = inner.requests
    assert str(sent.url) == f"https://[{PUBLIC_V6}]/in"
    assert (sent.headers["host"], sent.extensions["sni_hostname"]) == ("hooks.example.com", "hooks.example.com")


def test_dns_rebinding_between_deliveries_is_refused() -> None:
    answers = iter([[PUBLIC_V4], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    inner = Recording()
    with httpx.Client(transport=GuardedTransport(inner, resolver=rebinding)) as client:
        assert client.post("https://rebind.example.com/", content=b"{}").status_code == 204
        with pytest.raises(UnsafeUrl, match="loopback"):
            client.post("https://rebind.example.com/", content=b"{}")
    assert [r.url.host for r in inner.requests] == [PUBLIC_V4]


def test_a_redirect_followed_by_a_careless_client_is_still_checked() -> None:
    inner = Recording(httpx.Response(302, headers={"Location": "https://169.254.169.254/latest/meta-data/"}))
    guarded = GuardedTransport(inner, resolver=stub({}))
    with httpx.Client(transport=guarded, follow_redirects=True) as client, pytest.raises(UnsafeUrl, match="metadata"):
        client.get("https://hooks.example.com/")
    assert [r.url.host for r in inner.requests] == [PUBLIC_V4]


class Network(httpcore.MockBackend):
    """httpcore's network seam: records each TCP connection and TLS handshake; opens no socket."""

    def __init__(self) -> None:
        super().__init__([b"HTTP/1.1 204 No Content\r\n\r\n"])
        self.connections: list[tuple[str, int]] = []
        self.handshakes: list[tuple[str | None, ssl.SSLContext]] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.connections.append((host, port))
        return Stream(self, [b"HTTP/1.1 204 No Content\r\n\r\n"])


class Stream(httpcore.MockStream):
    def __init__(self, network: Network, buffer: list[bytes]) -> None:
        super().__init__(buffer)
        self.network = network

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self.network.handshakes.append((server_hostname, ssl_context))
        return self


def test_each_host_gets_its_own_verified_tls_connection_to_the_checked_address() -> None:
    # two names on one address: a pooled connection verified for the first must not carry the second
    network = Network()
    inner = direct_transport()
    inner._pool._network_backend = network  # the default transport, with only the sockets replaced
    resolver = stub({"a.example.com": [PUBLIC_V4], "b.example.com": [PUBLIC_V4]})
    with httpx.Client(transport=GuardedTransport(inner, resolver=resolver)) as client:
        for host in ("a.example.com", "b.example.com", "a.example.com"):
            assert client.post(f"https://{host}/in", content=b"{}").status_code == 204
    assert network.connections == [(PUBLIC_V4, 443)] * 3
    assert [name for name, _ in network.handshakes] == ["a.example.com", "b.example.com", "a.example.com"]
    assert all(c.verify_mode == ssl.CERT_REQUIRED and c.check_hostname for _, c in network.handshakes)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.exa\tmple.com/",
        "https://hooks.example.com/a b",
        "https://hooks.example.com/\x00",
        "https://hooks.example.com/\x7f",
        "https://hooks.example.com/\r\nX-Injected: 1",
    ],
)
def test_control_characters_and_spaces_are_refused_at_registration(url: str) -> None:
    with pytest.raises(UnsafeUrl, match="spaces or control characters"):
        check_url(url, resolver=stub({}))


@pytest.mark.parametrize(
    "host",
    [
        "xn--.example.com",
        "a..example.com",
        "-hooks\u200d.example.com",
        f"{'b' * 64}.example.com",
        "\u2764\ufe0f\u200d.com",
    ],
)
def test_a_host_name_idna_or_dns_cannot_write_is_refused(host: str) -> None:
    with pytest.raises(UnsafeUrl, match="not a valid host name"):
        check_url(f"https://{host}/", resolver=stub({}))


def test_a_name_in_another_script_is_accepted_as_idna_writes_it() -> None:
    assert check_url("https://açaí.example.com.br/hook", resolver=stub({})).address == PUBLIC_V4


def test_a_delivery_whose_request_cannot_be_built_is_a_failed_attempt_with_its_reason() -> None:
    # a URL saved before these checks existed, or headers httpx refuses: an outcome, never an exception
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing must be sent")

    job = DispatchJob(
        company_id=uuid.uuid4(), delivery_id=uuid.uuid4(), attempt=1, url="https://hooks.example.com/\x00",
        headers={"webhook-id": "msg_1"}, body="{}",
    )  # fmt: skip
    bad_header = job.model_copy(update={"url": "https://hooks.example.com/", "headers": {"webhook-id": "msg_\u4e2d"}})
    with httpx.Client(transport=httpx.MockTransport(never)) as client:
        for unbuildable in (job, bad_header):
            outcome = dispatch(unbuildable, http=client, clock=SystemClock())
            assert outcome.status_code is None
            assert outcome.error is not None and outcome.error.startswith("the request could not be built"), outcome
