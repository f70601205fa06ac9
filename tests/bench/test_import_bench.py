"""100,000 contacts imported end to end (upload → queue → worker → rows), against a plain COPY."""

from __future__ import annotations

import io
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from functions.local.pump import sqs_event
from masteria.bootstrap import Container
from masteria.contacts.import_jobs import QUEUE
from tests.api import sign_up
from tests.bench.results import report
from tests.functions.events import FakeContext

ROWS = 100_000


@pytest.mark.bench
def test_import_100k_contacts(client: TestClient, container: Container, owner_engine: Engine) -> None:
    from functions.workers.contacts_importer import handler

    owner = sign_up(client)
    lines = [f"+55119{10_000_000 + n * 7},Contact {n},c{n}@example.com\n" for n in range(ROWS)]
    data = ("phone,name,email\n" + "".join(lines)).encode()

    started = time.perf_counter()
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "bench.csv"}).json()
    client.put(f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=data)
    client.post(f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json={})
    messages = container.queue.receive(QUEUE)
    handler(sqs_event(QUEUE, messages), FakeContext())
    container.queue.delete(QUEUE, [m.receipt for m in messages])
    elapsed = time.perf_counter() - started
    progress = client.get(f"/v1/contacts/imports/{created['id']}", headers=owner.headers).json()
    assert (progress["status"], progress["inserted"], progress["rejected"]) == ("completed", ROWS, 0)

    # the same rows with a plain COPY into a scratch table, in the same run
    with owner_engine.begin() as connection:
        connection.execute(text("CREATE TEMP TABLE copy_bench (phone text, name text, email text)"))
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        copy_started = time.perf_counter()
        cursor.execute("COPY copy_bench FROM STDIN WITH (FORMAT csv)", stream=io.StringIO("".join(lines)))
        copy_elapsed = time.perf_counter() - copy_started
    rate, copy_rate = ROWS / elapsed, ROWS / copy_elapsed
    report("contacts_import_rows_per_s", rate, "rows/s", ">= 20000")
    report("contacts_import_vs_copy_ratio", rate / copy_rate, "ratio")
    report("plain_copy_rows_per_s", copy_rate, "rows/s")
