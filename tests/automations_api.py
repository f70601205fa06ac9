"""Helpers for the automation tests: rules through the API, the domain events delivered to ``automation_events``
as EventBridge would (with their cause), the send worker and the no-reply sweep run as the runtime would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from functions import manifest
from functions.local.events import eventbridge_event
from functions.local.lambda_context import invoke
from masteria.automations import sweep
from masteria.automations.triggers import EVENT_TYPES
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from masteria.ports import EventCause, PublishedEvent
from tests.api import Account


def make_rule(
    client: TestClient,
    account: Account,
    *,
    trigger: dict[str, Any],
    actions: list[dict[str, Any]],
    **fields: Any,
) -> dict[str, Any]:
    body = {"name": f"Rule {uuid.uuid4()}", "trigger": trigger, "actions": actions, **fields}
    response = client.post("/v1/automations", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    rule: dict[str, Any] = response.json()
    return rule


def runs(client: TestClient, account: Account, rule: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    """The rule's run log, newest first."""
    response = client.get(f"/v1/automations/{rule['id']}/runs", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def events_of(container: Container, account: Account, event_type: str) -> list[OutboxEvent]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        rows = list(session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type).order_by(OutboxEvent.id)))
        session.expunge_all()
        return rows


def sweep_quiet(container: Container) -> int:
    """The no-reply sweep, as its schedule runs it."""
    return sweep.sweep(db=container.database, clock=container.clock)


@dataclass
class Events:
    """A company's domain events delivered to ``automation_events``, each once (or ``times`` over), following
    the chains the rules' actions start (new events are delivered too, until there are none)."""

    container: Container
    delivered: set[uuid.UUID] = field(default_factory=set)

    def _pending(self, account: Account) -> list[PublishedEvent]:
        with self.container.database.tenant(uuid.UUID(account.company_id)) as session:
            rows = session.scalars(
                select(OutboxEvent).where(OutboxEvent.type.in_(EVENT_TYPES)).order_by(OutboxEvent.id)
            ).all()
            return [
                PublishedEvent(event_id=r.event_id, company_id=r.company_id, type=r.type, data=r.data,
                               occurred_at=r.occurred_at, cause=EventCause.from_json(r.cause))
                for r in rows if r.event_id not in self.delivered
            ]  # fmt: skip

    def deliver(self, account: Account, *, times: int = 1, follow: bool = True) -> list[str]:
        spec = manifest.by_name("automation_events")
        outcomes: list[str] = []
        while events := self._pending(account):
            for event in events:
                self.delivered.add(event.event_id)
                for _ in range(times):
                    outcomes.append(invoke(spec, eventbridge_event(event.type, event.detail()))["outcome"])
            if not follow:
                break
        return outcomes

    def skip(self, account: Account) -> None:
        """Mark the events so far as delivered (the setup's, which no rule is about)."""
        self.delivered |= {event.event_id for event in self._pending(account)}
