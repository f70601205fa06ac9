"""The SSRF guard of outgoing webhook deliveries: customer URLs must not reach our network.

A URL is checked when an endpoint is saved (a 422 saying why) and again at every delivery, where the
host is resolved once and the connection is made to that validated address (with the original host
for ``Host`` and TLS), so a DNS answer that changes between the check and the connection (rebinding)
cannot redirect it. Refused: anything but https (http only where a local setting allows it), user
info in the URL, and any host with one resolved address that is private, loopback, link-local,
multicast, reserved, shared (100.64/10), unspecified or a cloud metadata address — also when written
as an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address, or in the odd IPv4 spellings ``inet_aton``
accepts (``2130706433``, ``0x7f000001``, ``127.1``, ``0177.0.0.1``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
SHARED = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class UnsafeUrl(ValueError):
    """A URL we will not deliver to; ``str()`` says why, for the user."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeUrl(f"the host {host!r} does not resolve") from error
    return [str(info[4][0]) for info in infos]


def _literal(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one in any spelling a resolver would accept, else None."""
    bare = host.strip("[]").split("%", 1)[0].rstrip(".")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and all(part for part in bare.split(".")) and all(c in "0123456789abcdefxABCDEFX." for c in bare):
        try:  # 2130706433, 0x7f000001, 127.1, 0177.0.0.1: what inet_aton (and so curl, browsers) reads
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in NAT64 or address in NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    # IPv4-compatible (deprecated) ::a.b.c.d
    if int(address) >> 32 == 0 and int(address) > 1:
        found.append(ipaddress.IPv4Address(int(address)))
    return found


def why_refused(address: IPAddress) -> str | None:
    """Why ``address`` must not be reached, or None when it is a public address."""
    if address in METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        for inner in _embedded_ipv4(address):
            reason = why_refused(inner)
            if reason:
                return f"{reason} (inside an IPv6 address)"
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", isinstance(address, ipaddress.IPv4Address) and address in SHARED),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    for name, refused in checks:
        if refused:
            return f"a {name} address"
    return None


@dataclass(frozen=True)
class Target:
    """A checked URL and the one address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def check_url(
    url: str, *, allow_http: bool = False, allow_private: bool = False, resolver: Resolver = resolve
) -> Target:
    """``url`` if deliveries may go there, with the address to use; ``UnsafeUrl`` saying why not.
    ``allow_private`` exists for the local runtime's tests (a loopback sink); never on AWS."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or (scheme == "http" and not allow_http):
        raise UnsafeUrl("the URL must use https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeUrl("the URL must not carry a user name or password")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrl("the URL has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeUrl("the URL has an invalid port") from error
    literal = _literal(host)
    addresses = [str(literal)] if literal is not None else resolver(host.rstrip("."), port)
    if not addresses:
        raise UnsafeUrl(f"the host {host!r} does not resolve")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        reason = why_refused(address)
        if reason and not allow_private:
            shown = "the address" if literal is not None else f"the host {host!r} resolves to"
            raise UnsafeUrl(f"{shown} {address} is {reason}")
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


class GuardedTransport(httpx.BaseTransport):
    """Checks every request's URL, then connects to the validated address (``Host`` and TLS keep the
    name). Clients using it must not follow redirects (a 3xx is a failed delivery)."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        allow_http: bool = False,
        allow_private: bool = False,
        resolver: Resolver = resolve,
    ) -> None:
        self._inner = inner or httpx.HTTPTransport(retries=0)
        self._allow_http, self._allow_private, self._resolver = allow_http, allow_private, resolver

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = check_url(
            str(request.url), allow_http=self._allow_http, allow_private=self._allow_private, resolver=self._resolver
        )
        host_header = request.url.netloc.decode("ascii")
        request.url = request.url.copy_with(host=str(ipaddress.ip_address(target.address.split("%", 1)[0])))
        request.headers["Host"] = host_header
        request.extensions = {**request.extensions, "sni_hostname": target.host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
