"""A write is committed before its response leaves: a client that reads what it was just told it wrote
finds it (a dependency with ``yield`` otherwise ends after the response is sent)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from masteria.bootstrap import Container
from tests.api import sign_up


def test_the_transaction_commits_before_the_response_starts(container: Container, owner_engine: Engine) -> None:
    from functions.api.app import create_app

    app = create_app()
    seen_at_response_start: list[int] = []

    async def observed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def watching_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope["path"] == "/v1/tags":
                with owner_engine.connect() as connection:  # another session: sees committed rows only
                    connection.execute(text("SELECT set_config('app.company_id', :c, false)"), {"c": company})
                    count = connection.execute(text("SELECT count(*) FROM tags WHERE name = 'vip-now'")).scalar_one()
                    connection.execute(text("SELECT set_config('app.company_id', '', false)"))
                seen_at_response_start.append(int(count))
            await send(message)

        await app(scope, receive, watching_send)

    with TestClient(observed) as client:
        owner = sign_up(client)
        company = owner.company_id
        created = client.post("/v1/tags", headers=owner.headers, json={"name": "vip-now", "color": "#ff0000"})
    assert created.status_code == 201, created.text
    assert seen_at_response_start == [1]
