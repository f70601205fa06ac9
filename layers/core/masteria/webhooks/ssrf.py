"""The SSRF guard of outgoing webhook deliveries: customer URLs must not reach our network.

A URL is checked when an endpoint is saved (a 422 saying why) and again at every delivery, where the
host is resolved once and the connection is made to that validated address (with the original host
for ``Host`` and TLS), so a DNS answer that changes between the check and the connection (rebinding)
cannot redirect it. Refused: anything but https (http only where a local setting allows it), user
info in the URL, and any host with one resolved address that is private, loopback, link-local,
multicast, reserved, shared (100.64/10), unspecified or a cloud metadata address — also when written
as an IPv4-mapped, IPv4-compatible, NAT64, 6to4 or Teredo IPv6 address, or in the odd IPv4 spellings
``inet_aton`` accepts (``2130706433``, ``0x7f000001``, ``127.1``, ``0177.0.0.1``, ``127.0.0.1.``).

The special-purpose ranges are listed here rather than left to ``ipaddress.is_global``, whose tables
changed between Python patch releases (3.11.7 calls ``fec0::/10`` and ``192.0.0.8`` global); the
standard library's checks stay behind them as a second net.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import httpx
import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# IANA's special-purpose registries, less what is globally reachable; the name goes in the message.
SPECIAL = tuple(
    (ipaddress.ip_network(network), name)
    for network, name in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (carrier-grade NAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "reserved (documentation)"),
        ("192.88.99.0/24", "reserved"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved (benchmarking)"),
        ("198.51.100.0/24", "reserved (documentation)"),
        ("203.0.113.0/24", "reserved (documentation)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("100::/64", "reserved"),
        ("2001::/23", "reserved"),  # IETF protocol assignments, Teredo (2001::/32) among them
        ("2001:db8::/32", "reserved (documentation)"),
        ("3fff::/20", "reserved (documentation)"),
        ("5f00::/16", "reserved"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
MAX_PORT = 65535
MAX_HOST, MAX_LABEL = 253, 63


class UnsafeUrl(ValueError):
    """A URL we will not deliver to; ``str()`` says why, for the user."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as error:  # a label IDNA cannot encode: empty, or longer than 63 characters
        raise UnsafeUrl(f"{host} is not a valid host name") from error
    except (socket.gaierror, ValueError) as error:
        raise UnsafeUrl(f"the host {host} does not resolve") from error
    return [str(info[4][0]) for info in infos]


def _address(text: str) -> IPAddress | None:
    """``text`` as an IP address, without an IPv6 zone (``fe80::1%eth0``); None if it is not one."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _literal(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one in any spelling a resolver would accept, else None."""
    bare = host.strip("[]").rstrip(".")
    address = _address(bare)
    if address is not None:
        return address
    if bare and all(bare.split(".")) and all(c in "0123456789abcdefx." for c in bare.lower()):
        try:  # 2130706433, 0x7f000001, 127.1, 0177.0.0.1: what inet_aton (and so curl, browsers) reads
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, 6to4, Teredo, NAT64, or IPv4-compatible."""
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if any(address in network for network in NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d, deprecated but still routed by some stacks
        found.append(ipaddress.IPv4Address(int(address)))
    return found


def _with_article(name: str) -> str:
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} address"


def why_refused(address: IPAddress) -> str | None:
    """Why ``address`` must not be reached (``"a loopback address"``), or None for a public address."""
    if address in METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        for inner in _embedded_ipv4(address):
            reason = why_refused(inner)
            if reason:
                return f"an IPv6 address embedding {inner}, {reason}"
    for network, name in SPECIAL:
        if address.version == network.version and address in network:
            return _with_article(name)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((_with_article(name) for name, refused in checks if refused), None)


@dataclass(frozen=True)
class Target:
    """A checked URL and the one address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def _check_name(host: str) -> None:
    """A host name DNS and IDNA accept: labels of 1 to 63 characters, 253 in all, and a name in another script
    that IDNA 2008 (with UTS 46, as browsers and httpx read it) can write in ASCII."""
    try:
        ascii_host = host if host.isascii() else idna.encode(host.rstrip("."), uts46=True).decode()
        if "xn--" in ascii_host:
            idna.decode(ascii_host.rstrip("."))  # an ASCII-written name must stand for a valid one
    except (idna.IDNAError, UnicodeError) as error:
        raise UnsafeUrl(f"{host} is not a valid host name") from error
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > MAX_HOST or not all(0 < len(label) <= MAX_LABEL for label in labels):
        raise UnsafeUrl(f"{host} is not a valid host name")


def _port(parts: SplitResult, scheme: str) -> int:
    try:
        port = parts.port  # raises on a port that is not a number
    except ValueError as error:
        raise UnsafeUrl("the URL has an invalid port") from error
    if port is None:
        return 443 if scheme == "https" else 80
    if not 0 < port <= MAX_PORT:
        raise UnsafeUrl("the URL has an invalid port")
    return port


def check_url(
    url: str, *, allow_http: bool = False, allow_private: bool = False, resolver: Resolver = resolve
) -> Target:
    """``url`` if deliveries may go there, with the address to use; ``UnsafeUrl`` saying why not.
    ``allow_private`` exists for the local runtime's tests (a loopback sink); never on AWS."""
    url = url.strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise UnsafeUrl("the URL must not contain spaces or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or (scheme == "http" and not allow_http):
        raise UnsafeUrl("the URL must use https" + (" or http" if allow_http else ""))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeUrl("the URL must not carry a user name or password")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrl("the URL has no host")
    port = _port(parts, scheme)
    literal = _literal(host)
    if literal is None:
        _check_name(host)
    answers = [str(literal)] if literal is not None else resolver(host.rstrip("."), port)
    if not answers:
        raise UnsafeUrl(f"the host {host} does not resolve")
    addresses = []
    for text in answers:
        address = _address(text)
        if address is None:
            raise UnsafeUrl(f"the host {host} resolves to something that is not an IP address")
        reason = why_refused(address)
        if reason and not allow_private:
            if literal is not None:
                raise UnsafeUrl(f"{address} is {reason}")
            raise UnsafeUrl(f"the host {host} resolves to {reason} ({address})")
        addresses.append(address)
    return Target(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))


def direct_transport() -> httpx.HTTPTransport:
    """The connections under the guard: no retries, and none kept open between requests. The pool
    knows a connection by (scheme, IP, port) only, so a kept one, whose TLS was verified for one host,
    would be reused for any other host resolving to the same address without checking its certificate."""
    return httpx.HTTPTransport(retries=0, limits=httpx.Limits(max_keepalive_connections=0))


class GuardedTransport(httpx.BaseTransport):
    """Checks every request's URL, then connects to the validated address (``Host``, TLS SNI and the
    certificate check keep the name). Clients using it must not follow redirects (``follow_redirects
    =False``: a 3xx is a failed delivery); a hop they followed would still be checked here.

    ``inner`` (tests pass a ``MockTransport``) must not reuse a connection across host names; the
    default, ``direct_transport()``, keeps none."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        allow_http: bool = False,
        allow_private: bool = False,
        resolver: Resolver = resolve,
    ) -> None:
        self._inner = inner if inner is not None else direct_transport()
        self._allow_http, self._allow_private, self._resolver = allow_http, allow_private, resolver

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = check_url(
            str(request.url), allow_http=self._allow_http, allow_private=self._allow_private, resolver=self._resolver
        )
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=target.address),
            headers=request.headers,
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": target.host.rstrip(".")},
        )
        pinned.headers["Host"] = request.url.netloc.decode("ascii")
        return self._inner.handle_request(pinned)  # the caller's request keeps its URL (logs, response.request)

    def close(self) -> None:
        self._inner.close()
