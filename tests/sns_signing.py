"""A certificate of our own and SNS's signing of messages with it, for tests of the SNS check (only the vendor's
edge is faked: the certificate is served by an httpx MockTransport at SNS's URL)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from masteria.channels.providers.sms_aws.sns import string_to_sign

REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:masteria-sms"
CERT_URL = f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"


class Signer:
    def __init__(self, *, days: int = 30) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM)
        self.fetched: list[str] = []

    def transport(self, url: str = CERT_URL) -> httpx.MockTransport:
        """Serves the certificate at ``url``; anything else is a 404. Every request is recorded."""

        def handle(request: httpx.Request) -> httpx.Response:
            self.fetched.append(str(request.url))
            if str(request.url) == url:
                return httpx.Response(200, content=self.pem)
            if "Action=ConfirmSubscription" in str(request.url):
                return httpx.Response(200, text="<ConfirmSubscriptionResponse/>")
            return httpx.Response(404)

        return httpx.MockTransport(handle)

    def notification(
        self, message: dict[str, Any] | str, *, topic: str = TOPIC, version: str = "1", cert_url: str = CERT_URL,
        kind: str = "Notification", subject: str | None = None,
    ) -> bytes:  # fmt: skip
        body: dict[str, Any] = {
            "Type": kind,
            "MessageId": "5f1e7a0e-0000-4000-8000-000000000001",
            "TopicArn": topic,
            "Message": message if isinstance(message, str) else json.dumps(message),
            "Timestamp": "2026-12-01T17:00:00.000Z",
            "SignatureVersion": version,
            "SigningCertURL": cert_url,
        }
        if subject is not None:
            body["Subject"] = subject
        if kind != "Notification":
            body["Token"] = "token-1"
            body["SubscribeURL"] = (
                f"https://sns.{REGION}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token=token-1"
            )
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 - SNS's version 1 is SHA1
        signature = self.key.sign(string_to_sign(body), padding.PKCS1v15(), algorithm)
        body["Signature"] = base64.b64encode(signature).decode()
        return json.dumps(body).encode()
