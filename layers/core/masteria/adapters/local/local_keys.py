"""The local runtime's key service: data keys wrapped with AES-256-GCM under a master key kept in the
data folder. The company id is the associated data, so a wrapped key only unwraps for its company."""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from masteria.crypto import SecretUnreadable


class LocalKeyService:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._master = AESGCM(master_key)

    def generate_data_key(self, company_id: uuid.UUID) -> tuple[bytes, bytes]:
        plaintext = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        return plaintext, nonce + self._master.encrypt(nonce, plaintext, company_id.bytes)

    def decrypt_data_key(self, company_id: uuid.UUID, wrapped: bytes) -> bytes:
        if len(wrapped) < 12 + 16:  # a nonce and a tag at the very least
            raise SecretUnreadable("not a wrapped data key")
        try:
            return self._master.decrypt(wrapped[:12], wrapped[12:], company_id.bytes)
        except InvalidTag as error:
            raise SecretUnreadable("the data key does not belong to this company or this master key") from error
