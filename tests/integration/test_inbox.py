"""The shared inbox through the API: conversations from inbound messages, who sees what, replies inside and
outside the 24-hour window, notes, assignment, close and reopen, read receipts, unread counts."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.conversations import inbound
from masteria.templates.models import WhatsAppTemplate
from tests.api import customer_writes, invite, make_connection, sign_up
from tests.meta import FakeMeta

NUMBER = "106540352242922"


def test_a_conversation_from_hello_to_read_receipt(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id=NUMBER)
    customer_writes(container, owner, connection, "Oi, vocês entregam?")
    page = client.get("/v1/conversations?status=open&unread=true", headers=owner.headers).json()
    (conversation,) = page["items"]
    assert conversation["contact"]["phone"] == "+5511987650001" and conversation["window_open"] is True
    assert client.get("/v1/conversations/unread", headers=owner.headers).json() == {"conversations": 1, "messages": 1}
    url = f"/v1/conversations/{conversation['id']}"
    sent = client.post(f"{url}/messages", headers=owner.headers, json={"text": "Entregamos sim!"})
    assert sent.status_code == 201, sent.text
    assert meta.sent[-1]["to"] == "5511987650001" and meta.sent[-1]["text"]["body"] == "Entregamos sim!"
    history = client.get(f"{url}/messages", headers=owner.headers).json()["items"]
    assert [(m["direction"], m["text"]) for m in history] == [("out", "Entregamos sim!"), ("in", "Oi, vocês entregam?")]
    note = client.post(f"{url}/notes", headers=owner.headers, json={"body": "quer entrega amanhã"})
    assert note.status_code == 201
    notes = client.get(f"{url}/notes", headers=owner.headers).json()
    assert [n["body"] for n in notes["items"]] == ["quer entrega amanhã"] and notes["next_cursor"] is None
    read = client.post(f"{url}/read", headers=owner.headers).json()
    assert read["unread_count"] == 0
    assert meta.sent[-1] == {"message_id": history[1]["wamid"], "messaging_product": "whatsapp", "status": "read"}
    closed = client.post(f"{url}/close", headers=owner.headers).json()
    assert closed["status"] == "closed"
    customer_writes(container, owner, connection, "Mais uma pergunta")  # writing again reopens it
    assert client.get(url, headers=owner.headers).json()["status"] == "open"


def test_outside_the_window_only_a_template_goes(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id=NUMBER)
    customer_writes(container, owner, connection, "oi", at=int(time.time()) - 25 * 3600)
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    url = f"/v1/conversations/{conversation['id']}/messages"
    assert conversation["window_open"] is False
    refused = client.post(url, headers=owner.headers, json={"text": "Oi!"})
    assert refused.status_code == 422 and "template" in refused.json()["detail"]
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        template = WhatsAppTemplate(
            company_id=company, connection_id=uuid.UUID(connection["id"]), meta_id="920070352646140",
            name="2023_april_promo", language="en_US", category="MARKETING", status="APPROVED",
            components=[{"type": "BODY", "text": "Hi {{1}}, use {{2}}!"}],
            parameters={"body.1": "first_name"}, defaults={"body.2": "FALL25"},
        )  # fmt: skip
        session.add(template)
        session.flush()
        template_id = str(template.id)
    sent = client.post(url, headers=owner.headers, json={"template_id": template_id})
    assert sent.status_code == 201, sent.text
    assert sent.json()["text"] == "Hi Carla, use FALL25!"
    assert meta.sent[-1]["template"] == {
        "name": "2023_april_promo",
        "language": {"code": "en_US"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Carla"}, {"type": "text", "text": "FALL25"}]}
        ],
    }


def test_agents_see_their_own_and_unassigned_conversations(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    ana, bruno = invite(client, owner, role="agent"), invite(client, owner, role="agent")
    connection = make_connection(client, owner, meta, phone_number_id=NUMBER)
    customer_writes(container, owner, connection, "oi", wa_id="5511900000001")
    customer_writes(container, owner, connection, "olá", wa_id="5511900000002")
    first, second = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    assert len(client.get("/v1/conversations", headers=ana.headers).json()["items"]) == 2  # both unassigned
    assigned = client.put(
        f"/v1/conversations/{first['id']}/assignee", headers=ana.headers, json={"assignee_id": bruno.user_id}
    )
    assert assigned.status_code == 200 and assigned.json()["assignee_id"] == bruno.user_id
    assert [c["id"] for c in client.get("/v1/conversations", headers=ana.headers).json()["items"]] == [second["id"]]
    assert client.get(f"/v1/conversations/{first['id']}", headers=ana.headers).status_code == 404
    mine = client.get("/v1/conversations?assignee=me", headers=bruno.headers).json()["items"]
    assert [c["id"] for c in mine] == [first["id"]]
    assert len(client.get("/v1/conversations", headers=owner.headers).json()["items"]) == 2
    unknown = client.put(
        f"/v1/conversations/{second['id']}/assignee", headers=owner.headers, json={"assignee_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 422


def test_one_contacts_conversations(client: TestClient, container: Container, meta: FakeMeta) -> None:
    # GIVEN two customers who wrote in
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id=NUMBER)
    customer_writes(container, owner, connection, "oi", wa_id="5511900000001")
    customer_writes(container, owner, connection, "olá", wa_id="5511900000002")
    contacts = client.get("/v1/contacts", headers=owner.headers).json()["items"]
    ana = next(c for c in contacts if c["phone"] == "+5511900000001")
    # WHEN the conversations are filtered by one contact
    found = client.get(f"/v1/conversations?contact_id={ana['id']}", headers=owner.headers).json()["items"]
    # THEN only that contact's come back
    assert [c["contact"]["phone"] for c in found] == ["+5511900000001"]
    nobody = client.get(f"/v1/conversations?contact_id={uuid.uuid4()}", headers=owner.headers).json()
    assert nobody["items"] == []


def test_inbound_media_is_copied_and_served_through_expiring_links(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    from functions.local.sandbox.spec import SPEC_DIR
    from masteria.conversations.inbound import Media

    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id=NUMBER)
    raw = (SPEC_DIR / "examples" / "webhooks" / "post_request" / "image_message.json").read_bytes()
    media_id = json.loads(raw)["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]
    meta.media[media_id] = b"\xff\xd8\xff\xe0 a jpeg"
    job = InboundJob(
        company_id=uuid.UUID(owner.company_id), connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC), body_b64=base64.b64encode(raw).decode(),
    )  # fmt: skip
    media = Media(providers=container.providers, store=container.object_store, keys=container.company_keys)
    assert (
        inbound.process(
            db=container.database, keys=container.company_keys, providers=container.providers, job=job, media=media
        ).messages
        == 1
    )
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    (message,) = client.get(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers).json()["items"]
    assert message["type"] == "image" and message["content"]["stored"]["size"] == len(meta.media[media_id])
    link = message["media_url"]
    path = link.removeprefix("http://testserver")
    served = client.get(path)  # the link is the permission: no token needed
    assert served.status_code == 200 and served.content == meta.media[media_id]
    assert served.headers["content-type"] == "image/jpeg"
    token = path.rsplit("/", 1)[1]
    assert client.get(path[: -len(token)] + token[:-2] + "xx").status_code == 404  # tampered
    stored = message["content"]["stored"]["key"]
    (container.settings.masteria_data_dir / "objects" / stored).unlink()
    assert client.get(path).status_code == 404  # a valid link to a file that is gone: a 404, not a 500
    container.clock = _Later()  # type: ignore[misc]
    assert client.get(path).status_code == 404  # expired


class _Later:
    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(minutes=16)
