"""Two replies to one person at once on a real PostgreSQL: the pair rate is checked again as each reply is
claimed, under the conversation's lock, so they cannot both pass it."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from masteria.bootstrap import Container
from tests.api import customer_writes, make_connection, sign_up
from tests.e2e.waits import eventually
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
