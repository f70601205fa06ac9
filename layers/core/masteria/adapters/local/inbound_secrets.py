"""The local runtime's inbound secrets: one file per webhook key under the data folder, AES-256-GCM under
the local master key with the webhook key as associated data."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from masteria.ports import InboundSecret


class FileInboundSecrets:
    def __init__(self, directory: Path, master_key: bytes) -> None:
        self._dir, self._aead = directory, AESGCM(master_key)

    def _path(self, webhook_key: str) -> Path:
        return self._dir / hashlib.sha256(webhook_key.encode()).hexdigest()

    def put(self, webhook_key: str, secret: InboundSecret) -> None:
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        plain = secret.to_json().encode()
        nonce = os.urandom(12)
        path = self._path(webhook_key)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(nonce + self._aead.encrypt(nonce, plain, webhook_key.encode()))
        temporary.chmod(0o600)
        temporary.replace(path)

    def get(self, webhook_key: str) -> InboundSecret | None:
        path = self._path(webhook_key)
        if not path.exists():
            return None
        sealed = path.read_bytes()
        try:
            plain = self._aead.decrypt(sealed[:12], sealed[12:], webhook_key.encode())
        except InvalidTag:
            return None
        return InboundSecret.from_json(plain)

    def delete(self, webhook_key: str) -> None:
        self._path(webhook_key).unlink(missing_ok=True)
