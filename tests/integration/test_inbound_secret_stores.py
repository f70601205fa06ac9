"""The inbound secrets stores (DynamoDB + KMS under moto, sealed files locally) keep each provider's secret whole,
and read an item written before secrets named their provider as Meta's."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from masteria.adapters.aws.dynamodb_inbound_secrets import DynamoInboundSecrets
from masteria.adapters.local.inbound_secrets import FileInboundSecrets
from masteria.ports import InboundSecret, InboundSecrets

KEY = "webhook-key-0123456789abcdef"
META = InboundSecret(
    company_id=uuid.uuid4(), connection_id=uuid.uuid4(), app_secret="app-secret", verify_token="verify-token"
)
SMS = InboundSecret(
    company_id=uuid.uuid4(), connection_id=uuid.uuid4(), provider="sms_aws",
    topic_arns=("arn:aws:sns:sa-east-1:123456789012:events", "arn:aws:sns:sa-east-1:123456789012:inbound"),
)  # fmt: skip
# what the stores wrote before a secret named its provider
BEFORE = {"company_id": str(META.company_id), "connection_id": str(META.connection_id), "app_secret": "app-secret",
          "verify_token": "verify-token"}  # fmt: skip


@pytest.fixture(params=["dynamodb", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[InboundSecrets, object]]:
    if request.param == "file":
        yield FileInboundSecrets(tmp_path, os.urandom(32)), None
        return
    with mock_aws():
        dynamodb, kms = boto3.client("dynamodb", region_name="sa-east-1"), boto3.client("kms", region_name="sa-east-1")
        dynamodb.create_table(
            TableName="inbound-secrets", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "webhook_key", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "webhook_key", "KeyType": "HASH"}],
        )  # fmt: skip
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        yield DynamoInboundSecrets(dynamodb, kms, table="inbound-secrets", key_id=key_id), (dynamodb, kms, key_id)


def test_each_provider_s_secret_comes_back_whole(store: tuple[InboundSecrets, object]) -> None:
    secrets, _ = store
    for secret in (META, SMS):
        secrets.put(KEY, secret)
        assert secrets.get(KEY) == secret
    secrets.delete(KEY)
    assert secrets.get(KEY) is None


def test_an_item_stored_before_providers_reads_as_meta_s(store: tuple[InboundSecrets, object]) -> None:
    secrets, aws = store
    plain = json.dumps(BEFORE).encode()
    if isinstance(secrets, FileInboundSecrets):
        secrets.put(KEY, META)  # the same sealing, then the old item's text in its place
        path = next(p for p in secrets._dir.iterdir())
        nonce = os.urandom(12)
        path.write_bytes(nonce + secrets._aead.encrypt(nonce, plain, KEY.encode()))
    else:
        dynamodb, kms, key_id = aws  # type: ignore[misc]
        sealed = kms.encrypt(KeyId=key_id, Plaintext=plain, EncryptionContext={"webhook_key": KEY})["CiphertextBlob"]
        dynamodb.put_item(TableName="inbound-secrets", Item={"webhook_key": {"S": KEY}, "sealed": {"B": sealed}})
    assert secrets.get(KEY) == META
    assert META.provider == "meta_cloud" and META.topic_arns == ()
