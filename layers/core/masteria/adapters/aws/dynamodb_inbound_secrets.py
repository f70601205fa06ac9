"""Inbound secrets on AWS: a DynamoDB item per webhook key, its secrets encrypted by KMS with the webhook
key as encryption context. A webhook function (Meta's, SMS's) reads them (GetItem + Decrypt) without the database."""

from __future__ import annotations

from typing import Any

import boto3

from masteria.ports import InboundSecret


class DynamoInboundSecrets:
    def __init__(self, dynamodb: Any, kms: Any, *, table: str, key_id: str) -> None:
        self._db, self._kms, self._table, self._key_id = dynamodb, kms, table, key_id

    @classmethod
    def from_region(cls, region: str, *, table: str, key_id: str) -> DynamoInboundSecrets:
        return cls(
            boto3.client("dynamodb", region_name=region),
            boto3.client("kms", region_name=region),
            table=table,
            key_id=key_id,
        )

    def put(self, webhook_key: str, secret: InboundSecret) -> None:
        sealed = self._kms.encrypt(
            KeyId=self._key_id, Plaintext=secret.to_json().encode(), EncryptionContext={"webhook_key": webhook_key}
        )["CiphertextBlob"]
        self._db.put_item(TableName=self._table, Item={"webhook_key": {"S": webhook_key}, "sealed": {"B": sealed}})

    def get(self, webhook_key: str) -> InboundSecret | None:
        item = self._db.get_item(
            TableName=self._table, Key={"webhook_key": {"S": webhook_key}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        plain = self._kms.decrypt(
            CiphertextBlob=item["sealed"]["B"], KeyId=self._key_id, EncryptionContext={"webhook_key": webhook_key}
        )["Plaintext"]
        return InboundSecret.from_json(plain)

    def delete(self, webhook_key: str) -> None:
        self._db.delete_item(TableName=self._table, Key={"webhook_key": {"S": webhook_key}})
