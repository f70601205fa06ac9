"""Helpers for the cadence tests: cadences through the API, a clock the tests move, the tick run as the schedule
would, and the domain events delivered to ``cadence_events`` as EventBridge would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from functions import manifest
from functions.local.events import eventbridge_event
from functions.local.lambda_context import invoke
from masteria.bootstrap import Container
from masteria.cadences import engine
from masteria.cadences.exits import EVENT_TYPES
from masteria.events import OutboxEvent
from masteria.ports import PublishedEvent
from tests.api import Account


class FakeClock:
    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def install_clock(container: Container, at: datetime | None = None) -> FakeClock:
    clock = FakeClock(at)
    container.clock = clock
    return clock


def make_cadence(
    client: TestClient, account: Account, *, steps: list[dict[str, Any]], activate: bool = False, **fields: Any
) -> dict[str, Any]:
    """A cadence with ``steps`` (activated when ``activate``: it needs ``connection_id``)."""
    body = {"name": f"Cadence {uuid.uuid4()}", "steps": steps, **fields}
    response = client.post("/v1/cadences", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    cadence: dict[str, Any] = response.json()
    if activate:
        activated = client.post(f"/v1/cadences/{cadence['id']}/activate", headers=account.headers)
        assert activated.status_code == 200, activated.text
        cadence = activated.json()
    return cadence


def enroll(client: TestClient, account: Account, cadence: dict[str, Any], contact_id: str, **fields: Any) -> Any:
    return client.post(
        f"/v1/cadences/{cadence['id']}/enrollments", headers=account.headers, json={"contact_id": contact_id, **fields}
    )


def enrollment(client: TestClient, account: Account, cadence: dict[str, Any], enrollment_id: str) -> dict[str, Any]:
    found = client.get(f"/v1/cadences/{cadence['id']}/enrollments/{enrollment_id}", headers=account.headers)
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


def tick(container: Container) -> dict[str, int]:
    """The cadence tick, as the schedule runs it."""
    return engine.tick(db=container.database, clock=container.clock)


@dataclass
class Events:
    """The domain events of a company delivered to ``cadence_events``, each once (or ``times`` over)."""

    container: Container
    delivered: set[uuid.UUID] = field(default_factory=set)

    def of(self, account: Account, event_type: str) -> list[dict[str, Any]]:
        with self.container.database.tenant(uuid.UUID(account.company_id)) as session:
            rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type).order_by(OutboxEvent.id))
            return [row.data for row in rows]

    def deliver(self, account: Account, *, times: int = 1) -> list[str]:
        spec = manifest.by_name("cadence_events")
        with self.container.database.tenant(uuid.UUID(account.company_id)) as session:
            rows = session.scalars(
                select(OutboxEvent).where(OutboxEvent.type.in_(EVENT_TYPES)).order_by(OutboxEvent.id)
            ).all()
            events = [
                PublishedEvent(event_id=r.event_id, company_id=r.company_id, type=r.type, data=r.data,
                               occurred_at=r.occurred_at)
                for r in rows if r.event_id not in self.delivered
            ]  # fmt: skip
        outcomes = []
        for event in events:
            self.delivered.add(event.event_id)
            for _ in range(times):
                outcomes.append(invoke(spec, eventbridge_event(event.type, event.detail()))["outcome"])
        return outcomes
