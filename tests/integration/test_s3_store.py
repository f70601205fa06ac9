"""The S3 object store under moto, and a contact import whose file went straight to S3."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws

from masteria.adapters.aws.s3_store import S3Store
from masteria.bootstrap import Container
from masteria.contacts import imports
from masteria.contacts.models import ContactImport
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from tests.api import sign_up


@pytest.fixture
def s3() -> Iterator[S3Store]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="media")
        yield S3Store(client, "media")


def test_put_open_exists_and_presigned_upload(s3: S3Store) -> None:
    assert not s3.exists("a/b.csv")
    assert s3.put("a/b.csv", io.BytesIO(b"phone\n1\n")) == 8
    assert s3.exists("a/b.csv")
    with s3.open("a/b.csv") as stream:
        assert stream.read() == b"phone\n1\n"
    url = s3.upload_url("a/c.csv", expires_seconds=60, max_bytes=100)
    assert url is not None and "a/c.csv" in url and "Signature" in url


def test_an_import_uploaded_to_s3(client: TestClient, container: Container, s3: S3Store) -> None:
    owner = sign_up(client)
    actor = Principal(user_id=uuid.UUID(owner.user_id), company_id=uuid.UUID(owner.company_id), role=Role.OWNER)
    with container.database.tenant(actor.company_id) as session:
        created = imports.create_import(
            session=session, actor=actor, store=s3, data=imports.ImportCreate(filename="c.csv")
        )
    assert created.upload_url is not None
    with container.database.tenant(actor.company_id) as session:
        key = session.get_one(ContactImport, created.id).object_key
    # the bucket's lifecycle rules match on a prefix: an uploaded CSV (phone numbers) expires with imports/
    assert key == f"imports/{actor.company_id}/{created.id}.csv"
    s3.put(key, io.BytesIO(b"Telefone;Nome\n11912345678;Ana\n"))  # the browser's PUT
    with container.database.tenant(actor.company_id) as session:
        inspected = imports.uploaded(session=session, actor=actor, store=s3, import_id=created.id)
        assert (inspected.delimiter, inspected.mapping) == (";", {"Telefone": "phone", "Nome": "name"})
        job = imports.start_import(
            session=session, actor=actor, import_id=created.id, data=imports.ImportStart(), now=container.clock.now()
        )
    imports.run_import(db=container.database, store=s3, clock=container.clock, job=job)
    with container.database.tenant(actor.company_id) as session:
        done = imports.get_import(session=session, actor=actor, import_id=created.id)
    assert (done.status, done.inserted) == ("completed", 1)
