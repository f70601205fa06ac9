"""The WebSocket connection registry on AWS: one DynamoDB item per connection, ``expires_at`` its TTL
attribute, topics a string set, and the ``by_company`` index the push queries."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from masteria.ports import LiveConnection

BY_COMPANY = "by_company"


def _connection(item: dict[str, Any]) -> LiveConnection:
    return LiveConnection(
        connection_id=item["connection_id"]["S"],
        company_id=uuid.UUID(item["company_id"]["S"]),
        user_id=uuid.UUID(item["user_id"]["S"]),
        role=item["role"]["S"],
        expires_at=int(item["expires_at"]["N"]),
        topics=frozenset(item.get("topics", {}).get("SS", [])),
    )


class DynamoConnectionRegistry:
    def __init__(self, client: Any, table: str, *, clock: Callable[[], float] = time.time) -> None:
        self._db, self._table, self._clock = client, table, clock

    @classmethod
    def from_region(cls, region: str, table: str) -> DynamoConnectionRegistry:
        return cls(boto3.client("dynamodb", region_name=region), table)

    def _alive(self, connection: LiveConnection) -> bool:
        # DynamoDB deletes expired items eventually (within days): expired ones are filtered here.
        return connection.expires_at > self._clock()

    def put(self, connection: LiveConnection) -> None:
        item: dict[str, Any] = {
            "connection_id": {"S": connection.connection_id},
            "company_id": {"S": str(connection.company_id)},
            "user_id": {"S": str(connection.user_id)},
            "role": {"S": connection.role},
            "expires_at": {"N": str(connection.expires_at)},
        }
        if connection.topics:
            item["topics"] = {"SS": sorted(connection.topics)}
        self._db.put_item(TableName=self._table, Item=item)

    def get(self, connection_id: str) -> LiveConnection | None:
        item = self._db.get_item(
            TableName=self._table, Key={"connection_id": {"S": connection_id}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        found = _connection(item)
        return found if self._alive(found) else None

    def remove(self, connection_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key={"connection_id": {"S": connection_id}})

    def _update(self, connection_id: str, expression: str, topics: frozenset[str]) -> LiveConnection | None:
        try:
            item = self._db.update_item(
                TableName=self._table,
                Key={"connection_id": {"S": connection_id}},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(connection_id)",
                ExpressionAttributeValues={":topics": {"SS": sorted(topics)}},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        found = _connection(item)
        return found if self._alive(found) else None

    def subscribe(self, connection_id: str, topics: frozenset[str]) -> LiveConnection | None:
        return self._update(connection_id, "ADD topics :topics", topics)

    def unsubscribe(self, connection_id: str, topics: frozenset[str]) -> LiveConnection | None:
        return self._update(connection_id, "DELETE topics :topics", topics)

    def by_company(self, company_id: uuid.UUID) -> list[LiveConnection]:
        found: list[LiveConnection] = []
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_COMPANY,
            "KeyConditionExpression": "company_id = :company",
            "ExpressionAttributeValues": {":company": {"S": str(company_id)}},
        }
        while True:
            page = self._db.query(**arguments)
            found += [c for c in map(_connection, page.get("Items", [])) if self._alive(c)]
            if "LastEvaluatedKey" not in page:
                return found
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
