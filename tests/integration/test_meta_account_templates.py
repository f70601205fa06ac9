"""Meta's account-level webhooks on the real database, through the inbound processor: a contact's marketing
preference (user_preferences), a template's status, category and components, and the account's updates.
Bodies are Meta's examples (tests/fixtures/meta) or built from the syntax of Meta's webhook reference."""

from __future__ import annotations

import base64
import copy
import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks import Webhook

from functions import manifest
from functions.local.events import EventRouter
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.campaigns.models import Campaign
from masteria.channels.inbound_job import InboundJob
from masteria.channels.models import ChannelConnection
from masteria.contacts.models import ConsentEvent, Contact, ContactConsent
from masteria.conversations import inbound
from masteria.events import OutboxEvent
from masteria.notifications.models import Notification
from masteria.settings import Settings
from tests.api import Account, approved_template, make_campaign, make_connection, make_tag, run_queue, sign_up
from tests.meta import FakeMeta
from tests.meta_webhooks import FIXTURES
from tests.sink import sink

EXAMPLES = FIXTURES / "payloads" / "whatsapp-business-java-api" / "deserialization"


def _example(name: str, time: int | None = None) -> dict[str, Any]:
    """Meta's example ``name``; at ``time`` (its entry's) where the test orders it after another event (the
    examples' own times are years apart and in no order)."""
    body: dict[str, Any] = json.loads((EXAMPLES / name).read_bytes())
    if time is not None:
        body["entry"][0]["time"] = time
    return body


def _body(field: str, value: dict[str, Any], time: Any = 1731705721) -> dict[str, Any]:
    """A webhook body of one change; ``time`` is the entry's (Meta's time of the event, kept on retries)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "time": time, "changes": [{"field": field, "value": value}]}],
    }


def _post(container: Container, account: Account, connection: dict[str, Any], body: dict[str, Any]) -> inbound.Result:
    job = InboundJob(
        company_id=uuid.UUID(account.company_id),
        connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC),
        body_b64=base64.b64encode(json.dumps(body).encode()).decode(),
    )
    result = inbound.process(db=container.database, keys=container.company_keys, providers=container.providers, job=job)
    assert not result.dead_lettered, result.errors
    return result


def _preference(connection: dict[str, Any], wa_id: str, choice: str, at: int) -> dict[str, Any]:
    """A user_preferences body as Meta's reference gives its syntax (marketing messages stopped or resumed)."""
    detail = {
        "stop": "User requested to stop marketing messages",
        "resume": "User requested to resume marketing messages",
    }
    return _body(
        "user_preferences",
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": connection["phone_number_id"]},
            "contacts": [{"profile": {"name": "Rita"}, "wa_id": wa_id}],
            "user_preferences": [
                {"wa_id": wa_id, "detail": detail[choice], "category": "marketing_messages", "value": choice,
                 "timestamp": at}
            ],
        },
    )  # fmt: skip


def _events(session: Any, type_: str) -> list[dict[str, Any]]:
    return [
        e.data for e in session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
    ]


def _notifications(session: Any, kind: str) -> list[Notification]:
    return list(
        session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.created_at))
    )


# ---- user_preferences ---------------------------------------------------------------------------


def test_marketing_stopped_in_whatsapp_opts_the_contact_out_and_resumed_takes_it_back(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    # GIVEN a company whose contact (not known yet) stops marketing messages in WhatsApp
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    company = uuid.UUID(owner.company_id)
    # WHEN Meta posts it, twice (a redelivery)
    _post(container, owner, connection, _preference(connection, "5531977001001", "stop", 1731705721))
    _post(container, owner, connection, _preference(connection, "5531977001001", "stop", 1731705721))
    # THEN the contact exists, opted out of WhatsApp once, with the source and Meta's description
    with container.database.tenant(company) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == "+5531977001001")).one()
        assert contact.name == "Rita"
        state = session.get_one(ContactConsent, (contact.id, "whatsapp"))
        assert state.status == "opted_out"
        assert state.opt_out_reason == "User requested to stop marketing messages"
        (event,) = session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)).all()
        assert (event.status, event.source) == ("opted_out", "whatsapp_preferences")
        assert event.created_at == datetime.fromtimestamp(1731705721, UTC)
        assert _events(session, "contact.opted_out") == [{"contact_id": str(contact.id), "channel": "whatsapp"}]
    history = client.get(f"/v1/contacts/{contact.id}/consent-events", headers=owner.headers)
    assert [e["source"] for e in history.json()["items"]] == ["whatsapp_preferences"]
    # WHEN they resume marketing messages later
    _post(container, owner, connection, _preference(connection, "5531977001001", "resume", 1731709321))
    # THEN they are opted in again, from the same source
    with container.database.tenant(company) as session:
        assert session.get_one(ContactConsent, (contact.id, "whatsapp")).status == "opted_in"
        sources = session.scalars(
            select(ConsentEvent.status).where(ConsentEvent.contact_id == contact.id).order_by(ConsentEvent.id)
        ).all()
        assert sources == ["opted_out", "opted_in"]
    # WHEN the old stop is delivered again, late
    _post(container, owner, connection, _preference(connection, "5531977001001", "stop", 1731705721))
    # THEN it changes nothing
    with container.database.tenant(company) as session:
        assert session.get_one(ContactConsent, (contact.id, "whatsapp")).status == "opted_in"


def test_resuming_in_whatsapp_never_undoes_a_users_opt_out_nor_opts_in_someone_never_asked(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    created = client.post("/v1/contacts", headers=owner.headers, json={"phone": "+5531977001002", "name": "Bia"})
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    out = client.put(
        f"/v1/contacts/{contact_id}/consent/whatsapp",
        headers=owner.headers,
        json={"status": "opted_out", "reason": "phone"},
    )
    assert out.status_code == 200, out.text
    _post(container, owner, connection, _preference(connection, "5531977001002", "resume", 4102444800))
    _post(container, owner, connection, _preference(connection, "5531977001003", "resume", 4102444800))
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.get_one(ContactConsent, (uuid.UUID(contact_id), "whatsapp")).status == "opted_out"
        never = session.scalars(select(Contact).where(Contact.phone == "+5531977001003")).one()
        assert session.get(ContactConsent, (never.id, "whatsapp")) is None
        assert session.scalars(select(ConsentEvent).where(ConsentEvent.source == "whatsapp_preferences")).all() == []


def test_a_preference_not_as_meta_sends_it_is_refused_as_bad_input(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    body = _preference(connection, "5531977001004", "stop", 1731705721)
    body["entry"][0]["changes"][0]["value"]["user_preferences"][0]["wa_id"] = "55319770010041234567"
    job = InboundJob(
        company_id=uuid.UUID(owner.company_id),
        connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC),
        body_b64=base64.b64encode(json.dumps(body).encode()).decode(),
    )
    result = inbound.process(db=container.database, keys=container.company_keys, providers=container.providers, job=job)
    assert result.dead_lettered and "wa_id" in result.errors[0]


# ---- templates ----------------------------------------------------------------------------------


def _status(template: dict[str, Any], event: str, *, time: int = 1731705721, **extra: Any) -> dict[str, Any]:
    """A message_template_status_update for ``template`` (the syntax of Meta's reference)."""
    return _body(
        "message_template_status_update",
        {
            "event": event,
            "message_template_id": int(template["meta_id"]),
            "message_template_name": template["name"],
            "message_template_language": template["language"],
            **extra,
        },
        time,
    )


def _running_campaign(client: TestClient, container: Container, owner: Account, meta: FakeMeta) -> dict[str, Any]:
    campaign = make_campaign(client, owner, meta)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:  # as the scheduler left it, sending
        session.get_one(Campaign, uuid.UUID(campaign["id"])).status = "running"
    return campaign


def test_a_paused_template_pauses_its_running_campaign_with_the_reason_and_notifies_once(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    # GIVEN a running campaign and the approved template it sends
    owner = sign_up(client)
    campaign = _running_campaign(client, container, owner, meta)
    template = client.get(f"/v1/whatsapp-templates/{campaign['whatsapp_template_id']}", headers=owner.headers).json()
    connection = {"id": campaign["connection_id"]}
    body = _status(
        template,
        "PAUSED",
        reason=None,
        other_info={
            "title": "FIRST_PAUSE",
            "description": "Your WhatsApp message template has been paused for 3 hours due to low quality.",
        },
    )
    # WHEN Meta pauses the template, and delivers it twice
    _post(container, owner, connection, body)
    _post(container, owner, connection, copy.deepcopy(body))
    # THEN the template is paused with Meta's explanation
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert shown["status"] == "PAUSED"
    assert shown["status_reason"] == (
        "FIRST_PAUSE; Your WhatsApp message template has been paused for 3 hours due to low quality."
    )
    # AND the campaign is paused, saying why
    paused = client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()
    assert paused["status"] == "paused"
    assert paused["status_reason"].startswith(f"template {template['name']} (pt_BR) paused by Meta: FIRST_PAUSE")
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        # one event of each, one notification of each, whatever the redelivery
        (changed,) = _events(session, "template.status_changed")
        assert changed["status"] == "PAUSED" and changed["previous_status"] == "APPROVED"
        assert changed["template_id"] == template["id"] and "FIRST_PAUSE" in changed["reason"]
        assert [e["campaign_id"] for e in _events(session, "campaign.paused")] == [campaign["id"]]
        (told,) = _notifications(session, "whatsapp.template_paused")
        assert template["name"] in told.body and "low quality" in told.body
        assert len(_notifications(session, "campaign.paused")) == 1


def test_a_disabled_template_pauses_the_campaign_and_a_reinstated_one_is_approved(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    campaign = _running_campaign(client, container, owner, meta)
    template = client.get(f"/v1/whatsapp-templates/{campaign['whatsapp_template_id']}", headers=owner.headers).json()
    connection = {"id": campaign["connection_id"]}
    other = {"title": "TEMPLATE_DISABLED", "description": "Disabled for low quality after two pauses."}
    _post(container, owner, connection, _status(template, "DISABLED", reason="NONE", other_info=other))
    paused = client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()
    assert paused["status"] == "paused" and "disabled by Meta" in paused["status_reason"]
    _post(container, owner, connection, _status(template, "REINSTATED", reason="NONE"))
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert (shown["status"], shown["status_reason"], shown["rejected_reason"]) == ("APPROVED", None, None)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        statuses = [e["status"] for e in _events(session, "template.status_changed")]
        assert statuses == ["DISABLED", "APPROVED"]
        assert len(_notifications(session, "whatsapp.template_disabled")) == 1


def test_a_rejection_from_metas_example_keeps_its_reason_and_notifies(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    template = approved_template(client, owner, meta, connection)
    body = _example("rejectedTemplate.json")
    body["entry"][0]["changes"][0]["value"]["message_template_id"] = int(template["meta_id"])
    _post(container, owner, connection, body)
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert (shown["status"], shown["rejected_reason"], shown["status_reason"]) == ("REJECTED", "SCAM", "SCAM")
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        (told,) = _notifications(session, "whatsapp.template_rejected")
        assert told.data["template_id"] == template["id"] and told.body.endswith(": SCAM")
    # a template flagged to be disabled (Meta's example) says when
    flagged = _example("templateSchedulingForDisabling.json", time=1674250641 + 60)  # after the rejection
    flagged["entry"][0]["changes"][0]["value"]["message_template_id"] = int(template["meta_id"])
    _post(container, owner, connection, flagged)
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert (shown["status"], shown["status_reason"]) == ("FLAGGED", "disabled on January 31, 2021")


def test_a_category_update_and_a_components_update_change_the_template(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    template = approved_template(client, owner, meta, connection)
    mapped = client.put(
        f"/v1/whatsapp-templates/{template['id']}/parameters",
        headers=owner.headers,
        json={"parameters": {"body.1": "first_name"}, "defaults": {"body.1": "cliente"}},
    )
    assert mapped.status_code == 200, mapped.text
    ids = {
        "message_template_id": int(template["meta_id"]),
        "message_template_name": template["name"],
        "message_template_language": template["language"],
    }
    coming = _body("template_category_update", {**ids, "correct_category": "UTILITY"})  # announced first
    _post(container, owner, connection, coming)
    _post(container, owner, connection, coming)
    category = _body("template_category_update", {**ids, "previous_category": "MARKETING", "new_category": "UTILITY"})
    _post(container, owner, connection, category)
    _post(container, owner, connection, category)
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert (shown["category"], shown["previous_category"]) == ("UTILITY", "MARKETING")
    components = _body(
        "message_template_components_update",
        {
            **ids,
            "message_template_element": "Olá {{1}}, seu pedido {{2}} saiu.",
            "message_template_title": "Pedido",
            "message_template_footer": "Loja",
            "message_template_buttons": [
                {"message_template_button_type": "URL", "message_template_button_text": "Ver",
                 "message_template_button_url": "https://loja.example/p/{{1}}"}
            ],
        },
    )  # fmt: skip
    _post(container, owner, connection, components)
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert shown["components"] == [
        {"type": "HEADER", "format": "TEXT", "text": "Pedido"},
        {"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu."},
        {"type": "FOOTER", "text": "Loja"},
        {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Ver", "url": "https://loja.example/p/{{1}}"}]},
    ]
    assert shown["parameter_keys"] == ["body.1", "body.2", "button.0.1"]
    assert shown["parameters"] == {"body.1": "first_name"}  # the mapping of a parameter still there is kept
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        told = _notifications(session, "whatsapp.template_category")
        assert [n.data["impending"] for n in told] == [True, False]  # once each, whatever the retries
        assert "will move" in told[0].body and "from MARKETING to UTILITY" in told[1].body


@pytest.fixture
def settings(settings: Settings) -> Settings:  # the endpoint below is a loopback sink
    return settings.model_copy(update={"webhooks_allow_http": True, "webhooks_allow_private": True})


def test_a_template_status_change_reaches_the_endpoints_that_asked_for_it(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    template = approved_template(client, owner, meta, connection)
    with sink() as receiver:
        created = client.post(
            "/v1/webhooks/endpoints",
            headers=owner.headers,
            json={"url": receiver.url, "event_types": ["template.status_changed"]},
        )
        assert created.status_code == 201, created.text
        _post(container, owner, connection, _status(template, "REJECTED", reason="INVALID_FORMAT"))
        stop = threading.Event()
        router = EventRouter(container.queue, manifest.FUNCTIONS, stop=stop)
        pump = QueuePump(container.queue, manifest.queue_consumers(), stop=stop)
        consumers = [manifest.by_name("webhooks"), manifest.by_name("webhook_dispatcher")]
        for _ in range(20):
            if not router.run_once() + sum(pump.run_once(spec) for spec in consumers):
                break
        (request,) = receiver.received
    payload = Webhook(created.json()["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "template.status_changed"
    assert payload["data"] == {
        "template_id": template["id"],
        "connection_id": connection["id"],
        "name": template["name"],
        "language": "pt_BR",
        "status": "REJECTED",
        "previous_status": "APPROVED",
        "reason": "INVALID_FORMAT",
    }


# ---- account_update -----------------------------------------------------------------------------


def _connection(container: Container, owner: Account, connection: dict[str, Any]) -> ChannelConnection:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        row = session.get_one(ChannelConnection, uuid.UUID(connection["id"]))
        session.expunge(row)
        return row


def test_an_account_restriction_marks_the_connection_with_metas_detail_once(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    body = _example("accountRestricted.json")
    for item in body["entry"][0]["changes"][0]["value"]["restriction_info"]:
        item["expiration"] = 1767225600
    # WHEN Meta restricts the account, and retries the delivery twice
    for _ in range(3):
        _post(container, owner, connection, copy.deepcopy(body))
    shown = client.get(f"/v1/connections/{connection['id']}", headers=owner.headers).json()
    assert shown["account_status"] == "restricted"
    assert [r["restriction_type"] for r in shown["account_detail"]["restriction_info"]] == [
        "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
        "RESTRICTED_BIZ_INITIATED_MESSAGING",
        "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
    ]
    assert shown["status"] == "active"  # our own check of the token is apart
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        (told,) = _notifications(session, "whatsapp.account_update")
        assert "RESTRICTED_BIZ_INITIATED_MESSAGING until 1767225600" in told.body
        assert told.data["account_status"] == "restricted"
    # WHEN the restrictions are lifted (no restriction listed) THEN the account is ok again
    lifted = _body("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": []})
    _post(container, owner, connection, lifted)
    assert _connection(container, owner, connection).account_status == "ok"


def test_a_ban_disables_the_connection_and_a_verification_does_not_hide_it(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    scheduled = _example("accountBanned.json")  # SCHEDULE_FOR_DISABLE: still working, told
    _post(container, owner, connection, scheduled)
    row = _connection(container, owner, connection)
    assert row.account_status == "ok"
    assert row.account_detail == scheduled["entry"][0]["changes"][0]["value"]
    banned = _body(
        "account_update",
        {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "January 31, 2021"}},
    )
    _post(container, owner, connection, banned)
    _post(container, owner, connection, _example("verifiedAccount.json", time=1731705721 + 60))  # after the ban
    row = _connection(container, owner, connection)
    assert row.account_status == "disabled"
    assert row.account_detail is not None and row.account_detail["ban_info"]["waba_ban_state"] == "DISABLE"
    violation = _body(
        "account_update", {"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}}, 1731705721 + 120
    )
    _post(container, owner, connection, violation)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        bodies = [n.body for n in _notifications(session, "whatsapp.account_update")]
    assert len(bodies) == 4
    assert any("ban SCHEDULE_FOR_DISABLE (January 31, 2021)" in b for b in bodies)
    assert any("policy violation: SCAM" in b for b in bodies)
    reinstated = _body(
        "account_update", {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "REINSTATE"}}, 1731705721 + 180
    )
    _post(container, owner, connection, reinstated)
    assert _connection(container, owner, connection).account_status == "ok"


def test_an_account_unshared_with_our_app_is_disconnected(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    _post(container, owner, connection, _body("account_update", {"event": "PARTNER_REMOVED"}))
    shown = client.get(f"/v1/connections/{connection['id']}", headers=owner.headers).json()
    assert (shown["account_status"], shown["account_detail"]) == ("disconnected", {"event": "PARTNER_REMOVED"})
    _post(container, owner, connection, _body("account_update", {"event": "PARTNER_APP_INSTALLED"}))
    assert _connection(container, owner, connection).account_status == "ok"


def test_metas_account_example_bodies_land(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    for name in ("accountReview.json", "verifiedAccount.json", "accountRestricted.json", "accountBanned.json"):
        if Path(EXAMPLES / name).exists():
            _post(container, owner, connection, _example(name))
    assert _connection(container, owner, connection).account_status == "restricted"


def test_restrictions_lifted_twice_are_applied_twice_and_a_late_older_event_changes_nothing(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    # GIVEN a connection whose account Meta restricts and frees twice: the same bodies each time (Meta's
    # example, then its "restrictions lifted"), told apart by the entry's time only
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    restricted = _example("accountRestricted.json")["entry"][0]["changes"][0]["value"]
    lifted = {"event": "ACCOUNT_RESTRICTION", "restriction_info": []}
    t = 1764590400
    states = []
    # WHEN they arrive in order, each delivered twice (a retry keeps the entry's time)
    for at, value in ((t, restricted), (t + 60, lifted), (t + 120, restricted), (t + 180, lifted)):
        for _ in range(2):
            _post(container, owner, connection, _body("account_update", copy.deepcopy(value), at))
        states.append(_connection(container, owner, connection).account_status)
    # THEN each is applied once, the second lifting too
    assert states == ["restricted", "ok", "restricted", "ok"]
    row = _connection(container, owner, connection)
    assert row.account_updated_at == datetime.fromtimestamp(t + 180, UTC)  # Meta's time of the last one
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        told = [n.data["account_status"] for n in _notifications(session, "whatsapp.account_update")]
    assert told == ["restricted", "ok", "restricted", "ok"]
    # WHEN a retry of the second restriction arrives late (after the lifting that followed it)
    _post(container, owner, connection, _body("account_update", copy.deepcopy(restricted), t + 120))
    # AND a restriction older than all of them arrives for the first time
    _post(container, owner, connection, _body("account_update", {**restricted, "phone_number": "older"}, t - 60))
    # THEN the account stays as the newest event says, and no one is told again
    row = _connection(container, owner, connection)
    assert (row.account_status, row.account_detail) == ("ok", lifted)
    assert row.account_updated_at == datetime.fromtimestamp(t + 180, UTC)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert len(_notifications(session, "whatsapp.account_update")) == 4


def test_an_entry_time_that_is_not_a_unix_time_is_refused_as_bad_input(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    for time in ("yesterday", 10**15, -1, True):
        job = InboundJob(
            company_id=uuid.UUID(owner.company_id),
            connection_id=uuid.UUID(connection["id"]),
            received_at=datetime.now(UTC),
            body_b64=base64.b64encode(
                json.dumps(_body("account_update", {"event": "PARTNER_REMOVED"}, time)).encode()
            ).decode(),
        )
        result = inbound.process(
            db=container.database, keys=container.company_keys, providers=container.providers, job=job
        )
        assert result.dead_lettered and "entry.time" in result.errors[0], (time, result.errors)
    assert _connection(container, owner, connection).account_status == "ok"


def test_a_late_retry_of_an_older_pause_never_undoes_the_reinstatement(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    # GIVEN a running campaign whose template Meta paused, then reinstated an hour later
    owner = sign_up(client)
    campaign = _running_campaign(client, container, owner, meta)
    template = client.get(f"/v1/whatsapp-templates/{campaign['whatsapp_template_id']}", headers=owner.headers).json()
    connection = {"id": campaign["connection_id"]}
    t = 1764590400
    pause = _status(template, "PAUSED", time=t, reason=None, other_info={"title": "FIRST_PAUSE", "description": "x"})
    _post(container, owner, connection, pause)
    _post(container, owner, connection, _status(template, "REINSTATED", time=t + 3600, reason="NONE"))
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert shown["status"] == "APPROVED"
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:  # the company resumes it
        session.get_one(Campaign, uuid.UUID(campaign["id"])).status = "running"
    # WHEN Meta retries the old pause, late
    _post(container, owner, connection, copy.deepcopy(pause))
    # THEN the template stays approved, the campaign keeps running, and no one is told again
    shown = client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()
    assert (shown["status"], shown["status_reason"]) == ("APPROVED", None)
    assert client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()["status"] == "running"
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert [e["status"] for e in _events(session, "template.status_changed")] == ["PAUSED", "APPROVED"]
        assert len(_notifications(session, "whatsapp.template_paused")) == 1
        assert len(_events(session, "campaign.paused")) == 1
    # AND the template keeps Meta's time of the status it has
    assert shown["status_changed_at"] == datetime.fromtimestamp(t + 3600, UTC).isoformat().replace("+00:00", "Z")


def test_a_template_update_reaches_every_connection_on_the_same_whatsapp_business_account(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    # GIVEN two connections (two numbers) of one WhatsApp Business Account, each with its copy of a template
    owner = sign_up(client)
    first = make_connection(client, owner, meta)
    number, token = f"10654039{uuid.uuid4().int % 10**7:07d}", f"EAAG-second-{uuid.uuid4()}"
    meta.add_number(number, first["waba_id"], token)
    created = client.post(
        "/v1/connections",
        headers=owner.headers,
        json={
            "name": "Second number",
            "phone_number_id": number,
            "waba_id": first["waba_id"],
            "access_token": token,
            "app_secret": "app-secret-second-0123456789abcdef",
        },
    )
    assert created.status_code == 201, created.text
    run_queue(container, "connection_secrets")
    second = created.json()
    template = approved_template(client, owner, meta, first)
    synced = client.post(f"/v1/connections/{second['id']}/templates/sync", headers=owner.headers)
    assert synced.status_code == 200, synced.text
    listed = client.get(f"/v1/connections/{second['id']}/templates", headers=owner.headers).json()["items"]
    (twin,) = [t for t in listed if t["meta_id"] == template["meta_id"]]
    # AND a running campaign through the second number
    tag = make_tag(client, owner)
    made = client.post(
        "/v1/campaigns",
        headers=owner.headers,
        json={
            "name": "Second number's campaign",
            "connection_id": second["id"],
            "whatsapp_template_id": twin["id"],
            "parameters": {"body.1": "first_name"},
            "defaults": {"body.1": "cliente"},
            "audience": {"tag_ids": [tag["id"]]},
        },
    )
    assert made.status_code == 201, made.text
    campaign = made.json()
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        session.get_one(Campaign, uuid.UUID(campaign["id"])).status = "running"
    # WHEN Meta's pause and a category change come to the first number's webhook
    _post(container, owner, first, _status(template, "PAUSED", reason="LOW_QUALITY"))
    ids = {"message_template_id": int(template["meta_id"]), "message_template_name": template["name"]}
    category = {**ids, "previous_category": "MARKETING", "new_category": "UTILITY"}
    _post(container, owner, first, _body("template_category_update", category))
    # THEN both copies are paused and moved, and the second number's campaign is paused with the reason
    for copy_id in (template["id"], twin["id"]):
        shown = client.get(f"/v1/whatsapp-templates/{copy_id}", headers=owner.headers).json()
        assert (shown["status"], shown["status_reason"], shown["category"]) == ("PAUSED", "LOW_QUALITY", "UTILITY")
    paused = client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()
    assert paused["status"] == "paused" and "paused by Meta: LOW_QUALITY" in paused["status_reason"]


def test_another_companys_copy_of_a_template_is_never_touched(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    # GIVEN two companies that mirror the same Meta template (the same Meta id)
    owner, other = sign_up(client), sign_up(client)
    mine = make_connection(client, owner, meta)
    theirs = make_connection(client, other, meta)
    template = approved_template(client, owner, meta, mine)
    meta.templates[theirs["waba_id"]] = copy.deepcopy(meta.templates[mine["waba_id"]])
    theirs_template = approved_template(client, other, meta, theirs, name="other")
    listed = client.get(f"/v1/connections/{theirs['id']}/templates", headers=other.headers).json()["items"]
    (twin,) = [t for t in listed if t["meta_id"] == template["meta_id"]]
    assert theirs_template["meta_id"] != template["meta_id"]
    # WHEN Meta pauses it through the first company's webhook
    _post(container, owner, mine, _status(template, "PAUSED", reason="LOW_QUALITY"))
    # THEN only the first company's copy changes
    assert client.get(f"/v1/whatsapp-templates/{template['id']}", headers=owner.headers).json()["status"] == "PAUSED"
    assert client.get(f"/v1/whatsapp-templates/{twin['id']}", headers=other.headers).json()["status"] == "APPROVED"
