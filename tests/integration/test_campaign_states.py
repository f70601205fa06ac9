"""Every change of a campaign's state goes through its state machine: a late status that settles a recipient
never reopens a finished campaign; only a retried dead letter reopens a completed one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from functions import manifest
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.campaigns import ledger
from tests.api import Account, make_campaign, meta_posts, sign_up
from tests.meta import FakeMeta


def _pump(container: Container) -> None:
    pump = QueuePump(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    specs = [manifest.by_name(n) for n in ("campaign_starter", "campaign_sender")]
    for _ in range(50):
        if not sum(pump.run_once(spec) for spec in specs):
            return


def _read(client: TestClient, owner: Account, campaign: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers)
    assert response.status_code == 200, response.text
    read: dict[str, Any] = response.json()
    return read


def _recipients(client: TestClient, owner: Account, campaign: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(f"/v1/campaigns/{campaign['id']}/recipients", headers=owner.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _late_status(
    container: Container, owner: Account, campaign: dict[str, Any], recipient: dict[str, Any], **status: Any
) -> None:
    value = {
        "messaging_product": "whatsapp",
        "statuses": [
            {
                "id": f"wamid.late-{recipient['id']}",
                "timestamp": str(int(datetime.now(UTC).timestamp())),
                "recipient_id": recipient["phone"].lstrip("+"),
                "biz_opaque_callback_data": ledger.opaque(recipient["id"]),
                **status,
            }
        ],
    }
    meta_posts(container, owner, campaign["connection_id"], value)


def _events(engine: Engine, owner: Account, type_: str, campaign: dict[str, Any]) -> int:
    """How many ``type_`` events the campaign's changes recorded (the tables FORCE row-level security)."""
    with engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": owner.company_id})
        count = connection.scalar(
            text("SELECT count(*) FROM outbox_events WHERE type = :type AND data->>'campaign_id' = :campaign"),
            {"type": type_, "campaign": campaign["id"]},
        )
    return int(count or 0)


def test_a_late_failure_of_a_sent_recipient_leaves_a_completed_campaign_completed(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    _pump(container)
    done = _read(client, owner, campaign)
    assert done["status"] == "completed" and done["finished_at"] is not None
    first = _recipients(client, owner, campaign)[0]
    _late_status(
        container, owner, campaign, first, status="failed",
        errors=[{"code": 131026, "title": "Message undeliverable"}],
    )  # fmt: skip
    assert {(r["id"], r["status"]) for r in _recipients(client, owner, campaign)} >= {(first["id"], "failed")}
    after = _read(client, owner, campaign)
    assert (after["status"], after["finished_at"]) == ("completed", done["finished_at"])
    assert _events(owner_engine, owner, "campaign.started", campaign) == 1  # its start only: not reopened
    _pump(container)
    assert len(meta.sent) == 2  # and nothing sent again


def test_a_late_status_settling_an_unknown_recipient_leaves_a_cancelled_campaign_cancelled(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    meta.script.append("timeout")  # the first send's answer is lost: its outcome is unknown
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    _pump(container)
    (unknown,) = [r for r in _recipients(client, owner, campaign) if r["status"] == "unknown"]
    assert _read(client, owner, campaign)["status"] == "running"  # it waits for that outcome
    cancelled = client.post(f"/v1/campaigns/{campaign['id']}/cancel", headers=owner.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    _late_status(container, owner, campaign, unknown, status="delivered")
    assert {r["status"] for r in _recipients(client, owner, campaign)} == {"sent", "delivered"}
    after = _read(client, owner, campaign)
    assert (after["status"], after["finished_at"]) == ("cancelled", cancelled.json()["finished_at"])
    assert _events(owner_engine, owner, "campaign.completed", campaign) == 0


def test_a_finished_campaign_refuses_every_users_move_with_its_state(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    _pump(container)
    assert _read(client, owner, campaign)["status"] == "completed"
    for action, body in (("pause", None), ("resume", None), ("cancel", None), ("schedule", {})):
        refused = client.post(f"/v1/campaigns/{campaign['id']}/{action}", headers=owner.headers, json=body)
        assert refused.status_code == 409, (action, refused.text)
        assert refused.json()["current_state"] == "completed"
    assert _read(client, owner, campaign)["status"] == "completed"
