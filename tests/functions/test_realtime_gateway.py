"""API Gateway WebSocket events parsed for the realtime handlers: the connection, the token, the body."""

from __future__ import annotations

import base64

from functions.realtime.gateway import parse
from tests.functions.events import websocket_event


def test_the_token_comes_from_the_query_or_next_to_the_subprotocol() -> None:
    from_query = parse(websocket_event("$connect", "abc=", query={"token": "t1"}))
    assert (from_query.connection_id, from_query.route_key, from_query.token, from_query.subprotocol) == (
        "abc=", "$connect", "t1", None
    )  # fmt: skip
    from_header = parse(websocket_event("$connect", headers={"Sec-WebSocket-Protocol": "masteria.v1, eyJ.a.b"}))
    assert (from_header.token, from_header.subprotocol) == ("eyJ.a.b", "masteria.v1")
    lowercase = parse(websocket_event("$connect", headers={"sec-websocket-protocol": "eyJ.a.b,masteria.v1"}))
    assert (lowercase.token, lowercase.subprotocol) == ("eyJ.a.b", "masteria.v1")
    nothing = parse(websocket_event("$connect", headers={"Sec-WebSocket-Protocol": "masteria.v1"}))
    assert (nothing.token, nothing.subprotocol) == (None, "masteria.v1")
    assert parse(websocket_event("$connect", query={"token": ""})).token is None


def test_a_binary_frame_arrives_base64_encoded() -> None:
    event = websocket_event("$default", body=base64.b64encode(b'{"action": "ping"}').decode())
    event["isBase64Encoded"] = True
    assert parse(event).body == b'{"action": "ping"}'
    event["body"] = "%%% not base64"
    assert parse(event).body == b""
    assert parse(websocket_event("$disconnect")).body is None
