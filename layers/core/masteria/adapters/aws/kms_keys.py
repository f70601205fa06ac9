"""The AWS key service: KMS ``GenerateDataKey`` / ``Decrypt`` with the company id as encryption context,
so a wrapped key only unwraps for its company (and CloudTrail records which company's key was used)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from botocore.exceptions import ClientError

from masteria.crypto import SecretUnreadable


class KmsKeyService:
    def __init__(self, client: Any, key_id: str) -> None:
        self._kms, self._key_id = client, key_id

    @classmethod
    def from_region(cls, region: str, key_id: str) -> KmsKeyService:
        return cls(boto3.client("kms", region_name=region), key_id)

    def generate_data_key(self, company_id: uuid.UUID) -> tuple[bytes, bytes]:
        result = self._kms.generate_data_key(
            KeyId=self._key_id, KeySpec="AES_256", EncryptionContext={"company_id": str(company_id)}
        )
        return result["Plaintext"], result["CiphertextBlob"]

    def decrypt_data_key(self, company_id: uuid.UUID, wrapped: bytes) -> bytes:
        try:
            result = self._kms.decrypt(
                CiphertextBlob=wrapped, KeyId=self._key_id, EncryptionContext={"company_id": str(company_id)}
            )
        except ClientError as error:
            # wrapped for another company (context) or by another key: the secret does not belong here
            if error.response.get("Error", {}).get("Code") in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise SecretUnreadable("the data key does not belong to this company") from error
            raise
        plaintext: bytes = result["Plaintext"]
        return plaintext
