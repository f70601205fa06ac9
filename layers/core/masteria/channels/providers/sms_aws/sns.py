"""Amazon SNS's message signatures, checked as AWS documents them, on what an HTTPS subscription receives.

The signed string is the message's fields in a fixed order (``Key\\nValue\\n``; ``Subject`` only when present);
``SignatureVersion`` 1 signs it with SHA1withRSA, 2 with SHA256withRSA, under the certificate at
``SigningCertURL``. That URL is trusted only when it is an https URL of SNS itself, ``sns.<region>.amazonaws.com``
in the topic's region, checked before any request is made (no redirect followed, a small body, a short timeout);
a certificate is fetched once per URL and kept. The local runtime adds one trusted base URL by settings: the SMS
sandbox's, which signs with a certificate of its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from masteria.channels.providers.port import Unverified

TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_SNS_HOST = re.compile(r"^sns\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$")
_TOPIC_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:sns:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$")
MAX_CERTIFICATE_BYTES = 16 * 1024
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}


@dataclass(frozen=True)
class SnsMessage:
    """A verified SNS message (its fields as SNS posted them)."""

    type: str
    topic_arn: str
    message_id: str
    timestamp: str
    message: str
    subscribe_url: str | None
    body: Mapping[str, Any]


def envelope(raw: bytes) -> dict[str, Any]:
    """The SNS message's JSON object (ValueError: not one)."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("not JSON") from None
    if not isinstance(body, dict) or body.get("Type") not in TYPES:
        raise ValueError("not an SNS message")
    return body


def string_to_sign(body: Mapping[str, Any]) -> bytes:
    fields = _NOTIFICATION_FIELDS if body.get("Type") == "Notification" else _CONFIRMATION_FIELDS
    parts: list[str] = []
    for name in fields:
        value = body.get(name)
        if value is None:
            if name == "Subject":
                continue
            raise Unverified(f"the SNS message has no {name}")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode()


def topic_region(topic_arn: str) -> str | None:
    match = _TOPIC_ARN.match(topic_arn)
    return match.group(1) if match else None


class SnsVerifier:
    """Checks SNS messages' signatures; certificates fetched through ``transport``, kept by URL."""

    def __init__(self, transport: httpx.BaseTransport | None = None, *, trusted_base: str | None = None) -> None:
        self._http = httpx.Client(
            transport=transport or httpx.HTTPTransport(retries=0), follow_redirects=False, timeout=5.0
        )
        self._trusted_base = trusted_base.rstrip("/") + "/" if trusted_base else None
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str, topic_arn: str) -> bool:
        """Whether ``url`` is SNS's own (in the topic's region) or the trusted base's: decided before any request."""
        if self._trusted_base is not None and url.startswith(self._trusted_base) and ".." not in url:
            return True
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
            return False
        host = _SNS_HOST.match(parts.hostname or "")
        return host is not None and host.group(1) == topic_region(topic_arn)

    def verify(self, raw: bytes, topics: frozenset[str]) -> SnsMessage:
        """The message when SNS signed it for one of ``topics``; raises ``Unverified`` otherwise."""
        try:
            body = envelope(raw)
        except ValueError as error:
            raise Unverified(str(error)) from None
        topic = str(body.get("TopicArn", ""))
        if topic not in topics:
            raise Unverified("the SNS message is of another topic")
        algorithm = _HASHES.get(str(body.get("SignatureVersion", "")))
        if algorithm is None:
            raise Unverified("unknown SNS signature version")
        url = str(body.get("SigningCertURL", ""))
        if not url.endswith(".pem") or not self.allowed(url, topic):
            raise Unverified("the signing certificate is not SNS's")
        try:
            signature = base64.b64decode(str(body.get("Signature", "")), validate=True)
        except (binascii.Error, ValueError):
            raise Unverified("the SNS signature is not base64") from None
        try:
            self._key(url).verify(signature, string_to_sign(body), padding.PKCS1v15(), algorithm())
        except InvalidSignature:
            raise Unverified("the SNS signature does not match") from None
        subscribe_url = body.get("SubscribeURL")
        return SnsMessage(
            type=str(body["Type"]),
            topic_arn=topic,
            message_id=str(body.get("MessageId", "")),
            timestamp=str(body.get("Timestamp", "")),
            message=str(body.get("Message", "")),
            subscribe_url=str(subscribe_url) if subscribe_url else None,
            body=body,
        )

    def confirm(self, message: SnsMessage) -> bool:
        """Confirm a subscription by visiting its ``SubscribeURL`` (SNS's, checked like the certificate's)."""
        if message.type != "SubscriptionConfirmation" or not message.subscribe_url:
            return False
        if not self.allowed(message.subscribe_url, message.topic_arn):
            raise Unverified("the subscribe URL is not SNS's")
        try:
            return self._http.get(message.subscribe_url).status_code == 200
        except httpx.HTTPError:
            return False

    def _key(self, url: str) -> rsa.RSAPublicKey:
        with self._lock:
            key = self._keys.get(url)
        if key is not None:
            return key
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise Unverified("the signing certificate could not be fetched")
                pem = b""
                for chunk in response.iter_bytes():
                    pem += chunk
                    if len(pem) > MAX_CERTIFICATE_BYTES:
                        raise Unverified("the signing certificate is too large")
        except httpx.HTTPError:
            raise Unverified("the signing certificate could not be fetched") from None
        try:
            certificate = x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise Unverified("the signing certificate is not a certificate") from None
        now = datetime.now(UTC)
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise Unverified("the signing certificate is not valid now")
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise Unverified("the signing certificate's key is not RSA")
        with self._lock:
            self._keys[url] = public
        return public

    def close(self) -> None:
        self._http.close()
