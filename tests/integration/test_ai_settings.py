"""A company's AI settings on the real database: the sealed, write-only key, the base URL's checks, which endpoint
and model answer (``chat_model_for``), the endpoint check against a refusing server, usage and the month's spend
in the company's timezone, and the monthly budget that stops replies (one notification a month, however many
callers find it spent at once)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError

from masteria.ai import endpoints
from masteria.ai.models import AiSettings, AiUsage, PersonaVersion
from masteria.ai.shapes import ChatRequest, Usage, UserMessage
from masteria.ai.usage_records import BUDGET_SPENT, budget_allows, month_spend, record_usage
from masteria.bootstrap import Container
from masteria.notifications.models import Notification
from tests.ai_sandbox import SANDBOX_URL, use_ai_sandbox
from tests.api import Account, invite, sign_up

PUBLIC = "https://93.184.215.14/v1"  # a literal public address: no DNS needed to check it
KEY = "sk-company-secret-0123456789abcdef"
PLATFORM_KEY = "sk-platform-secret-fedcba9876543210"


def _completion(model: str = "gpt-4.1-mini") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "OK"}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
    }  # fmt: skip


class Endpoint:
    """A company's OpenAI-compatible server, at the edge: answers ``status`` (or raises ``error``), records what
    it was sent."""

    def __init__(self, status: int = 200, error: Exception | None = None) -> None:
        self.status, self.error = status, error
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self.error is not None:
            raise self.error
        if self.status == 200:
            return httpx.Response(200, json=_completion())
        body = {"error": {"message": f"Incorrect API key provided: {KEY[:8]}…", "type": "invalid_request_error",
                          "param": None, "code": "invalid_api_key"}}  # fmt: skip
        return httpx.Response(self.status, json=body)


def _company_endpoint(container: Container, server: Endpoint) -> None:
    container.ai_http = httpx.Client(transport=httpx.MockTransport(server))
    container.settings = container.settings.model_copy(update={"ai_max_retries": 0})


def _put(client: TestClient, account: Account, **body: Any) -> Any:
    return client.put("/v1/ai/settings", headers=account.headers, json=body)


def test_the_key_is_sealed_and_never_shown(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    saved = _put(client, owner, base_url=PUBLIC, chat_model="gpt-4.1-mini", api_key=KEY, monthly_budget_usd="25.50")
    assert saved.status_code == 200, saved.text
    assert KEY not in saved.text
    body = client.get("/v1/ai/settings", headers=owner.headers).json()
    assert KEY not in json.dumps(body)
    assert (body["api_key_hint"], body["has_api_key"], body["base_url"]) == ("cdef", True, PUBLIC)
    assert (body["chat_model"], body["monthly_budget_usd"], body["uses_platform_endpoint"]) == (
        "gpt-4.1-mini", "25.50", False,
    )  # fmt: skip
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        stored = session.execute(text("SELECT api_key FROM ai_settings")).scalar_one()
    assert KEY.encode() not in bytes(stored) and b"0123456789abcdef" not in bytes(stored)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        row = session.get_one(AiSettings, uuid.UUID(owner.company_id))
        assert endpoints.company_key(session, container, row) == KEY
    # a field left out keeps its value; null clears it
    assert _put(client, owner, chat_model="gpt-4o").json()["api_key_hint"] == "cdef"
    cleared = _put(client, owner, api_key=None, base_url=None).json()
    assert (cleared["has_api_key"], cleared["api_key_hint"], cleared["uses_platform_endpoint"]) == (False, None, True)
    # another company sees its own (empty) settings
    assert client.get("/v1/ai/settings", headers=sign_up(client).headers).json()["chat_model"] is None


def test_a_base_url_must_be_safe(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    for url in ("ftp://93.184.215.14/v1", "https://127.0.0.1/v1", "https://169.254.169.254/latest",
                "https://10.1.2.3/v1", "https://user:pw@93.184.215.14/v1", "not a url", "https://exa mple.com/v1",
                "https://[::1/v1", "https://[::1]/v1", "https://0x7f000001/v1"):  # fmt: skip
        refused = _put(client, owner, base_url=url)
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["errors"][0]["field"] == "base_url", url
        assert refused.json()["errors"][0]["code"] == "url_refused", url
    # http is the local runtime's only; the platform's own URL and the sandbox on this machine need no check
    assert _put(client, owner, base_url="http://93.184.215.14/v1").status_code == 200
    use_ai_sandbox(container)
    assert _put(client, owner, base_url=SANDBOX_URL).status_code == 200
    assert _put(client, owner, base_url="http://127.0.0.1:8000/sandbox/openai/v1").status_code == 200
    agent = invite(client, owner, role="agent")
    assert _put(client, agent, chat_model="x").status_code == 403
    assert client.get("/v1/ai/settings", headers=agent.headers).status_code == 200
    assert client.post("/v1/ai/settings/check", headers=agent.headers).status_code == 403


def test_a_refused_key_is_a_clear_check_and_one_notification(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    server = Endpoint(status=401)
    _company_endpoint(container, server)
    _put(client, owner, base_url=PUBLIC, api_key=KEY, chat_model="gpt-4.1-mini")
    checked = client.post("/v1/ai/settings/check", headers=owner.headers)
    assert checked.status_code == 200, checked.text
    result = checked.json()
    assert (result["ok"], result["category"], result["code"], result["status"]) == (False, "auth", "ai_model_auth", 401)
    assert "refused the API key" in result["message"] and result["host"] == "93.184.215.14"
    assert KEY[:8] not in checked.text  # the provider's text, which quotes the key, is never passed on
    assert server.seen[-1].headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(server.seen[-1].content)["model"] == "gpt-4.1-mini"
    client.post("/v1/ai/settings/check", headers=owner.headers)  # the same failure again within the hour
    notes = client.get("/v1/notifications", headers=owner.headers).json()["items"]
    failures = [n for n in notes if n["kind"] == "ai.model_error"]
    assert [(n["data"]["category"], n["title"]) for n in failures] == [("auth", "The AI endpoint refused its API key")]
    # a timeout and a server error, each said as such
    server.status, server.error = 200, httpx.ReadTimeout("slow")
    timed_out = client.post("/v1/ai/settings/check", headers=owner.headers).json()
    assert (timed_out["ok"], timed_out["category"], timed_out["code"]) == (False, "timeout", "ai_model_timeout")
    server.error, server.status = None, 503
    down = client.post("/v1/ai/settings/check", headers=owner.headers).json()
    assert (down["category"], down["status"]) == ("unavailable", 503)
    # the endpoint fixed: ok, and the call's usage is recorded
    server.status = 200
    fine = client.post("/v1/ai/settings/check", headers=owner.headers).json()
    assert (fine["ok"], fine["code"], fine["model"]) == (True, "ok", "gpt-4.1-mini")
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert [(u.purpose, u.prompt_tokens) for u in session.scalars(select(AiUsage))] == [("test", 12)]


def test_a_persona_test_on_a_failing_company_endpoint_is_a_502_or_504(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    server = Endpoint(error=httpx.ReadTimeout("slow"))
    _company_endpoint(container, server)
    _put(client, owner, base_url=PUBLIC, api_key=KEY)
    persona = client.post("/v1/personas", headers=owner.headers, json={"name": "Ana"}).json()
    late = client.post(f"/v1/personas/{persona['id']}/test", headers=owner.headers, json={"question": "Oi"})
    assert (late.status_code, late.json()["code"], late.json()["category"]) == (504, "ai_model_timeout", "timeout")
    server.error, server.status = None, 401
    refused = client.post(f"/v1/personas/{persona['id']}/test", headers=owner.headers, json={"question": "Oi"})
    assert (refused.status_code, refused.json()["code"]) == (502, "ai_model_auth")
    kinds = [n["data"]["category"] for n in client.get("/v1/notifications", headers=owner.headers).json()["items"]]
    assert sorted(kinds) == ["auth", "timeout"]


def test_which_endpoint_and_model_answer(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    container.settings = container.settings.model_copy(
        update={"ai_base_url": "https://llm.platform.example/v1", "ai_api_key": SecretStr(PLATFORM_KEY),
                "ai_max_retries": 0}
    )  # fmt: skip
    persona = client.post("/v1/personas", headers=owner.headers, json={"name": "Ana"}).json()
    client.patch(f"/v1/personas/{persona['id']}", headers=owner.headers, json={"version": 1, "chat_model": "gpt-5"})

    def resolved(version: int | None = None) -> endpoints.Endpoint:
        with container.database.tenant(company) as session:
            pv = None
            if version is not None:
                pv = session.scalars(
                    select(PersonaVersion).where(
                        PersonaVersion.persona_id == uuid.UUID(persona["id"]), PersonaVersion.version == version
                    )
                ).one()
            return endpoints.resolve_endpoint(session, container=container, company_id=company, persona_version=pv)

    # nothing set: the platform's endpoint, key and model; a persona's model over it
    platform = resolved(1)
    assert (platform.source, platform.model, platform.api_key, platform.guarded) == ("platform", "gpt-4o-mini", None,
                                                                                     False)  # fmt: skip
    assert resolved(2).model == "gpt-5"
    # the company's model over the platform's, the persona's over the company's
    _put(client, owner, chat_model="gpt-4.1-mini")
    assert (resolved().model, resolved(1).model, resolved(2).model) == ("gpt-4.1-mini", "gpt-4.1-mini", "gpt-5")
    # the company's key goes to the platform's URL when it names none (not guarded: it is ours)
    _put(client, owner, api_key=KEY)
    own_key = resolved()
    assert (own_key.base_url, own_key.api_key, own_key.guarded) == ("https://llm.platform.example/v1", KEY, False)
    # a company URL without a key never gets the platform's key
    _put(client, owner, api_key=None, base_url=PUBLIC)
    keyless = resolved(2)
    assert (keyless.api_key, keyless.guarded, keyless.model, keyless.source) == (endpoints.NO_KEY, True, "gpt-5",
                                                                                 "company")  # fmt: skip
    server = Endpoint()
    _company_endpoint(container, server)
    with container.database.tenant(company) as session:
        llm = endpoints.chat_model_for(session, container=container, company_id=company)
        llm.chat(ChatRequest(messages=(UserMessage(content="Oi"),)))
    seen = server.seen[-1]
    assert seen.headers["authorization"] == f"Bearer {endpoints.NO_KEY}" and PLATFORM_KEY not in str(seen.headers)
    assert str(seen.url).startswith(PUBLIC) and json.loads(seen.content)["model"] == "gpt-4.1-mini"
    # naming the platform's own URL is using the platform
    _put(client, owner, base_url="https://llm.platform.example/v1")
    assert resolved().source == "platform"


def test_the_default_guard_refuses_a_private_address_at_call_time(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    container.settings = container.settings.model_copy(update={"ai_max_retries": 0})
    with container.database.tenant(company) as session:  # a row the API would refuse (written past it)
        session.add(AiSettings(company_id=company, base_url="https://127.0.0.1:9/v1"))
    checked = client.post("/v1/ai/settings/check", headers=owner.headers).json()
    assert (checked["ok"], checked["category"]) == (False, "unavailable")


def test_the_check_on_the_platform_sandbox_is_ok(client: TestClient, container: Container) -> None:
    sandbox, _ = use_ai_sandbox(container)
    owner = sign_up(client)
    checked = client.post("/v1/ai/settings/check", headers=owner.headers).json()
    assert (checked["ok"], checked["model"], checked["host"]) == (True, "gpt-4o-mini", "testserver")
    assert sandbox.requests[-1]["body"]["max_completion_tokens"] == 16 and not sandbox.rejected


def test_usage_and_the_months_spend_in_the_companys_timezone(client: TestClient, container: Container) -> None:
    owner = sign_up(client)  # America/Sao_Paulo (UTC-3)
    company = uuid.UUID(owner.company_id)
    tokens = Usage(prompt_tokens=1_000_000, completion_tokens=100_000)  # gpt-4o-mini: 0.15 + 0.06
    with container.database.tenant(company) as session:
        row = record_usage(
            session,
            company_id=company,
            purpose="reply",
            model="gpt-4o-mini",
            usage=tokens,
            now=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
        )  # November 30th, 23:00 in São Paulo
        assert (row.cost_usd, row.priced) == (Decimal("0.21"), True)
        record_usage(
            session,
            company_id=company,
            purpose="test",
            model="gpt-4o-mini",
            usage=tokens,
            now=datetime(2026, 12, 1, 4, 0, tzinfo=UTC),
        )  # December 1st, 01:00
        unpriced = record_usage(session, company_id=company, purpose="reply", model="my-llama", usage=tokens,
                                now=datetime(2026, 12, 2, 4, 0, tzinfo=UTC))  # fmt: skip
        assert (unpriced.cost_usd, unpriced.priced) == (Decimal(0), False)
        december = month_spend(session, company_id=company, now=datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
        november = month_spend(session, company_id=company, now=datetime(2026, 12, 1, 2, 30, tzinfo=UTC))
    assert (december, november) == (Decimal("0.21"), Decimal("0.21"))
    client.patch("/v1/company", headers=owner.headers, json={"timezone": "UTC"})
    with container.database.tenant(company) as session:
        assert month_spend(session, company_id=company, now=datetime(2026, 12, 31, tzinfo=UTC)) == Decimal("0.42")


def test_the_usage_report_groups_and_compares_with_the_budget(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    ana = client.post("/v1/personas", headers=owner.headers, json={"name": "Ana"}).json()
    now = container.clock.now()
    _put(client, owner, monthly_budget_usd="1.00")
    with container.database.tenant(company) as session:
        for _ in range(2):
            record_usage(session, company_id=company, purpose="reply", model="gpt-4o", persona_id=uuid.UUID(ana["id"]),
                         persona_version=1, usage=Usage(prompt_tokens=100_000, completion_tokens=1_000),
                         now=now)  # fmt: skip
        record_usage(session, company_id=company, purpose="embedding", model="text-embedding-3-small",
                     usage=Usage(prompt_tokens=1_000_000), now=now)  # fmt: skip
    report = client.get("/v1/ai/usage?group_by=persona", headers=owner.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    groups = {g["key"]: g for g in body["groups"]}
    assert groups[ana["id"]]["label"] == "Ana" and groups[ana["id"]]["calls"] == 2
    assert Decimal(groups[ana["id"]]["cost_usd"]) == Decimal("0.52")  # twice 0.25 + 0.01
    assert Decimal(groups[None]["cost_usd"]) == Decimal("0.02")  # no persona: the embeddings
    assert (body["calls"], body["prompt_tokens"], Decimal(body["cost_usd"])) == (3, 1_200_000, Decimal("0.54"))
    assert (Decimal(body["month_spend_usd"]), Decimal(body["budget_remaining_usd"]), body["budget_spent"]) == (
        Decimal("0.54"), Decimal("0.46"), False,
    )  # fmt: skip
    by_day = client.get("/v1/ai/usage?group_by=day", headers=owner.headers).json()
    assert [g["calls"] for g in by_day["groups"]] == [3] and by_day["timezone"] == "America/Sao_Paulo"
    by_conversation = client.get("/v1/ai/usage?group_by=conversation", headers=owner.headers).json()
    assert [g["key"] for g in by_conversation["groups"]] == [None]
    empty = client.get("/v1/ai/usage?from=2020-01-01&to=2020-01-31", headers=owner.headers).json()
    assert (empty["calls"], empty["groups"]) == (0, [])
    backwards = client.get("/v1/ai/usage?from=2020-02-01&to=2020-01-31", headers=owner.headers)
    assert (backwards.status_code, backwards.json()["errors"][0]["code"]) == (422, "range_order")
    assert client.get("/v1/ai/usage?group_by=week", headers=owner.headers).status_code == 422
    stranger = client.get("/v1/ai/usage", headers=sign_up(client).headers).json()
    assert (stranger["calls"], stranger["month_spend_usd"]) == (0, "0")


def _spend(container: Container, company: uuid.UUID, now: datetime, dollars_of_gpt_4o: int) -> None:
    with container.database.tenant(company) as session:
        record_usage(session, company_id=company, purpose="reply", model="gpt-4o",
                     usage=Usage(prompt_tokens=400_000 * dollars_of_gpt_4o), now=now)  # fmt: skip


def _budget_notes(container: Container, company: uuid.UUID) -> list[Notification]:
    with container.database.tenant(company) as session:
        return list(session.scalars(select(Notification).where(Notification.kind == BUDGET_SPENT)))


def test_a_spent_budget_stops_replies_with_one_notification_a_month(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    now = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)

    def allows(at: datetime = now) -> bool:
        with container.database.tenant(company) as session:
            return budget_allows(session, company_id=company, now=at)

    assert allows()  # no budget: no limit
    _spend(container, company, now, 3)
    assert allows()
    _put(client, owner, monthly_budget_usd="5.00")
    assert allows()
    _spend(container, company, now, 2)  # 5.00 of 5.00: spent
    # WHEN many callers find it spent at once
    barrier, results = threading.Barrier(8), []
    lock = threading.Lock()

    def caller() -> None:
        barrier.wait(timeout=30)
        allowed = allows()
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # THEN none may reply, and the company is told once
    assert results == [False] * 8
    notes = _budget_notes(container, company)
    assert len(notes) == 1
    assert notes[0].data == {"month": "2026-12-01", "budget_usd": "5.00", "spent_usd": "5.00"}
    assert "paused" in notes[0].body
    assert client.get("/v1/ai/settings", headers=owner.headers).json()["budget_spent_month"] == "2026-12-01"
    assert not allows() and len(_budget_notes(container, company)) == 1
    # the next month (in São Paulo) starts afresh
    assert allows(datetime(2027, 1, 1, 3, 0, tzinfo=UTC))
    assert not allows(datetime(2027, 1, 1, 2, 59, tzinfo=UTC))  # still December 31st there
    # a raised budget lets replies go on, and is notified again once spent too
    _put(client, owner, monthly_budget_usd="6.00")
    assert allows()
    _spend(container, company, now, 1)
    assert not allows()
    assert len(_budget_notes(container, company)) == 2
    # a budget of 0 allows nothing
    _put(client, owner, monthly_budget_usd="0")
    assert not allows(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))


@pytest.mark.parametrize("body", [{"monthly_budget_usd": "-1"}, {"monthly_budget_usd": "1.234"}, {"api_key": ""},
                                  {"colour": "red"}])  # fmt: skip
def test_bad_settings_are_422s(client: TestClient, body: dict[str, Any]) -> None:
    owner = sign_up(client)
    assert _put(client, owner, **body).status_code == 422


def test_usage_rows_are_append_only(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    _spend(container, company, datetime(2026, 12, 1, tzinfo=UTC), 1)
    with pytest.raises(ProgrammingError, match="permission denied"), container.database.tenant(company) as session:
        session.execute(text("UPDATE ai_usage SET cost_usd = 0"))
    with container.database.tenant(company) as session:
        assert session.scalar(select(func.sum(AiUsage.cost_usd))) == Decimal("1.000000")


def test_usage_periods_past_the_calendars_reach_are_422s(client: TestClient) -> None:
    owner = sign_up(client)
    far = client.get("/v1/ai/usage?from=9999-12-01&to=9999-12-31", headers=owner.headers)
    assert far.status_code == 422, far.text
    assert [(e["field"], e["code"]) for e in far.json()["errors"]] == [("from", "out_of_range"), ("to", "out_of_range")]
    # east of UTC, the first day's midnight is before the calendar's first instant
    client.patch("/v1/company", headers=owner.headers, json={"timezone": "Asia/Tokyo"})
    early = client.get("/v1/ai/usage?from=0001-01-01&to=0001-01-02", headers=owner.headers)
    assert (early.status_code, early.json()["errors"][0]["field"]) == (422, "from")
    assert client.get("/v1/ai/usage?to=9999-12-31", headers=owner.headers).status_code == 422
    assert client.get("/v1/ai/usage?from=1970-01-01&to=1970-01-31", headers=owner.headers).status_code == 200


def test_a_short_key_has_no_hint_and_the_key_goes_to_no_other_host(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    # a hint of a short key would be most of it
    short = _put(client, owner, api_key="abcd1234").json()
    assert (short["has_api_key"], short["api_key_hint"]) == (True, None)
    # GIVEN a key saved for one host
    assert _put(client, owner, base_url=PUBLIC, api_key=KEY).status_code == 200
    # WHEN the base URL moves to another host without the key THEN 422, and nothing changed
    other = "https://93.184.215.15/v1"
    moved = _put(client, owner, base_url=other)
    assert moved.status_code == 422, moved.text
    assert (moved.json()["errors"][0]["field"], moved.json()["errors"][0]["code"]) == ("api_key", "api_key_required")
    assert client.get("/v1/ai/settings", headers=owner.headers).json()["base_url"] == PUBLIC
    assert _put(client, owner, base_url=None).status_code == 422  # the platform's URL is another host too
    # another path on the same host, the same URL again, or the key given again (or cleared) are fine
    assert _put(client, owner, base_url=PUBLIC + "/").status_code == 200
    assert _put(client, owner, base_url="https://93.184.215.14/openai/v1").status_code == 200
    assert _put(client, owner, base_url=other, api_key=KEY).json()["base_url"] == other
    cleared = _put(client, owner, base_url=PUBLIC, api_key=None).json()
    assert (cleared["base_url"], cleared["has_api_key"]) == (PUBLIC, False)


def test_many_replies_failing_at_once_notify_once(client: TestClient, container: Container) -> None:
    from masteria.ai.errors import Category, ModelError
    from masteria.ai.failures import MODEL_ERROR, notify_model_error

    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    now = container.clock.now()
    barrier = threading.Barrier(6)

    def fail() -> None:
        barrier.wait(timeout=30)
        with container.database.tenant(company) as session:
            notify_model_error(session, company_id=company, error=ModelError(Category.AUTH, model="gpt-4o-mini",
                               status=401), host="api.example.com", now=now)  # fmt: skip

    threads = [threading.Thread(target=fail) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with container.database.tenant(company) as session:
        kinds = list(session.scalars(select(Notification.kind).where(Notification.kind == MODEL_ERROR)))
    assert kinds == [MODEL_ERROR]
