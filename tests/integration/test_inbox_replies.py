"""Inbox replies on a real PostgreSQL: two at once to one person cannot both pass the pair rate (checked again as
each is claimed, under the conversation's lock); one claimed by a worker that died becomes unknown by the sweeper."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from functions.workers import outbox_sweeper
from masteria.bootstrap import Container
from masteria.conversations.outbound import STALE_CLAIM
from tests.api import customer_writes, make_connection, sign_up
from tests.e2e.waits import eventually
from tests.functions.events import FakeContext
from tests.meta import FakeMeta

WAITING = "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"  # sessions waiting on a lock


def test_two_replies_at_the_edge_of_the_pair_rate_cannot_both_pass(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:  # 44 replies in the last seconds: one more is Meta's burst
        session.execute(
            text(
                "INSERT INTO messages (company_id, connection_id, conversation_id, contact_id, direction, wamid,"
                " type, text, status, sent_at) SELECT :company, :connection, :conversation, :contact, 'out',"
                " 'wamid.burst' || n, 'text', 'x', 'delivered',"
                " CAST(:now AS timestamptz) - n * interval '10 milliseconds'"
                " FROM generate_series(1, 44) AS n"
            ),
            {
                "company": company, "connection": uuid.UUID(connection["id"]), "now": datetime.now(UTC),
                "conversation": uuid.UUID(conversation["id"]), "contact": uuid.UUID(conversation["contact"]["id"]),
            },
        )  # fmt: skip
    url = f"/v1/conversations/{conversation['id']}/messages"
    with ThreadPoolExecutor(2) as pool:
        with container.database.tenant(company) as holder:
            # the conversation held, both replies get past the request's own checks and wait at their claims
            holder.execute(text("SELECT id FROM conversations WHERE id = :id FOR UPDATE"), {"id": conversation["id"]})
            answers = [pool.submit(client.post, url, headers=owner.headers, json={"text": t}) for t in ("um", "dois")]
            eventually(lambda: holder.execute(text(WAITING)).scalar_one() >= 2)
        statuses = sorted(a.result().status_code for a in answers)
    assert statuses == [201, 429]
    assert len(meta.sent) == 1


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


def test_the_sweeper_makes_a_reply_claimed_by_a_worker_that_died_unknown_with_no_other_reply(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    clock = FakeClock()
    container.clock = clock  # type: ignore[misc]
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:  # claimed now, its worker gone before the record
        session.execute(
            text(
                "INSERT INTO messages (company_id, connection_id, conversation_id, contact_id, direction, wamid,"
                " type, text, status, sent_at) VALUES (:company, :connection, :conversation, :contact, 'out',"
                " 'outbound:lost', 'text', 'perdida', 'sending', :now)"
            ),
            {
                "company": company, "connection": uuid.UUID(connection["id"]), "now": clock.now(),
                "conversation": uuid.UUID(conversation["id"]), "contact": uuid.UUID(conversation["contact"]["id"]),
            },
        )  # fmt: skip

    def status() -> str:
        with container.database.tenant(company) as session:
            found: str = session.execute(text("SELECT status FROM messages WHERE wamid = 'outbound:lost'")).scalar_one()
            return found

    clock.at += STALE_CLAIM / 2
    assert outbox_sweeper.handler({}, FakeContext())["replies_unknown"] == 0  # its request may still be under way
    assert status() == "sending"
    clock.at += STALE_CLAIM
    assert outbox_sweeper.handler({}, FakeContext())["replies_unknown"] == 1
    assert status() == "unknown"
    assert outbox_sweeper.handler({}, FakeContext())["replies_unknown"] == 0
    assert meta.sent == []  # never sent again
