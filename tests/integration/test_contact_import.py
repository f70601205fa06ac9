"""CSV import end to end (upload → queue → worker → rows) and export, on the real database."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from functions.local.pump import sqs_event
from masteria.bootstrap import Container
from masteria.contacts.import_jobs import QUEUE
from tests.api import Account, make_custom_field, sign_up
from tests.functions.events import FakeContext


def _import(client: TestClient, container: Container, owner: Account, data: bytes, **start: Any) -> dict[str, Any]:
    from functions.workers.contacts_importer import handler

    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    uploaded = client.put(f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=data)
    assert uploaded.status_code == 200, uploaded.text
    started = client.post(f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json=start)
    assert started.status_code == 202, started.text
    messages = container.queue.receive(QUEUE)
    assert len(messages) == 1
    result = handler(sqs_event(QUEUE, messages), FakeContext())
    assert result == {"batchItemFailures": []}
    container.queue.delete(QUEUE, [m.receipt for m in messages])
    progress = client.get(f"/v1/contacts/imports/{created['id']}", headers=owner.headers).json()
    assert progress["status"] == "completed", progress
    return progress


def _rejections(client: TestClient, owner: Account, import_id: str) -> list[list[str]]:
    response = client.get(f"/v1/contacts/imports/{import_id}/rejections.csv", headers=owner.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


EDGE_CASES = (
    "\ufeffTelefone;Nome;Email;Tags;Notes\r\n"
    '(11) 91234-0001;"Silva; Ana";ana@example.com;vip|lead;"line one\r\nline two"\r\n'
    "11912340002;Bruno;;lead;\r\n"
    "123;Invalid Phone;;;\r\n"
    "+55 11 91234-0001;Ana again;;;\r\n"
    '11912340003;"He said ""hi""";not-an-email;;\r\n'
    "11912340004;José;;;\r\n"
)


def test_import_edge_cases_bom_semicolon_quotes_newlines_duplicates_invalid(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    progress = _import(client, container, owner, EDGE_CASES.encode("utf-8"))
    assert progress["delimiter"] == ";" and progress["encoding"] == "utf-8-sig"
    assert progress["headers"] == ["Telefone", "Nome", "Email", "Tags", "Notes"]
    assert (progress["total"], progress["processed"]) == (6, 6)
    assert (progress["inserted"], progress["updated"], progress["rejected"]) == (3, 0, 3)
    contacts = {c["phone"]: c for c in client.get("/v1/contacts?limit=50", headers=owner.headers).json()["items"]}
    assert set(contacts) == {"+5511912340001", "+5511912340002", "+5511912340004"}
    ana = contacts["+5511912340001"]
    assert ana["name"] == "Silva; Ana"
    assert ana["notes"] == "line one\r\nline two"
    assert sorted(t["name"] for t in ana["tags"]) == ["lead", "vip"]
    assert contacts["+5511912340004"]["name"] == "José"
    rows = _rejections(client, owner, progress["id"])
    assert rows[0] == ["row", "reason", "Telefone", "Nome", "Email", "Tags", "Notes"]
    reasons = {int(r[0]): r[1] for r in rows[1:]}
    assert set(reasons) == {4, 5, 6}
    assert "invalid phone number" in reasons[4]
    assert reasons[5] == "duplicate of row 2 (same phone number)"
    assert "invalid email" in reasons[6]
    assert rows[2][2] == "'+55 11 91234-0001"  # a cell starting with + is made formula-safe


def test_latin1_comma_file_and_reimport_changes_nothing(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    make_custom_field(client, owner, key="plan", label="Plan", type="select", options=["basic", "pro"])
    data = "phone,name,plan\n11912340010,João Conceição,pro\n11912340011,Zé,gold\n".encode("latin-1")
    mapping = {"mapping": {"phone": "phone", "name": "name", "plan": "custom.plan"}}
    first = _import(client, container, owner, data, **mapping)
    assert first["encoding"] == "cp1252" and first["delimiter"] == ","  # Excel on Windows: a superset of Latin-1
    assert (first["inserted"], first["updated"], first["rejected"]) == (1, 0, 1)
    contact = client.get("/v1/contacts", headers=owner.headers).json()["items"][0]
    assert contact["name"] == "João Conceição" and contact["custom_fields"] == {"plan": "pro"}
    # WHEN the same file is imported again THEN nothing changes
    second = _import(client, container, owner, data, **mapping)
    assert (second["inserted"], second["updated"], second["rejected"]) == (0, 0, 1)
    after = client.get("/v1/contacts", headers=owner.headers).json()["items"][0]
    assert after["updated_at"] == contact["updated_at"]
    # AND a changed value updates exactly that contact
    changed = "phone,name,plan\n11912340010,João C.,pro\n".encode("latin-1")
    third = _import(client, container, owner, changed, **mapping)
    assert (third["inserted"], third["updated"]) == (0, 1)


def test_progress_events_and_audit(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    rows = "".join(f"1191234{n:04d},N{n}\n" for n in range(25))
    progress = _import(client, container, owner, ("phone,name\n" + rows).encode())
    assert progress["inserted"] == 25
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        events = session.execute(
            text("SELECT data FROM outbox_events WHERE type = 'contacts.import.progress' ORDER BY id")
        ).scalars()
        last = list(events)[-1]
    assert last["status"] == "completed" and last["processed"] == 25
    actions = [e["action"] for e in client.get("/v1/audit-log", headers=owner.headers).json()["items"]]
    assert "contacts.import" in actions


def test_bad_mapping_and_state_errors(client: TestClient) -> None:
    owner = sign_up(client)
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    early = client.post(f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json={})
    assert early.status_code == 409
    client.put(
        f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=b"nome,cidade\nAna,Recife\n"
    )
    no_phone = client.post(f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json={})
    assert no_phone.status_code == 422
    assert "phone" in no_phone.json()["detail"]
    unknown = client.post(
        f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json={"mapping": {"fone": "phone"}}
    )
    assert unknown.status_code == 422
    empty = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "e.csv"}).json()
    assert client.put(f"/v1/contacts/imports/{empty['id']}/file", headers=owner.headers, content=b"").status_code == 422


def test_export_is_formula_safe_and_keeps_phones_usable(client: TestClient) -> None:
    owner = sign_up(client)
    client.post("/v1/contacts", headers=owner.headers, json={"phone": "11912345678", "name": '=HYPERLINK("x")'})
    client.post("/v1/contacts", headers=owner.headers, json={"phone": "11912345679", "name": "@SUM(1)", "notes": "-1"})
    response = client.get("/v1/contacts/export.csv?q=9123456", headers=owner.headers)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["phone", "name", "email"]
    assert [r[:2] for r in rows[1:]] == [["'+5511912345678", '\'=HYPERLINK("x")'], ["'+5511912345679", "'@SUM(1)"]]
    assert rows[2][4] == "'-1"
    assert client.get("/v1/audit-log", headers=owner.headers).json()["items"][0]["action"] == "contacts.export"


def test_export_takes_the_list_filters(client: TestClient) -> None:
    # GIVEN two contacts, one with a custom field value
    owner = sign_up(client)
    make_custom_field(client, owner, key="plan", type="text")
    client.post("/v1/contacts", headers=owner.headers, json={"phone": "11912345670", "custom_fields": {"plan": "gold"}})
    client.post("/v1/contacts", headers=owner.headers, json={"phone": "11912345671"})
    # WHEN the export is filtered as the contacts table is
    gold = client.get("/v1/contacts/export.csv?custom_field=plan&custom_value=gold", headers=owner.headers)
    future = client.get("/v1/contacts/export.csv?created_from=2999-01-01T00:00:00Z", headers=owner.headers)
    # THEN only the matching contacts are in it
    assert [r[0] for r in list(csv.reader(io.StringIO(gold.text)))[1:]] == ["'+5511912345670"]
    assert len(list(csv.reader(io.StringIO(future.text)))) == 1  # the header alone


class _BrokenRead(io.RawIOBase):
    """A stored file whose connection drops after ``limit`` bytes, as an object store read can."""

    def __init__(self, data: bytes, limit: int) -> None:
        self._data, self._limit, self._at = data, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._at >= self._limit:
            raise ConnectionResetError("connection reset by peer")
        size = min(len(buffer), self._limit - self._at, 64)
        buffer[:size] = self._data[self._at : self._at + size]
        self._at += size
        return size


class _FlakyStore:
    """The object store, except that its ``nth`` open of a file breaks partway through."""

    def __init__(self, store: Any, *, nth: int, limit: int) -> None:
        self._store, self._nth, self._limit, self._opened = store, nth, limit, 0

    def open(self, key: str) -> Any:
        self._opened += 1
        stream = self._store.open(key)
        if self._opened != self._nth:
            return stream
        return io.BufferedReader(_BrokenRead(stream.read(), self._limit), buffer_size=64)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_run_broken_midway_resumes_without_losing_or_repeating_rows(client: TestClient, container: Container) -> None:
    from masteria.contacts.imports import ImportJob, run_import

    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    lines = [f"1191234{n:04d},N{n}\n" if n % 7 else f"bad{n},N{n}\n" for n in range(60)]
    data = ("phone,name\n" + "".join(lines)).encode()
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    client.put(f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=data)
    client.post(f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json={})
    job = ImportJob(company_id=company, import_id=uuid.UUID(created["id"]))
    # the worker reads the file once (the upload counted its rows); that read breaks part way
    flaky = _FlakyStore(container.object_store, nth=1, limit=len(data) * 2 // 3)
    with pytest.raises(ConnectionResetError):
        run_import(db=container.database, store=flaky, clock=container.clock, job=job, chunk_rows=5)
    halfway = client.get(f"/v1/contacts/imports/{created['id']}", headers=owner.headers).json()
    assert halfway["status"] == "processing" and 0 < halfway["processed"] < 60
    with container.database.tenant(company) as session:
        stored = session.execute(text("SELECT count(*) FROM contacts")).scalar_one()
    assert stored == halfway["inserted"]  # what committed is exactly what the progress says

    run_import(db=container.database, store=container.object_store, clock=container.clock, job=job, chunk_rows=5)
    done = client.get(f"/v1/contacts/imports/{created['id']}", headers=owner.headers).json()
    assert (done["status"], done["processed"], done["total"]) == ("completed", 60, 60)
    assert (done["inserted"], done["updated"], done["rejected"]) == (51, 0, 9)
    with container.database.tenant(company) as session:
        assert session.execute(text("SELECT count(*) FROM contacts")).scalar_one() == 51
    rejected = _rejections(client, owner, created["id"])[1:]
    assert sorted(int(r[0]) for r in rejected) == [n + 2 for n in range(0, 60, 7)]  # each once, by file row


def test_the_companys_imports_newest_first(client: TestClient, container: Container) -> None:
    # GIVEN one finished import and one awaiting its file, and another company's import
    owner, other = sign_up(client), sign_up(client)
    done = _import(client, container, owner, b"phone,name\n11912340001,Ana\n")
    waiting = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "next.csv"}).json()
    client.post("/v1/contacts/imports", headers=other.headers, json={"filename": "theirs.csv"})
    # WHEN the owner lists the imports
    page = client.get("/v1/contacts/imports?limit=1", headers=owner.headers).json()
    rest = client.get(f"/v1/contacts/imports?cursor={page['next_cursor']}", headers=owner.headers).json()
    # THEN they are the company's own, newest first, with their progress
    assert [i["id"] for i in page["items"]] == [waiting["id"]]
    assert [(i["id"], i["status"], i["inserted"]) for i in rest["items"]] == [(done["id"], "completed", 1)]
    assert rest["next_cursor"] is None


def test_chunks_that_share_new_tags_never_wait_on_each_other(client: TestClient, container: Container) -> None:
    """Chunks written two at a time that name the same new tag once deadlocked across the database and the
    worker: a slow chunk (long notes) came to insert the tag that the quick chunk after it had inserted and not
    committed, while the quick one waited in the worker for the slow one to commit first."""
    from masteria.contacts.imports import ImportJob, run_import

    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    chunk, pairs = 100, 6
    lines = []
    for n in range(chunk * 2 * pairs):
        pair, slow = n // (2 * chunk), (n // chunk) % 2 == 0
        notes = "x" * 10_000 if slow else ""
        lines.append(f"1191236{n:04d},N{n},{notes},Pair{pair}|novo|Novo\n")
    data = ("phone,name,notes,tags\n" + "".join(lines)).encode()
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    client.put(f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=data)
    client.post(f"/v1/contacts/imports/{created['id']}/start", headers=owner.headers, json={})
    job = ImportJob(company_id=company, import_id=uuid.UUID(created["id"]))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            run_import(
                db=container.database, store=container.object_store, clock=container.clock, job=job, chunk_rows=chunk
            )
        except BaseException as error:  # reported by the assertion below
            failure.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)  # a safety net: a deadlock would hold the thread for good
    assert not worker.is_alive(), "the import hangs"
    assert failure == []
    done = client.get(f"/v1/contacts/imports/{created['id']}", headers=owner.headers).json()
    rows = chunk * 2 * pairs
    assert (done["status"], done["processed"], done["inserted"]) == ("completed", rows, rows)
    with container.database.tenant(company) as session:
        tags = dict(session.execute(text("SELECT lower(name), count(*) FROM tags GROUP BY 1")).all())
        links = session.execute(text("SELECT count(*) FROM contact_tags")).scalar_one()
    assert len(tags) == pairs + 1 and set(tags.values()) == {1}  # "novo" and "Novo" are one tag
    assert links == rows * 2
