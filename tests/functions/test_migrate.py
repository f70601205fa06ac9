"""The deploy-time migration step with CloudFormation custom-resource events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from masteria.bootstrap import Container
from tests.functions.events import FakeContext


def cfn_event(request_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
        "ResponseURL": "https://cloudformation-custom-resource-response.example.com/",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/masteria/1",
        "RequestId": "req-1",
        "LogicalResourceId": "Migrations",
        "ResourceType": "Custom::Migrations",
        "ResourceProperties": {"ServiceToken": "x", "Revision": "abc"},
        **extra,
    }


def test_create_and_update_apply_migrations_to_the_head(container: Container, owner_engine: Engine) -> None:
    from functions.ops.migrate import PHYSICAL_ID, handler

    # GIVEN a migrated database
    with owner_engine.begin() as connection:
        heads = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    # WHEN CloudFormation creates, then updates, the migrations resource
    created = handler(cfn_event("Create"), FakeContext())
    updated = handler(cfn_event("Update", PhysicalResourceId=PHYSICAL_ID), FakeContext())
    # THEN both succeed on the same physical id and report the heads the database is at
    assert created["PhysicalResourceId"] == updated["PhysicalResourceId"] == PHYSICAL_ID
    assert created["Data"]["Head"] == updated["Data"]["Head"] == ",".join(sorted(heads))
    with owner_engine.begin() as connection:
        assert set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()) == heads


def test_delete_leaves_the_database_alone(container: Container, owner_engine: Engine) -> None:
    from functions.ops.migrate import handler

    with owner_engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS keep_me (x int)"))
    try:
        result = handler(cfn_event("Delete", PhysicalResourceId="masteria-database-migrations"), FakeContext())
        assert result == {"PhysicalResourceId": "masteria-database-migrations"}
        with owner_engine.begin() as connection:
            assert connection.execute(text("SELECT to_regclass('keep_me')")).scalar() == "keep_me"
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("DROP TABLE keep_me"))
