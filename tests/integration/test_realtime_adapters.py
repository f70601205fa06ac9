"""The connection registries (DynamoDB under moto, in-process) against one contract, and the API Gateway
poster: a frame is posted, a gone connection (410) is reported as gone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from masteria.adapters.aws.apigateway_realtime import ApiGatewayRealtime
from masteria.adapters.aws.dynamodb_connections import DynamoConnectionRegistry
from masteria.adapters.local.realtime import InProcessConnectionRegistry
from masteria.ports import ConnectionRegistry, LiveConnection

NOW = 1_795_564_800.0
A, B = uuid.uuid4(), uuid.uuid4()


class _Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> float:
        return self.at


def _table(client: object) -> str:
    """The table as infra/constructs/storage.py defines it: key, TTL attribute, the by_company index."""
    client.create_table(  # type: ignore[attr-defined]
        TableName="connections",
        KeySchema=[{"AttributeName": "connection_id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "connection_id", "AttributeType": "S"},
            {"AttributeName": "company_id", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_company",
                "KeySchema": [{"AttributeName": "company_id", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(  # type: ignore[attr-defined]
        TableName="connections", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    return "connections"


@pytest.fixture(params=["dynamodb", "in-process"])
def registry(request: pytest.FixtureRequest) -> Iterator[tuple[ConnectionRegistry, _Clock]]:
    clock = _Clock()
    if request.param == "in-process":
        yield InProcessConnectionRegistry(clock=clock), clock
        return
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        yield DynamoConnectionRegistry(client, _table(client), clock=clock), clock


def _connection(connection_id: str, company: uuid.UUID, *, ttl: int = 7200) -> LiveConnection:
    return LiveConnection(
        connection_id=connection_id, company_id=company, user_id=uuid.uuid4(), role="agent",
        expires_at=int(NOW) + ttl,
    )  # fmt: skip


def test_connections_are_kept_by_id_and_listed_by_company(registry: tuple[ConnectionRegistry, _Clock]) -> None:
    connections, _ = registry
    a1, a2, b1 = _connection("a1", A), _connection("a2", A), _connection("b1", B)
    for c in (a1, a2, b1):
        connections.put(c)
    assert connections.get("a1") == a1
    assert sorted(c.connection_id for c in connections.by_company(A)) == ["a1", "a2"]
    assert [c.connection_id for c in connections.by_company(B)] == ["b1"]
    assert connections.by_company(uuid.uuid4()) == []
    connections.remove("a1")
    connections.remove("never-there")
    assert connections.get("a1") is None
    assert [c.connection_id for c in connections.by_company(A)] == ["a2"]


def test_topics_are_added_and_removed(registry: tuple[ConnectionRegistry, _Clock]) -> None:
    connections, _ = registry
    connections.put(_connection("a1", A))
    updated = connections.subscribe("a1", frozenset({"inbox", "notifications"}))
    assert updated is not None and updated.topics == {"inbox", "notifications"}
    assert connections.subscribe("a1", frozenset({"inbox"})) == updated  # idempotent
    after = connections.unsubscribe("a1", frozenset({"inbox", "campaign:x"}))
    assert after is not None and after.topics == {"notifications"}
    emptied = connections.unsubscribe("a1", frozenset({"notifications"}))
    assert emptied is not None and emptied.topics == frozenset()
    [listed] = connections.by_company(A)
    assert listed.topics == frozenset()
    assert connections.subscribe("unknown", frozenset({"inbox"})) is None
    assert connections.unsubscribe("unknown", frozenset({"inbox"})) is None
    assert connections.get("unknown") is None


def test_expired_connections_are_not_listed_even_before_the_ttl_sweep(
    registry: tuple[ConnectionRegistry, _Clock],
) -> None:
    connections, clock = registry
    connections.put(_connection("short", A, ttl=60))
    connections.put(_connection("long", A, ttl=7200))
    clock.at = NOW + 61
    assert [c.connection_id for c in connections.by_company(A)] == ["long"]
    assert connections.get("short") is None
    assert connections.subscribe("short", frozenset({"inbox"})) is None


def test_the_dynamodb_item_carries_the_ttl_attribute_as_a_number() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        DynamoConnectionRegistry(client, _table(client)).put(_connection("a1", A))
        item = client.get_item(TableName="connections", Key={"connection_id": {"S": "a1"}})["Item"]
        ttl = client.describe_time_to_live(TableName="connections")["TimeToLiveDescription"]
    assert item["expires_at"] == {"N": str(int(NOW) + 7200)}
    assert ttl["AttributeName"] == "expires_at"


def test_the_api_gateway_poster_posts_frames() -> None:
    with mock_aws():
        client = boto3.client(
            "apigatewaymanagementapi",
            region_name="us-east-1",
            endpoint_url="https://abc123.execute-api.us-east-1.amazonaws.com/live",
        )
        assert ApiGatewayRealtime(client).post("L0SM9cOFvHcCIhw=", '{"v":1}') is True


def test_a_gone_connection_answers_410_and_is_reported_gone() -> None:
    client = boto3.client(
        "apigatewaymanagementapi", region_name="us-east-1", endpoint_url="https://abc123.execute-api.us-east-1.amazonaws.com/live",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    with Stubber(client) as stub:
        stub.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)
        stub.add_client_error("post_to_connection", service_error_code="LimitExceededException", http_status_code=429)
        poster = ApiGatewayRealtime(client)
        assert poster.post("L0SM9cOFvHcCIhw=", "{}") is False
        with pytest.raises(Exception, match="LimitExceeded"):
            poster.post("L0SM9cOFvHcCIhw=", "{}")
