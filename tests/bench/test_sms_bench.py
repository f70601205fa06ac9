"""SMS campaign benchmark on the local runtime with the SMS sandbox on loopback (its own process, as
``masteria sandbox`` runs it): 10,000 recipients at 50 messages per second from one origination number, counted at
the sandbox: the busiest second stays within 50, and no recipient gets the message twice.

``SMS_BENCH_RECIPIENTS`` makes it smaller (a quick run) or larger."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from masteria.bootstrap import DatabaseUrls
from tests.bench.results import report
from tests.bench.test_campaign_bench import Runtime, _free_port, _wait
from tests.conftest import truncate_all

RATE = 50
RECIPIENTS = int(os.environ.get("SMS_BENCH_RECIPIENTS", "10000"))
TOPIC = "arn:aws:sns:us-east-1:123456789012:masteria-sms-bench"


class SmsRuntime(Runtime):
    """The campaign bench's runtime, its SMS going to the sandbox process (whose certificate it trusts)."""

    def _env(self) -> dict[str, str]:
        sms = f"{self.sandbox_base}/sms"
        return {**super()._env(), "SMS_ENDPOINT_URL": sms, "SNS_TRUSTED_CERT_BASE": f"{sms}/"}


@pytest.fixture
def runtime(database_urls: DatabaseUrls, owner_engine: Engine, tmp_path: Path) -> Iterator[SmsRuntime]:
    truncate_all(owner_engine)
    instance = SmsRuntime(database_urls, tmp_path, _free_port(), _free_port())
    try:
        instance.start_sandbox()
        instance.start_dev()
        yield instance
    finally:
        instance.stop()


def _campaign(runtime: SmsRuntime, recipients: int) -> tuple[dict[str, str], str, str]:
    """A company with an SMS connection at ``RATE`` messages per second on the sandbox, a text template and
    ``recipients`` contacts; its campaign's id and the origination number."""
    api = httpx.Client(base_url=runtime.base, timeout=60)
    n = uuid.uuid4().hex[:8]
    signed = api.post(
        "/v1/auth/signup",
        json={"company_name": f"SMS bench {n}", "name": "Bench", "email": f"sms-bench-{n}@example.com",
              "password": "correct horse battery"},
    )  # fmt: skip
    assert signed.status_code == 201, signed.text
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    origination = f"+55119{int(n, 16) % 10**8:08d}"
    connection = api.post(
        "/v1/connections",
        headers=headers,
        json={"provider": "sms_aws", "name": "SMS bench", "origination": origination, "inbound_topic_arn": TOPIC,
              "messages_per_second": RATE},
    )  # fmt: skip
    assert connection.status_code == 201, connection.text
    webhook_url = connection.json()["webhook_url"].replace("http://127.0.0.1:8000", runtime.base)
    sms = f"{runtime.sandbox_base}/sms"
    registered = httpx.put(f"{sms}/numbers/{origination}", json={"webhook_url": webhook_url, "topic_arn": TOPIC})
    assert registered.status_code == 200, registered.text
    assert httpx.put(f"{sms}/settings", json={"delay_seconds": 0.05}).status_code == 200
    template = api.post(
        "/v1/templates", headers=headers, json={"name": "Oferta", "body": "Oi {{first_name}}, a oferta chegou!"}
    )
    assert template.status_code == 201, template.text
    lines = "".join(f"+55319{10_000_000 + i * 3},Cliente {i}\n" for i in range(recipients))
    created = api.post("/v1/contacts/imports", headers=headers, json={"filename": "bench.csv"}).json()
    api.put(f"/v1/contacts/imports/{created['id']}/file", headers=headers, content=f"phone,name\n{lines}".encode())
    api.post(f"/v1/contacts/imports/{created['id']}/start", headers=headers, json={})
    _wait(
        lambda: api.get(f"/v1/contacts/imports/{created['id']}", headers=headers).json()["status"] == "completed",
        300,
        "the import",
    )
    segment = api.post("/v1/segments", headers=headers, json={"name": "everyone", "filter": {}})
    campaign = api.post(
        "/v1/campaigns",
        headers=headers,
        json={"name": "SMS bench", "connection_id": connection.json()["id"], "local_template_id": template.json()["id"],
              "audience": {"segment_ids": [segment.json()["id"]]}, "rate_per_second": RATE},
    )  # fmt: skip
    assert campaign.status_code == 201, campaign.text
    return headers, campaign.json()["id"], origination


@pytest.mark.bench
def test_sms_campaign_paced_at_50_per_second_without_duplicates(runtime: SmsRuntime) -> None:
    headers, campaign_id, origination = _campaign(runtime, RECIPIENTS)
    progress_url = f"{runtime.base}/v1/campaigns/{campaign_id}/progress"
    started = time.perf_counter()
    scheduled = httpx.post(f"{runtime.base}/v1/campaigns/{campaign_id}/schedule", headers=headers, json={})
    assert scheduled.status_code == 200, scheduled.text

    def completed() -> dict[str, Any] | None:
        progress: dict[str, Any] = httpx.get(progress_url, headers=headers).json()
        return progress if progress["status"] == "completed" else None

    progress = _wait(completed, RECIPIENTS / RATE * 3 + 120, "the SMS campaign", every=0.5)
    elapsed = time.perf_counter() - started
    stats: dict[str, Any] = httpx.get(f"{runtime.sandbox_base}/sms/numbers/{origination}/stats").json()
    print(f"\nledger: {progress}\nsandbox: {stats}, {elapsed:.1f} s")
    assert progress["total"] == RECIPIENTS and progress["sent"] == stats["recipients"] == RECIPIENTS
    assert stats["duplicates"] == 0
    assert stats["max_per_second"] <= RATE
    report("sms_campaign_max_per_second", stats["max_per_second"], "msg/s", f"<= {RATE}")
    report("sms_campaign_mean_per_second", stats["mean_per_second"], "msg/s", f"close to {RATE}")
    report("sms_campaign_duplicates", stats["duplicates"], "messages", "0")
