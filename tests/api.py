"""Helpers to drive the API as a client would: sign up companies, log in, invite users."""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from functions import manifest
from functions.local.lambda_context import invoke
from functions.local.pump import sqs_event
from masteria import bootstrap
from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.conversations import inbound
from tests.meta import FakeMeta

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@dataclass
class Account:
    company_id: str
    user_id: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def sign_up(client: TestClient, *, company: str | None = None) -> Account:
    n = next(_counter)
    email = f"owner{n}@company{n}.example.com"
    response = client.post(
        "/v1/auth/signup",
        json={
            "company_name": company or f"Company {n}",
            "name": f"Owner {n}",
            "email": email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201, response.text
    return _account(client, response.json(), email)


def _account(client: TestClient, tokens: dict[str, Any], email: str) -> Account:
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200, me.text
    body = me.json()
    return Account(
        company_id=body["company"]["id"],
        user_id=body["user"]["id"],
        email=email,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
    )


def invite(client: TestClient, inviter: Account, *, role: str = "agent") -> Account:
    n = next(_counter)
    email = f"user{n}@example.com"
    response = client.post(
        "/v1/users", headers=inviter.headers, json={"email": email, "name": f"User {n}", "role": role}
    )
    assert response.status_code == 201, response.text
    accepted = client.post(
        "/v1/auth/accept-invite", json={"token": response.json()["invite_token"], "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    return _account(client, accepted.json(), email)


def make_contact(client: TestClient, account: Account, **fields: Any) -> dict[str, Any]:
    n = next(_counter)
    body = {"phone": f"+55 11 9{n:04d}-{n % 10000:04d}", "name": f"Contact {n}", **fields}
    response = client.post("/v1/contacts", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def make_tag(client: TestClient, account: Account, name: str | None = None) -> dict[str, Any]:
    response = client.post("/v1/tags", headers=account.headers, json={"name": name or f"tag-{next(_counter)}"})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def make_custom_field(client: TestClient, account: Account, **fields: Any) -> dict[str, Any]:
    body = {"key": f"field_{next(_counter)}", "label": "Field", "type": "text", **fields}
    response = client.post("/v1/custom-fields", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def make_connection(
    client: TestClient, account: Account, meta: FakeMeta, *, phone_number_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A WhatsApp connection whose number exists in ``meta`` (Meta's Graph API, in memory)."""
    n = next(_counter)
    phone_number_id = phone_number_id or f"1065403522{n:05d}"
    waba_id, token = f"1022901293{n:05d}", f"EAAG-token-{n}-{uuid.uuid4()}"
    meta.add_number(phone_number_id, waba_id, token)
    body = {
        "name": f"Number {n}",
        "phone_number_id": phone_number_id,
        "waba_id": waba_id,
        "access_token": token,
        "app_secret": f"app-secret-{n}-0123456789abcdef",
        **fields,
    }
    response = client.post("/v1/connections", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    run_queue(bootstrap.container(), "connection_secrets")  # its secret where Meta's webhook function reads it
    result: dict[str, Any] = response.json()
    return result


def run_queue(container: Container, function: str) -> int:
    """Run the queue consumer ``function`` of the manifest on its queue until it is empty (as the local
    runtime's pump does, but a failed record fails the test); the number of messages it handled."""
    spec = manifest.by_name(function)
    assert isinstance(spec.trigger, manifest.QueueTrigger)
    queue, handled = spec.trigger.queue, 0
    while messages := container.queue.receive(queue, max_messages=spec.trigger.batch_size):
        assert invoke(spec, sqs_event(queue, messages)) == {"batchItemFailures": []}
        container.queue.delete(queue, [m.receipt for m in messages])
        handled += len(messages)
    return handled


def customer_writes(
    container: Container, account: Account, connection: dict[str, Any], text: str, *, wa_id: str = "5511987650001",
    at: int | None = None,
) -> None:  # fmt: skip
    """A text from a customer, as Meta would post it (through the inbound processor)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": connection["phone_number_id"]},
        "contacts": [{"profile": {"name": "Carla"}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id, "id": f"wamid.in{uuid.uuid4().hex}", "timestamp": str(at or int(time.time())),
                "type": "text", "text": {"body": text},
            }
        ],
    }  # fmt: skip
    meta_posts(container, account, connection["id"], value)


def meta_posts(container: Container, account: Account, connection_id: str, value: dict[str, Any]) -> None:
    """One ``messages`` change of a connection, as Meta would post it, through the inbound processor."""
    raw = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    )
    job = InboundJob(
        company_id=uuid.UUID(account.company_id),
        connection_id=uuid.UUID(connection_id),
        received_at=datetime.now(UTC),
        body_b64=base64.b64encode(raw.encode()).decode(),
    )
    assert not inbound.process(
        db=container.database, keys=container.company_keys, providers=container.providers, job=job
    ).dead_lettered


def approved_template(
    client: TestClient, account: Account, meta: FakeMeta, connection: dict[str, Any], *, name: str = "promo"
) -> dict[str, Any]:
    """An approved WhatsApp template ``Oi {{1}}!`` on ``connection``, mirrored from Meta by a sync."""
    meta.templates.setdefault(connection["waba_id"], []).append(
        {
            "id": str(900_000_000_000_000 + next(_counter)), "name": name, "language": "pt_BR", "status": "APPROVED",
            "category": "MARKETING", "components": [{"type": "BODY", "text": "Oi {{1}}!"}],
        }
    )  # fmt: skip
    synced = client.post(f"/v1/connections/{connection['id']}/templates/sync", headers=account.headers)
    assert synced.status_code == 200, synced.text
    listed = client.get(f"/v1/connections/{connection['id']}/templates", headers=account.headers).json()["items"]
    template: dict[str, Any] = next(t for t in listed if t["name"] == name)
    return template


def make_campaign(
    client: TestClient, account: Account, meta: FakeMeta, *, contacts: int = 0, **fields: Any
) -> dict[str, Any]:
    """A draft campaign to ``contacts`` new contacts (tagged for it) through a new connection."""
    connection = make_connection(client, account, meta)
    template = approved_template(client, account, meta, connection)
    tag = make_tag(client, account)
    for _ in range(contacts):
        contact = make_contact(client, account)
        tagged = client.put(f"/v1/contacts/{contact['id']}/tags/{tag['id']}", headers=account.headers)
        assert tagged.status_code == 200, tagged.text
    body = {
        "name": f"Campaign {next(_counter)}",
        "connection_id": connection["id"],
        "whatsapp_template_id": template["id"],
        "parameters": {"body.1": "first_name"},
        "defaults": {"body.1": "cliente"},
        "audience": {"tag_ids": [tag["id"]]},
        **fields,
    }
    response = client.post("/v1/campaigns", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
