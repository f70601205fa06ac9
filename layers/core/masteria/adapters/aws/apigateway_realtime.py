"""Frames to WebSocket clients on AWS: API Gateway's management API (``POST @connections/{id}``).
A connection that is gone answers 410 (``GoneException``): reported as False, so the caller forgets it."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

GONE = 410


class ApiGatewayRealtime:
    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    def from_endpoint(cls, region: str, endpoint: str) -> ApiGatewayRealtime:
        """``endpoint``: the stage's connection URL, ``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}``."""
        config = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
        return cls(boto3.client("apigatewaymanagementapi", region_name=region, endpoint_url=endpoint, config=config))

    def post(self, connection_id: str, frame: str) -> bool:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=frame.encode())
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if error.response.get("Error", {}).get("Code") == "GoneException" or status == GONE:
                return False
            raise
        return True
