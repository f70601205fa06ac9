"""Knowledge documents through an upload (a file sent straight to storage, the way past an API request's size on
AWS): the upload's URL (the local runtime's own, S3's presigned one under moto), the document that names it, the
refusals (too large, not sent, another base's or company's, an expired link), and files removed with what needed
them (a deleted or replaced document, a deleted knowledge base)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from fastapi.testclient import TestClient
from moto import mock_aws

from masteria.adapters.aws.s3_store import S3Store
from masteria.bootstrap import Container
from masteria.knowledge import files, service
from masteria.knowledge.models import KnowledgeDocument
from masteria.knowledge.schemas import DocumentFromUpload, UploadCreate
from masteria.media import UploadLinks
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from tests.api import Account, invite, run_queue, sign_up

KB = "/v1/knowledge-bases"
FAQ = "# Loja\n\n## Pagamento\nAceitamos Pix e cartão em até 10 vezes.\n".encode()


def _kb(client: TestClient, account: Account, name: str = "FAQ") -> str:
    created = client.post(KB, headers=account.headers, json={"name": name})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _slot(client: TestClient, account: Account, kb_id: str, **body: Any) -> dict[str, Any]:
    fields = {"filename": "faq.md", "content_type": "text/markdown", "size_bytes": len(FAQ), **body}
    created = client.post(f"{KB}/{kb_id}/uploads", headers=account.headers, json=fields)
    assert created.status_code == 201, created.text
    slot: dict[str, Any] = created.json()
    return slot


def _send(client: TestClient, slot: dict[str, Any], data: bytes = FAQ) -> None:
    sent = client.put(slot["upload_url"], content=data, headers={"content-type": "text/markdown"})  # no token
    assert sent.status_code == 204, sent.text


def _stored(container: Container, account: Account, document_id: str) -> str:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        key = session.get_one(KnowledgeDocument, uuid.UUID(document_id)).object_key
    assert key is not None
    return key


def test_a_file_sent_to_an_upload_becomes_a_searchable_document_and_the_upload_goes(
    client: TestClient, container: Container
) -> None:
    # GIVEN an owner's knowledge base
    owner = sign_up(client)
    kb_id = _kb(client, owner)
    # WHEN they ask for an upload THEN it is the local runtime's own URL, good for an hour, up to 50 MB
    slot = _slot(client, owner, kb_id)
    assert slot["upload_url"].startswith("http://testserver/v1/uploads/") and slot["method"] == "PUT"
    assert slot["max_bytes"] == 50 * 1024 * 1024
    assert slot["upload_key"].startswith(f"uploads/knowledge/{owner.company_id}/{kb_id}/")
    # WHEN the file is sent there and named on a document
    _send(client, slot)
    body = {"upload_key": slot["upload_key"], "filename": "faq.md", "title": "Perguntas"}
    created = client.post(f"{KB}/{kb_id}/documents", headers=owner.headers, json=body)
    assert created.status_code == 201, created.text
    document = created.json()
    assert (document["title"], document["format"], document["size_bytes"]) == ("Perguntas", "markdown", len(FAQ))
    assert (document["filename"], document["status"]) == ("faq.md", "queued")
    # THEN it is ingested like any upload, its file kept as the document's, the upload itself removed
    run_queue(container, "knowledge_ingester")
    read = client.get(f"{KB}/{kb_id}/documents/{document['id']}", headers=owner.headers).json()
    assert (read["status"], read["chunk_count"]) == ("ready", 1)
    key = _stored(container, owner, document["id"])
    assert key == f"knowledge/{owner.company_id}/{document['id']}.1"
    with container.object_store.open(key) as stored:
        assert stored.read() == FAQ
    assert not container.object_store.exists(slot["upload_key"])
    found = client.post(f"{KB}/{kb_id}/search", headers=owner.headers, json={"question": "Aceitam Pix?"}).json()
    assert found["passages"][0]["document_id"] == document["id"]
    # AND the same upload named again is refused: there is nothing left under its key
    again = client.post(f"{KB}/{kb_id}/documents", headers=owner.headers, json=body)
    assert (again.status_code, again.json()["errors"][0]["code"]) == (422, "upload_missing")


def test_uploads_refused_with_a_clear_error(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, other = sign_up(client), sign_up(client)
    kb_id, second = _kb(client, owner), _kb(client, owner, "Outra")
    url = f"{KB}/{kb_id}/uploads"
    # larger than 50 MB, a kind of file we do not read, an agent, another company's knowledge base
    big = client.post(url, headers=owner.headers, json={"filename": "a.pdf", "size_bytes": 50 * 1024 * 1024 + 1})
    assert big.status_code == 422
    assert (big.json()["errors"][0]["field"], big.json()["errors"][0]["code"]) == ("size_bytes", "file_too_large")
    sheet = client.post(url, headers=owner.headers, json={"filename": "a.xlsx", "size_bytes": 10})
    assert (sheet.status_code, sheet.json()["code"]) == (415, "unsupported_format")
    agent = invite(client, owner, role="agent")
    assert client.post(url, headers=agent.headers, json={"filename": "a.md", "size_bytes": 1}).status_code == 403
    foreign = client.post(f"{KB}/{kb_id}/uploads", headers=other.headers, json={"filename": "a.md", "size_bytes": 1})
    assert foreign.status_code == 404
    # a document naming: an upload never sent, one of another base, one of another company, a made-up key
    documents = f"{KB}/{kb_id}/documents"
    unsent = _slot(client, owner, kb_id)
    elsewhere = _slot(client, owner, second)
    _send(client, elsewhere)
    theirs = _slot(client, other, _kb(client, other))
    _send(client, theirs)
    for key, code in (
        (unsent["upload_key"], "upload_missing"),
        (elsewhere["upload_key"], "unknown_upload"),
        (theirs["upload_key"], "unknown_upload"),
        (f"uploads/knowledge/{owner.company_id}/{kb_id}/../../../etc", "unknown_upload"),
        (f"knowledge/{owner.company_id}/x", "unknown_upload"),
    ):
        refused = client.post(documents, headers=owner.headers, json={"upload_key": key, "filename": "a.md"})
        assert refused.status_code == 422, (key, refused.text)
        assert (refused.json()["errors"][0]["field"], refused.json()["errors"][0]["code"]) == ("upload_key", code)
    # a file over the limit: refused by the local upload URL itself, and by the document if it got there anyway
    monkeypatch.setattr(files, "MAX_STORED_BYTES", 1024)
    small = _slot(client, owner, kb_id, size_bytes=100)
    over = client.put(small["upload_url"], content=b"a" * 2048)
    assert (over.status_code, over.json()["errors"][0]["code"]) == (422, "file_too_large")
    container.object_store.put(small["upload_key"], io.BytesIO(b"a" * 2048))
    oversized = client.post(
        documents, headers=owner.headers, json={"upload_key": small["upload_key"], "filename": "a.md"}
    )
    assert (oversized.status_code, oversized.json()["errors"][0]["code"]) == (422, "file_too_large")
    # an upload link that was tampered with is a 404, like an expired one; unknown fields are refused
    tampered = small["upload_url"][:-3] + ("AAA" if not small["upload_url"].endswith("AAA") else "BBB")
    assert client.put(tampered, content=b"x").status_code == 404
    extra = client.post(documents, headers=owner.headers, json={"upload_key": "k", "filename": "a.md", "size": 1})
    assert extra.status_code == 422
    # nothing was created
    assert client.get(documents, headers=owner.headers).json()["items"] == []


def test_deleting_a_document_a_base_or_replacing_a_file_removes_the_files_no_longer_needed(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    kb_id = _kb(client, owner)
    documents = f"{KB}/{kb_id}/documents"

    def upload(name: str) -> str:
        created = client.post(documents, headers=owner.headers, files={"file": (name, FAQ, "text/markdown")})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    kept, deleted = upload("a.md"), upload("b.md")
    run_queue(container, "knowledge_ingester")
    store = container.object_store
    kept_v1, deleted_key = _stored(container, owner, kept), _stored(container, owner, deleted)
    assert store.exists(kept_v1) and store.exists(deleted_key)
    # WHEN a document is deleted THEN its file goes once that commits (its job), the other document's stays
    assert client.delete(f"{documents}/{deleted}", headers=owner.headers).status_code == 204
    assert store.exists(deleted_key)  # not before its job
    run_queue(container, "knowledge_ingester")
    assert not store.exists(deleted_key) and store.exists(kept_v1)
    # WHEN a document gets a new file (through an upload) THEN the new one is kept under its own key, the old goes
    slot = _slot(client, owner, kb_id)
    _send(client, slot, FAQ + b"\n## Entrega\nEm todo o Brasil.\n")
    body = {"upload_key": slot["upload_key"], "filename": "faq.md"}
    replaced = client.put(f"{documents}/{kept}", headers=owner.headers, json=body)
    assert (replaced.status_code, replaced.json()["version"]) == (202, 2), replaced.text
    run_queue(container, "knowledge_ingester")
    kept_v2 = _stored(container, owner, kept)
    assert kept_v2 != kept_v1 and store.exists(kept_v2)
    assert not store.exists(kept_v1) and not store.exists(slot["upload_key"])
    assert client.get(f"{documents}/{kept}", headers=owner.headers).json()["chunk_count"] == 2
    # WHEN the knowledge base is deleted THEN its documents' files go too
    assert client.delete(f"{KB}/{kb_id}", headers=owner.headers).status_code == 204
    run_queue(container, "knowledge_ingester")
    assert not store.exists(kept_v2)


def test_a_deletion_job_removes_only_its_own_companys_knowledge_files() -> None:
    from masteria.adapters.memory.object_store import MemoryStore

    store, company, other = MemoryStore(), uuid.uuid4(), uuid.uuid4()
    keys = [f"knowledge/{company}/d.1", f"uploads/knowledge/{company}/k/u", f"knowledge/{other}/d.1", "imports/x.csv"]
    for key in keys:
        store.put(key, io.BytesIO(b"x"))
    job = files.DeleteFilesJob(company_id=company, keys=keys)
    assert files.run_deletion(store=store, job=job) == 2
    assert sorted(store.objects) == sorted(keys[2:])
    assert files.run_deletion(store=store, job=job) == 2  # again (a redelivery): nothing left, no error


@pytest.fixture
def s3() -> Iterator[S3Store]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="media")
        yield S3Store(client, "media")


def test_on_s3_the_upload_is_a_presigned_put_and_the_document_copies_it(
    client: TestClient, container: Container, s3: S3Store
) -> None:
    owner = sign_up(client)
    kb_id = uuid.UUID(_kb(client, owner))
    actor = Principal(user_id=uuid.UUID(owner.user_id), company_id=uuid.UUID(owner.company_id), role=Role.OWNER)
    links = UploadLinks(s3, "s" * 32, container.clock)
    with container.database.tenant(actor.company_id) as session:
        slot = service.start_upload(
            session=session,
            actor=actor,
            links=links,
            knowledge_base_id=kb_id,
            data=UploadCreate(filename="faq.md", size_bytes=len(FAQ)),
        )
    # the browser's PUT, straight to S3 (no Authorization header: the URL is signed)
    assert slot.upload_url.startswith("https://") and "Signature" in slot.upload_url
    assert requests.put(slot.upload_url, data=FAQ, timeout=10).status_code == 200
    assert s3.size(slot.upload_key) == len(FAQ)
    with container.database.tenant(actor.company_id) as session:
        document = service.upload_document(
            session=session,
            actor=actor,
            store=s3,
            knowledge_base_id=kb_id,
            file=DocumentFromUpload(upload_key=slot.upload_key, filename="faq.md"),
            now=container.clock.now(),
        )
        key = session.get_one(KnowledgeDocument, document.id).object_key
    assert key is not None and s3.size(key) == len(FAQ)
    s3.delete(slot.upload_key)
    assert s3.size(slot.upload_key) is None and not s3.exists(slot.upload_key)
    s3.delete(slot.upload_key)  # already gone: no error


def test_presigned_urls_are_on_the_buckets_regional_host_which_the_dashboards_csp_allows() -> None:
    with mock_aws():
        for region in ("us-east-1", "sa-east-1"):
            url = S3Store.from_region(region, "media").upload_url("uploads/x", expires_seconds=60, max_bytes=1)
            assert url is not None and url.startswith(f"https://media.s3.{region}.amazonaws.com/uploads/x?"), url
