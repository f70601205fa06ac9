"""Secrets Manager: the database credentials and the JWT key of a deployed function, read once per process."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import boto3


class SecretsReader:
    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    def from_region(cls, region: str) -> SecretsReader:
        return cls(boto3.client("secretsmanager", region_name=region))

    def text(self, arn: str) -> str:
        value: str = self._client.get_secret_value(SecretId=arn)["SecretString"]
        return value

    def database_url(self, arn: str, *, host: str, port: int, database: str) -> str:
        """A TLS URL for the role whose ``{"username", "password"}`` the secret holds, through ``host``."""
        secret = json.loads(self.text(arn))
        user, password = quote(secret["username"], safe=""), quote(secret["password"], safe="")
        return f"postgresql+pg8000://{user}:{password}@{host}:{port}/{database}?sslmode=require"
