"""How the SMS sandbox signs what it posts, as Amazon SNS does (SignatureVersion 2, SHA256withRSA), with a
certificate of its own made at start: served at ``/sandbox/sms/cert.pem``, trusted by the local runtime's SNS check
through ``SNS_TRUSTED_CERT_BASE`` (never on AWS)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from masteria.channels.providers.sms_aws.sns import string_to_sign

CERT_PATH = "/sandbox/sms/cert.pem"


class SnsSigner:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.sandbox.local")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = certificate.public_bytes(serialization.Encoding.PEM)

    def message(
        self, base_url: str, topic_arn: str, message: dict[str, Any] | str, *, kind: str = "Notification",
        extra: dict[str, str] | None = None,
    ) -> bytes:  # fmt: skip
        """An SNS HTTP(S) delivery body, signed."""
        body: dict[str, Any] = {
            "Type": kind,
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Message": message if isinstance(message, str) else json.dumps(message, separators=(",", ":")),
            "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "SignatureVersion": "2",
            "SigningCertURL": base_url.rstrip("/") + CERT_PATH,
            **(extra or {}),
        }
        signature = self.key.sign(string_to_sign(body), padding.PKCS1v15(), hashes.SHA256())
        body["Signature"] = base64.b64encode(signature).decode()
        return json.dumps(body).encode()

    @staticmethod
    def headers(topic_arn: str, kind: str) -> dict[str, str]:
        """The headers SNS sends with an HTTP(S) delivery (its content type is text/plain)."""
        return {
            "content-type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": kind,
            "x-amz-sns-topic-arn": topic_arn,
            "user-agent": "Amazon Simple Notification Service Agent",
        }
