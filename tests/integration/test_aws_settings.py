"""A deployed function's configuration: database URLs from RDS Proxy's host and the roles' Secrets Manager
secrets (TLS), the JWT key from its secret, and functions that need neither (the webhook dispatcher)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from masteria.bootstrap import Container
from masteria.db import make_engine
from masteria.settings import Runtime, Settings

AWS = {"masteria_runtime": Runtime.AWS, "sqs_queue_url_prefix": "https://sqs.us-east-1.amazonaws.com/1/p-"}


@pytest.fixture
def secrets() -> Iterator[dict[str, str]]:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        made = {
            "app": client.create_secret(
                Name="app", SecretString=json.dumps({"username": "masteria_app", "password": "p@ss/word"})
            )["ARN"],
            "owner": client.create_secret(
                Name="owner", SecretString=json.dumps({"username": "masteria_owner", "password": "s3cret"})
            )["ARN"],
            "jwt": client.create_secret(Name="jwt", SecretString="k" * 64)["ARN"],
        }
        yield made


def test_urls_and_keys_come_from_secrets_manager(secrets: dict[str, str]) -> None:
    settings = Settings(
        **AWS,  # type: ignore[arg-type]
        database_host="proxy.example.internal",
        database_app_secret_arn=secrets["app"],
        database_secret_arn=secrets["owner"],
        jwt_secret_arn=secrets["jwt"],
    )
    container = Container(settings)
    urls = container.database_urls
    assert (
        urls.app
        == "postgresql+pg8000://masteria_app:p%40ss%2Fword@proxy.example.internal:5432/masteria?sslmode=require"
    )
    assert urls.owner.startswith("postgresql+pg8000://masteria_owner:s3cret@proxy.example.internal")
    assert container.jwt_secret == "k" * 64
    engine = make_engine(urls.app)  # TLS is on, the password decoded, the query gone
    assert engine.url.password == "p@ss/word" and "sslmode" not in engine.url.query
    engine.dispose()


def test_a_function_without_database_settings_refuses_only_when_it_needs_them(secrets: dict[str, str]) -> None:
    container = Container(Settings(**AWS))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="DATABASE_HOST"):
        _ = container.database_urls
    with pytest.raises(ValueError, match="JWT_SECRET_ARN"):
        _ = container.jwt_secret
    app_only = Container(
        Settings(**AWS, database_host="h", database_app_secret_arn=secrets["app"])  # type: ignore[arg-type]
    )
    with pytest.raises(RuntimeError, match="owner"):
        app_only.migrate()
