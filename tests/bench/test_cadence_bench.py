"""Cadence sending benchmarks on the local runtime, with the sandbox on loopback (each its own process): enrollments
whose first step falls due in the same minute on one 80/s number (the busiest second at the sandbox, duplicates,
lost steps), a reply mid-cadence stopping the next step, and a worker killed mid-run. Counted at the sandbox and
on the send ledger.

``BENCH_CADENCE_ENROLLMENTS`` (default 100,000: about 21 minutes at 80/s), ``BENCH_CADENCE_REPLY_SAMPLE`` (1,000
contacts that reply, as many that do not) and ``BENCH_CADENCE_KILL_ENROLLMENTS`` (3,000) make them smaller (a quick
run) or larger."""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from masteria.bootstrap import DatabaseUrls
from tests.bench.results import report
from tests.bench.test_campaign_bench import BODY, Runtime, _free_port, _wait
from tests.conftest import truncate_all

RATE = 80  # a STANDARD number's messages per second
ENROLLMENTS = int(os.environ.get("BENCH_CADENCE_ENROLLMENTS", "100000"))
REPLY_SAMPLE = int(os.environ.get("BENCH_CADENCE_REPLY_SAMPLE", "1000"))
KILL_ENROLLMENTS = int(os.environ.get("BENCH_CADENCE_KILL_ENROLLMENTS", "3000"))
STATUSES = {"delay_seconds": 0.05, "status_batch": 200, "delivered_probability": 0.0}
FINAL = ("sent", "delivered", "read", "failed", "skipped")


@pytest.fixture
def runtime(database_urls: DatabaseUrls, owner_engine: Engine, tmp_path: Path) -> Iterator[Runtime]:
    truncate_all(owner_engine)
    instance = Runtime(database_urls, tmp_path, _free_port(), _free_port())
    try:
        instance.start_sandbox()
        instance.start_dev()
        yield instance
    finally:
        instance.stop()


@dataclass
class Scenario:
    """A company with a STANDARD (80/s) sandbox number, an approved template and its contacts in one segment."""

    runtime: Runtime
    engine: Engine
    api: httpx.Client
    company_id: str
    number_id: str
    connection_id: str
    template_id: str
    segment_id: str
    phones: list[str]  # E.164 digits, as the sandbox sees them

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.runtime.sandbox_base}/numbers/{self.number_id}/stats").json()
        return result

    def outbox(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = httpx.get(
            f"{self.runtime.sandbox_base}/numbers/{self.number_id}/outbox", timeout=60
        ).json()
        return [body for body in result if body.get("status") != "read"]  # the messages, not read receipts

    def sql(self, query: str, **params: Any) -> list[Any]:
        """The ledger as it is (the owner role, in the company: the tables FORCE row-level security)."""
        with self.engine.begin() as connection:
            connection.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": self.company_id})
            return list(connection.execute(text(query), params))

    def sends(self, cadence_id: str) -> Counter[str]:
        rows = self.sql(
            "SELECT status, count(*) FROM cadence_sends WHERE cadence_id = :c GROUP BY status", c=cadence_id
        )
        return Counter({status: int(n) for status, n in rows})

    def cadence(self, steps: list[dict[str, Any]]) -> str:
        """An active cadence of ``steps`` on the number, its segment's contacts enrolled now."""
        created = self.api.post(
            "/v1/cadences",
            json={"name": f"Bench {uuid.uuid4().hex[:6]}", "connection_id": self.connection_id, "steps": steps},
        )
        assert created.status_code == 201, created.text
        cadence_id = str(created.json()["id"])
        activated = self.api.post(f"/v1/cadences/{cadence_id}/activate", json={})
        assert activated.status_code == 200, activated.text
        enrolled = self.api.post(f"/v1/cadences/{cadence_id}/enrollments/bulk", json={"segment_id": self.segment_id})
        assert enrolled.status_code == 200, enrolled.text
        assert enrolled.json()["enrolled"] == len(self.phones), enrolled.text
        return cadence_id

    def wait_final(self, cadence_id: str, count: int, timeout: float) -> Counter[str]:
        """Until ``count`` sends of the cadence are final (sent, delivered, read, failed or skipped)."""
        try:
            _wait(lambda: sum(self.sends(cadence_id)[s] for s in FINAL) >= count, timeout, "the sends", every=2)
        except AssertionError:
            print(f"\nnot final: {self.sends(cadence_id)}\nsandbox: {self.stats()}")
            raise
        return self.sends(cadence_id)

    def step(self, index: int = 0) -> dict[str, Any]:
        return {
            "kind": "send_template",
            "template_id": self.template_id,
            "parameters": {"body.1": "contact.first_name"},
            "defaults": {"body.1": f"cliente {index}"},
        }


def _scenario(runtime: Runtime, engine: Engine, contacts: int, settings: dict[str, Any]) -> Scenario:
    api = httpx.Client(base_url=runtime.base, timeout=900)
    n = uuid.uuid4().hex[:8]
    signed = api.post(
        "/v1/auth/signup",
        json={"company_name": f"Cadence bench {n}", "name": "Bench", "email": f"cadence-bench-{n}@example.com",
              "password": "correct horse battery"},
    )  # fmt: skip
    assert signed.status_code == 201, signed.text
    api.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"
    company_id = api.get("/v1/me").json()["company"]["id"]
    number_id, waba_id, token = str(10**14 + int(n, 16) % 10**13), str(10**14 + 9), f"bench-token-{n}"
    setup = {"waba_id": waba_id, "token": token, "app_secret": f"secret-{n}", "throughput_level": "STANDARD"}
    assert httpx.put(f"{runtime.sandbox_base}/numbers/{number_id}", json=setup).status_code == 200
    connection = api.post(
        "/v1/connections",
        json={"name": "Bench", "phone_number_id": number_id, "waba_id": waba_id, "access_token": token,
              "app_secret": f"secret-{n}"},
    )  # fmt: skip
    assert connection.status_code == 201, connection.text
    setup["webhook_url"] = connection.json()["webhook_url"].replace("http://127.0.0.1:8000", runtime.base)
    assert httpx.put(f"{runtime.sandbox_base}/numbers/{number_id}", json=setup).status_code == 200
    assert httpx.put(f"{runtime.sandbox_base}/settings", json={"delay_seconds": 0.05}).status_code == 200
    template = api.post(
        f"/v1/connections/{connection.json()['id']}/templates",
        json={"name": f"cadencia_{n}", "language": "pt_BR", "category": "MARKETING", "components": [BODY]},
    )
    assert template.status_code == 201, template.text
    template_url = f"/v1/whatsapp-templates/{template.json()['id']}"
    _wait(lambda: api.get(template_url).json()["status"] == "APPROVED", 30, "the template")
    phones = [f"55119{10_000_000 + i * 3}" for i in range(contacts)]
    lines = "".join(f"+{phone},Cliente {i}\n" for i, phone in enumerate(phones))
    created = api.post("/v1/contacts/imports", json={"filename": "bench.csv"}).json()
    api.put(f"/v1/contacts/imports/{created['id']}/file", content=f"phone,name\n{lines}".encode())
    api.post(f"/v1/contacts/imports/{created['id']}/start", json={})
    _wait(lambda: api.get(f"/v1/contacts/imports/{created['id']}").json()["status"] == "completed", 600, "the import")
    segment = api.post("/v1/segments", json={"name": "everyone", "filter": {}})
    assert segment.status_code == 201, segment.text
    assert httpx.put(f"{runtime.sandbox_base}/settings", json={"delay_seconds": 0.05, **settings}).status_code == 200
    return Scenario(
        runtime, engine, api, company_id, number_id, connection.json()["id"], template.json()["id"],
        segment.json()["id"], phones,
    )  # fmt: skip


def _unaccounted(scenario: Scenario, cadence_id: str, at_sandbox: int) -> int:
    """Enrollments whose first step neither reached the sandbox nor was failed or skipped with a reason, or has
    no outcome in its history."""
    counts = scenario.sends(cadence_id)
    never_sent = len(scenario.phones) - at_sandbox
    (without_history,) = scenario.sql(
        "SELECT count(*) FROM cadence_enrollments e WHERE e.cadence_id = :c AND NOT EXISTS ("
        " SELECT 1 FROM cadence_enrollment_steps h WHERE h.enrollment_id = e.id AND h.step_index = 0)",
        c=cadence_id,
    )
    return max(never_sent - counts["failed"] - counts["skipped"], 0) + int(without_history[0])


@pytest.mark.bench
@pytest.mark.timeout(int(ENROLLMENTS / RATE * 1.5 + 1800))  # the import of the contacts, then their sends
def test_cadence_first_steps_due_in_one_minute_on_one_number(runtime: Runtime, owner_engine: Engine) -> None:
    scenario = _scenario(runtime, owner_engine, ENROLLMENTS, STATUSES)
    started = time.perf_counter()
    # the first step for everyone now; the second a day later (never due during the run)
    cadence_id = scenario.cadence([scenario.step(0), {"kind": "wait", "duration_seconds": 86400}, scenario.step(1)])
    counts = scenario.wait_final(cadence_id, ENROLLMENTS, ENROLLMENTS / RATE * 1.5 + 300)
    elapsed = time.perf_counter() - started
    stats = scenario.stats()
    lost = _unaccounted(scenario, cadence_id, stats["recipients"])
    print(f"\nledger: {dict(counts)}\nsandbox: {stats}, {elapsed:.1f} s")
    report("cadence_first_step_max_per_second", stats["max_per_second"], "msg", f"<= {RATE}")
    report("cadence_first_step_mean_per_second", stats["mean_per_second"], "msg/s")
    report("cadence_first_step_duplicates", stats["duplicates"], "messages", "== 0")
    report("cadence_first_step_lost", lost, "enrollments", "== 0")
    report("cadence_first_step_seconds", elapsed, "s", f"~ {ENROLLMENTS / RATE:.0f} at {RATE}/s")
    assert stats["max_per_second"] <= RATE and stats["duplicates"] == 0 and lost == 0


@pytest.mark.bench
@pytest.mark.timeout(int(4 * REPLY_SAMPLE / RATE + 1200))
def test_a_reply_mid_cadence_stops_the_next_step(runtime: Runtime, owner_engine: Engine) -> None:
    """``REPLY_SAMPLE`` contacts reply once their first step reaches them; as many others do not. The second step
    (a minute after the first) reaches every one of the others and none of those who replied."""
    scenario = _scenario(runtime, owner_engine, 2 * REPLY_SAMPLE, STATUSES)
    sample = set(scenario.phones[::2])
    cadence_id = scenario.cadence([scenario.step(0), {"kind": "wait", "duration_seconds": 60}, scenario.step(1)])
    replied: set[str] = set()
    ends = time.monotonic() + 2 * REPLY_SAMPLE / RATE + 300
    with httpx.Client(base_url=runtime.sandbox_base, timeout=30) as sandbox:
        while len(replied) < len(sample):  # each sampled contact answers as soon as the first step reaches them
            assert time.monotonic() < ends, f"only {len(replied)} replied"
            reached = {str(body["to"]) for body in scenario.outbox()} & sample
            for phone in sorted(reached - replied):
                answered = sandbox.post(f"/numbers/{scenario.number_id}/inbound", json={"from": phone, "text": "Oi"})
                assert answered.status_code == 200, answered.text
                replied.add(phone)
            time.sleep(0.5)
    # every enrollment ends: the others after their second step, those who replied by their reply
    _wait(
        lambda: (
            not scenario.sql(
                "SELECT 1 FROM cadence_enrollments WHERE cadence_id = :c AND state IN ('active', 'sending') LIMIT 1",
                c=cadence_id,
            )
        ),
        2 * REPLY_SAMPLE / RATE + 600,
        "every enrollment to end",
        every=2,
    )
    received = Counter(str(body["to"]) for body in scenario.outbox())
    stopped = sum(1 for phone in sample if received[phone] == 1)
    control = sum(1 for phone in set(scenario.phones) - sample if received[phone] == 2)
    exits = dict(
        scenario.sql(
            "SELECT exit_reason, count(*) FROM cadence_enrollments WHERE cadence_id = :c GROUP BY exit_reason",
            c=cadence_id,
        )
    )
    print(f"\nexits: {exits}; sandbox: {scenario.stats()}")
    report("cadence_reply_stop_rate", 100 * stopped / len(sample), "%", "== 100")
    report("cadence_reply_control_second_step_rate", 100 * control / (len(scenario.phones) - len(sample)), "%",
           "== 100")  # fmt: skip
    assert stopped == len(sample), f"{len(sample) - stopped} replied contacts got the next step"
    assert control == len(scenario.phones) - len(sample), "contacts that did not reply missed their next step"


@pytest.mark.bench
@pytest.mark.timeout(int(KILL_ENROLLMENTS / RATE * 2 + 1500))
def test_cadence_sending_with_a_killed_worker(runtime: Runtime, owner_engine: Engine) -> None:
    chaos = {**STATUSES, "transient_error_rate": 0.05, "timeout_rate": 0.01, "hang_seconds": 12}
    scenario = _scenario(runtime, owner_engine, KILL_ENROLLMENTS, chaos)
    cadence_id = scenario.cadence([scenario.step(0)])
    _wait(lambda: scenario.stats()["messages"] >= KILL_ENROLLMENTS // 3, 600, "a third sent")
    runtime.kill_dev()  # mid-run: the sender, its claims and answers in flight die with it
    killed_at = scenario.stats()["messages"]
    runtime.start_dev()
    counts = scenario.wait_final(cadence_id, KILL_ENROLLMENTS, KILL_ENROLLMENTS / RATE * 2 + 600)
    stats = scenario.stats()
    unaccounted = _unaccounted(scenario, cadence_id, stats["recipients"])
    print(f"\nkilled after {killed_at} messages; ledger: {dict(counts)}; sandbox: {stats}")
    report("cadence_killed_worker_duplicates", stats["duplicates"], "messages", "== 0")
    report("cadence_killed_worker_unaccounted", unaccounted, "steps", "== 0")
    report("cadence_killed_worker_claimed_unsent", KILL_ENROLLMENTS - stats["recipients"], "steps")
    assert stats["duplicates"] == 0, f"{stats['duplicates']} messages sent twice"
    assert unaccounted == 0, f"{unaccounted} steps neither sent nor failed with a reason"
