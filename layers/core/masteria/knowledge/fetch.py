"""A web page fetched for a knowledge base, through the SSRF guard of outgoing webhooks.

The client's transport is ``webhooks.ssrf.GuardedTransport``: every request (so every redirect hop, which is followed
here one at a time, never by httpx) is checked and connects to the address it validated, so a page cannot reach our
network, a loopback or a metadata address, however it redirects. What comes back is capped: ``MAX_BYTES`` (read in
blocks, whatever ``Content-Length`` claims), ``TIMEOUT_SECONDS`` for the whole fetch, and a media type we can read.
Failures are ``FetchError`` with a ``code`` for the dashboard and a sentence for the user, never the page's content.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from masteria.knowledge.extraction import FORMAT_MEDIA_TYPES, charset
from masteria.webhooks.ssrf import UnsafeUrl

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 15.0
MAX_REDIRECTS = 5
USER_AGENT = "MasterIA-Knowledge/1.0 (+knowledge base page fetch)"
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8,*/*;q=0.1"
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(ValueError):
    """A page we could not fetch; ``str()`` says why for the user, ``code`` says it for translation."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    content_type: str
    format: str
    encoding: str | None
    data: bytes


def _format(content_type: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    found = FORMAT_MEDIA_TYPES.get(media)
    if found is None:
        raise FetchError(
            f"the page is {media or 'of no stated type'}, not a web page or a document we can read",
            code="page_type",
        )
    return found


def fetch_page(client: httpx.Client, url: str, *, max_bytes: int = MAX_BYTES) -> FetchedPage:
    """GET ``url`` (following at most ``MAX_REDIRECTS`` redirects, each checked again by the client's guard)."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    for _ in range(MAX_REDIRECTS + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError("the page took too long to answer", code="page_timeout")
        try:
            with client.stream("GET", url, headers=headers, timeout=left, follow_redirects=False) as response:
                if response.status_code in _REDIRECTS and response.headers.get("location"):
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"the page answered HTTP {response.status_code}", code="page_status")
                if response.status_code != 200:
                    raise FetchError(f"the page answered HTTP {response.status_code}, not 200", code="page_status")
                content_type = response.headers.get("content-type", "")
                format = _format(content_type)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(_too_large(max_bytes), code="page_too_large")
                body = bytearray()
                for block in response.iter_bytes(64 * 1024):
                    body += block
                    if len(body) > max_bytes:
                        raise FetchError(_too_large(max_bytes), code="page_too_large")
                    if time.monotonic() > deadline:
                        raise FetchError("the page took too long to answer", code="page_timeout")
                return FetchedPage(str(response.url), content_type, format, charset(content_type), bytes(body))
        except FetchError:
            raise
        except UnsafeUrl as refused:
            raise FetchError(f"we will not fetch this address: {refused}", code="page_refused") from refused
        except httpx.TimeoutException as error:
            raise FetchError("the page took too long to answer", code="page_timeout") from error
        except httpx.HTTPError as error:
            raise FetchError(
                f"the page could not be reached ({type(error).__name__})", code="page_unreachable"
            ) from error
        except (httpx.InvalidURL, ValueError) as error:  # a redirect to something that is no URL ("http://[::1")
            raise FetchError("the page redirected to an address that is not valid", code="page_unreachable") from error
    raise FetchError(f"the page redirected more than {MAX_REDIRECTS} times", code="page_redirects")


def _too_large(max_bytes: int) -> str:
    return f"the page is larger than {max_bytes // (1024 * 1024)} MB"
