"""The key services behind per-company data keys: KMS (under moto) and the local master key, one contract.
Plus the data key store: created once per company, cached, and shared by concurrent first uses."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws
from sqlalchemy import Engine, text

from masteria.adapters.aws.kms_keys import KmsKeyService
from masteria.adapters.local.local_keys import LocalKeyService
from masteria.bootstrap import Container
from masteria.crypto import CompanyKeys, SecretUnreadable
from masteria.ports import KeyService
from tests.api import sign_up
from tests.e2e.waits import eventually


@pytest.fixture(params=["kms", "local"])
def keys(request: pytest.FixtureRequest) -> Iterator[KeyService]:
    if request.param == "local":
        yield LocalKeyService(bytes(range(32)))
        return
    with mock_aws():
        client = boto3.client("kms", region_name="us-east-1")
        key_id = client.create_key(Description="masteria data keys")["KeyMetadata"]["KeyId"]
        yield KmsKeyService(client, key_id)


def test_a_data_key_unwraps_for_its_company_only(keys: KeyService) -> None:
    company, other = uuid.uuid4(), uuid.uuid4()
    plaintext, wrapped = keys.generate_data_key(company)
    assert len(plaintext) == 32 and plaintext not in wrapped
    assert keys.decrypt_data_key(company, wrapped) == plaintext
    with pytest.raises(SecretUnreadable):
        keys.decrypt_data_key(other, wrapped)
    assert keys.generate_data_key(company)[0] != plaintext  # a fresh key each time
    if isinstance(keys, LocalKeyService):  # (moto answers a garbage blob with AccessDenied, not a KMS code)
        with pytest.raises(SecretUnreadable):
            keys.decrypt_data_key(company, b"short")


class _Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 25, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class _Counting:
    def __init__(self, inner: KeyService) -> None:
        self.inner, self.unwraps, self.generated = inner, 0, 0

    def generate_data_key(self, company_id: uuid.UUID) -> tuple[bytes, bytes]:
        self.generated += 1
        return self.inner.generate_data_key(company_id)

    def decrypt_data_key(self, company_id: uuid.UUID, wrapped: bytes) -> bytes:
        self.unwraps += 1
        return self.inner.decrypt_data_key(company_id, wrapped)


def test_company_keys_are_stored_wrapped_and_cached_for_a_while(container: Container, client: TestClient) -> None:
    company = uuid.UUID(sign_up(client).company_id)
    counting, clock = _Counting(LocalKeyService(bytes(range(32)))), _Clock()
    store = CompanyKeys(counting, clock, ttl=timedelta(minutes=5))
    with container.database.tenant(company) as session:
        key = store.key(session, company)
        wrapped = session.execute(text("SELECT wrapped_key FROM company_keys")).scalar_one()
    assert key not in bytes(wrapped) and counting.generated == 1
    with container.database.tenant(company) as session:
        assert store.key(session, company) == key and counting.unwraps == 0  # cached
        clock.at += timedelta(minutes=6)
        assert store.key(session, company) == key and counting.unwraps == 1  # expired: unwrapped again
    # another process (another cache) reads the same key; a second store never generates a new one
    fresh = CompanyKeys(counting, clock)
    with container.database.tenant(company) as session:
        assert fresh.key(session, company) == key and counting.generated == 1


def _lock_waits(engine: Engine) -> int:
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
        return int(count.scalar_one())


def test_concurrent_first_uses_end_with_one_key(container: Container, client: TestClient, owner_engine: Engine) -> None:
    company = uuid.UUID(sign_up(client).company_id)
    service = LocalKeyService(bytes(range(32)))
    first, second = CompanyKeys(service, _Clock()), CompanyKeys(service, _Clock())
    seen: dict[str, bytes] = {}

    def other_process() -> None:
        with container.database.tenant(company) as session:
            seen["second"] = second.key(session, company)  # waits for the first insert to commit

    with container.database.tenant(company) as session:
        seen["first"] = first.key(session, company)
        racer = threading.Thread(target=other_process)
        racer.start()
        eventually(lambda: _lock_waits(owner_engine))  # the racer is now blocked on our uncommitted row
    racer.join(timeout=10)
    assert seen["first"] == seen["second"]
    with container.database.tenant(company) as session:
        assert session.execute(text("SELECT count(*) FROM company_keys")).scalar_one() == 1
