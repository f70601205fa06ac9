"""The realtime handlers with the events API Gateway's WebSocket API and EventBridge send them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from masteria.adapters.memory.realtime import RecordingRealtime
from masteria.bootstrap import Container
from masteria.events import EventType
from masteria.ports import PublishedEvent
from masteria.tenancy.security import issue_access_token
from tests.api import Account, sign_up
from tests.functions.events import FakeContext, eventbridge_event, websocket_event


def _connect(event: dict[str, object]) -> dict[str, object]:
    from functions.realtime.connect import handler

    result: dict[str, object] = handler(event, FakeContext())
    return result


def test_connect_with_a_token_in_the_query_registers_the_connection(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    # WHEN a client connects with ?token=
    result = _connect(websocket_event("$connect", "conn-1", query={"token": owner.access_token}))
    # THEN it is accepted and registered under its company, user and role
    assert result == {"statusCode": 200}
    registered = container.connection_registry.get("conn-1")
    assert registered is not None
    assert (str(registered.company_id), str(registered.user_id), registered.role) == (
        owner.company_id, owner.user_id, "owner"
    )  # fmt: skip
    assert registered.expires_at > datetime.now(UTC).timestamp() + 3600


def test_connect_with_the_token_as_a_subprotocol_answers_the_subprotocol(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    headers = {"Sec-WebSocket-Protocol": f"masteria.v1, {owner.access_token}"}
    result = _connect(websocket_event("$connect", "conn-2", headers=headers))
    assert result == {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "masteria.v1"}}
    assert container.connection_registry.get("conn-2") is not None


def _expired(container: Container, account: Account) -> str:
    config = container.token_config
    return issue_access_token(
        config,
        user_id=uuid.UUID(account.user_id),
        company_id=uuid.UUID(account.company_id),
        role="owner",
        now=datetime.now(UTC) - config.access_ttl - timedelta(minutes=1),
    )


@pytest.mark.parametrize("case", ["missing", "garbage", "expired", "forged", "refresh token", "deactivated"])
def test_connect_refuses_a_missing_invalid_or_expired_token(
    client: TestClient, container: Container, case: str
) -> None:
    owner = sign_up(client)
    token = {
        "missing": None,
        "garbage": "not-a-jwt",
        "expired": _expired(container, owner),
        "forged": owner.access_token[:-4] + ("AAAA" if not owner.access_token.endswith("AAAA") else "BBBB"),
        "refresh token": owner.refresh_token,
        "deactivated": owner.access_token,
    }[case]
    if case == "deactivated":
        with container.database.tenant(uuid.UUID(owner.company_id)) as session:
            from masteria.tenancy.models import User

            session.get_one(User, uuid.UUID(owner.user_id)).is_active = False
    # WHEN the client connects with it
    result = _connect(websocket_event("$connect", "conn-x", query={"token": token} if token else None))
    # THEN the connection is refused and nothing is registered
    assert result == {"statusCode": 401}
    assert container.connection_registry.get("conn-x") is None


def test_default_answers_frames_and_malformed_ones_with_an_error_frame(
    client: TestClient, container: Container
) -> None:
    from functions.realtime.default import handler

    owner = sign_up(client)
    _connect(websocket_event("$connect", "conn-3", query={"token": owner.access_token}))
    subscribe = json.dumps({"action": "subscribe", "topics": ["inbox", "notifications"], "id": "1"})
    reply = handler(websocket_event("$default", "conn-3", body=subscribe), FakeContext())
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {"v": 1, "type": "subscribed", "id": "1", "topics": ["inbox", "notifications"]}
    for body in ("{oops", '{"action": "subscribe", "topics": ["everything"]}', ""):
        reply = handler(websocket_event("$default", "conn-3", body=body), FakeContext())
        assert reply["statusCode"] == 200  # the connection stays
        assert json.loads(reply["body"])["type"] == "error"
    reply = handler(websocket_event("$default", "conn-3", body='{"action": "ping"}'), FakeContext())
    assert json.loads(reply["body"]) == {"v": 1, "type": "pong", "id": None}
    registered = container.connection_registry.get("conn-3")
    assert registered is not None and registered.topics == {"inbox", "notifications"}


def test_disconnect_forgets_the_connection(client: TestClient, container: Container) -> None:
    from functions.realtime.disconnect import handler

    owner = sign_up(client)
    _connect(websocket_event("$connect", "conn-4", query={"token": owner.access_token}))
    assert handler(websocket_event("$disconnect", "conn-4"), FakeContext()) == {"statusCode": 200}
    assert container.connection_registry.get("conn-4") is None


def test_push_posts_a_notification_frame_to_subscribed_connections(client: TestClient, container: Container) -> None:
    from functions.realtime.default import handler as default
    from functions.realtime.push import handler

    poster = RecordingRealtime(gone={"conn-gone"})
    container.realtime = poster
    owner = sign_up(client)
    for connection_id in ("conn-5", "conn-gone", "conn-quiet"):
        _connect(websocket_event("$connect", connection_id, query={"token": owner.access_token}))
    for connection_id in ("conn-5", "conn-gone"):
        body = json.dumps({"action": "subscribe", "topics": ["notifications"]})
        default(websocket_event("$default", connection_id, body=body), FakeContext())
    notification = uuid.uuid4()
    detail = PublishedEvent(
        event_id=uuid.uuid4(), company_id=uuid.UUID(owner.company_id), type=EventType.NOTIFICATION_CREATED.value,
        data={"notification_id": str(notification), "kind": "test"}, occurred_at=datetime.now(UTC), sequence=7,
    ).detail()  # fmt: skip
    # WHEN EventBridge delivers the event
    result = handler(eventbridge_event(detail), FakeContext())
    # THEN the subscribed connection gets the frame, the gone one is forgotten, the quiet one gets nothing
    assert result == {"sent": 1, "gone": 1, "failed": 0}
    [frame] = poster.frames("conn-5")
    assert frame["type"] == "notification.created" and frame["cursor"] == "7"
    assert frame["data"] == {"notification_id": str(notification), "kind": "test", "user_id": None}  # for everyone
    assert poster.frames("conn-quiet") == []
    assert container.connection_registry.get("conn-gone") is None
