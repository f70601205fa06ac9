"""Each trigger type runs its rules for the domain event it listens to (delivered to ``automation_events`` as
EventBridge would), and its filters (keywords, a regex, a tag, a pipeline or stage, a campaign, a channel) hold it
back otherwise; the no-reply sweep runs a rule once per quiet period of a conversation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import Account, customer_writes, make_campaign, make_connection, make_contact, make_tag, sign_up
from tests.automations_api import Events, make_rule, runs, sweep_quiet
from tests.cadences_api import install_clock
from tests.integration.test_campaign_reply_leads import _send
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, move, pipeline_of, stage_named

WA_ID = "5511987650001"


def _tag_action(client: TestClient, account: Account) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    tag = make_tag(client, account)
    return tag, [{"type": "add_tag", "tag_id": tag["id"]}]


def _tags(client: TestClient, account: Account, contact_id: str) -> set[str]:
    return {t["id"] for t in client.get(f"/v1/contacts/{contact_id}", headers=account.headers).json()["tags"]}


def _conversation(client: TestClient, account: Account) -> dict[str, Any]:
    conversation: dict[str, Any] = client.get("/v1/conversations", headers=account.headers).json()["items"][0]
    return conversation


def test_a_message_matches_keywords_ignoring_case_and_accents_or_a_regex(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    quote, quote_actions = _tag_action(client, owner)
    promo, promo_actions = _tag_action(client, owner)
    by_keyword = make_rule(client, owner, trigger={"type": "message_received", "keywords": ["preço", "orçamento"]},
                           actions=quote_actions)  # fmt: skip
    by_regex = make_rule(client, owner, trigger={"type": "message_received", "regex": r"\bpromo\w*"},
                         actions=promo_actions)  # fmt: skip
    events = Events(container)
    # WHEN a customer writes a text with neither
    customer_writes(container, owner, connection, "Oi, tudo bem? Compromisso amanhã", wa_id=WA_ID)
    events.deliver(owner)
    contact_id = _conversation(client, owner)["contact"]["id"]
    # THEN no rule ran (a trigger that does not match logs nothing)
    assert runs(client, owner, by_keyword) == [] and runs(client, owner, by_regex) == []
    # WHEN one writes the keyword in capitals without its accent, and another the regex
    customer_writes(container, owner, connection, "Qual o PRECO do plano?", wa_id=WA_ID)
    customer_writes(container, owner, connection, "Quero a PROMOÇÃO!", wa_id=WA_ID)
    events.deliver(owner)
    # THEN each rule ran once, saying what matched
    (keyword_run,) = runs(client, owner, by_keyword)
    (regex_run,) = runs(client, owner, by_regex)
    assert keyword_run["matched"] == {"keyword": "preço"} and keyword_run["status"] == "succeeded"
    assert regex_run["matched"] == {"regex": "PROMOÇÃO"} and regex_run["event_type"] == "message.received"
    assert _tags(client, owner, contact_id) == {quote["id"], promo["id"]}
    assert keyword_run["actions"][0]["outcome"] == "done" and keyword_run["contact_id"] == contact_id


def test_conversation_created_and_closed(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    created_tag, created_actions = _tag_action(client, owner)
    closed_tag, closed_actions = _tag_action(client, owner)
    created = make_rule(client, owner, trigger={"type": "conversation_created"}, actions=created_actions)
    closed = make_rule(client, owner, trigger={"type": "conversation_closed"}, actions=closed_actions)
    events = Events(container)
    customer_writes(container, owner, connection, "oi", wa_id=WA_ID)
    customer_writes(container, owner, connection, "tem alguém?", wa_id=WA_ID)
    events.deliver(owner)
    conversation = _conversation(client, owner)
    assert len(runs(client, owner, created)) == 1  # the second message created no conversation
    assert _tags(client, owner, conversation["contact"]["id"]) == {created_tag["id"]}
    # WHEN the conversation is closed
    assert client.post(f"/v1/conversations/{conversation['id']}/close", headers=owner.headers).status_code == 200
    events.deliver(owner)
    (run,) = runs(client, owner, closed)
    assert run["conversation_id"] == conversation["id"]
    assert _tags(client, owner, conversation["contact"]["id"]) == {created_tag["id"], closed_tag["id"]}


def test_a_tag_added_or_removed_with_or_without_a_tag_filter(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    watched, other = make_tag(client, owner), make_tag(client, owner)
    marker, actions = _tag_action(client, owner)
    added = make_rule(client, owner, trigger={"type": "tag_added", "tag_id": watched["id"]}, actions=actions)
    removed = make_rule(client, owner, trigger={"type": "tag_removed"}, actions=[{"type": "hand_to_ai"}])
    contact = make_contact(client, owner)
    events = Events(container)
    client.put(f"/v1/contacts/{contact['id']}/tags/{other['id']}", headers=owner.headers)
    events.deliver(owner)
    assert runs(client, owner, added) == []
    client.put(f"/v1/contacts/{contact['id']}/tags/{watched['id']}", headers=owner.headers)
    client.put(f"/v1/contacts/{contact['id']}/tags/{watched['id']}", headers=owner.headers)  # no change: no event
    events.deliver(owner)
    (run,) = runs(client, owner, added)
    assert run["matched"] == {"tag_id": watched["id"]}
    assert _tags(client, owner, contact["id"]) == {other["id"], watched["id"], marker["id"]}
    client.delete(f"/v1/contacts/{contact['id']}/tags/{other['id']}", headers=owner.headers)
    events.deliver(owner)
    (run,) = runs(client, owner, removed)
    # the contact has no conversation: the AI action had nothing to act on
    assert run["actions"][0] | {"detail": None} == {"index": 0, "type": "hand_to_ai", "outcome": "skipped",
                                                    "reason": "no_conversation", "detail": None, "error": None,
                                                    "send": None}  # fmt: skip


def test_a_lead_created_moved_and_scheduled(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    qualified, meeting = stage_named(pipeline, "Qualificado"), stage_named(pipeline, "Reunião agendada")
    tag, actions = _tag_action(client, owner)
    created = make_rule(client, owner, trigger={"type": "lead_created", "pipeline_id": pipeline["id"]}, actions=actions)
    into_qualified = make_rule(client, owner, trigger={"type": "lead_stage_changed", "to_stage_id": qualified},
                               actions=actions)  # fmt: skip
    scheduled = make_rule(client, owner, trigger={"type": "appointment_scheduled"}, actions=actions)
    events = Events(container)
    contact = make_contact(client, owner)
    lead = make_lead(client, owner, pipeline, contact_id=contact["id"])
    events.deliver(owner)
    (run,) = runs(client, owner, created)
    assert (run["lead_id"], run["contact_id"]) == (lead["id"], contact["id"])
    assert tag["id"] in _tags(client, owner, contact["id"])
    moved = move(client, owner, lead, qualified)
    assert moved.status_code == 200, moved.text
    start = container.clock.now() + timedelta(days=2)
    appointment = {"title": "Demo", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
                   "timezone": "America/Sao_Paulo"}  # fmt: skip
    assert move(client, owner, moved.json(), meeting, appointment=appointment).status_code == 200
    events.deliver(owner)
    (run,) = runs(client, owner, into_qualified)  # not the move into the meeting stage
    assert run["matched"]["to_stage_id"] == qualified
    (run,) = runs(client, owner, scheduled)
    assert run["event_type"] == "meeting.scheduled" and run["lead_id"] == lead["id"]


def test_a_campaign_reply_and_an_opt_out(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    (recipient,) = _send(client, owner, campaign, container)
    tag, actions = _tag_action(client, owner)
    replied = make_rule(client, owner, trigger={"type": "campaign_replied", "campaign_id": campaign["id"]},
                        actions=actions)  # fmt: skip
    opted_out = make_rule(client, owner, trigger={"type": "contact_opted_out", "channel": "whatsapp"},
                          actions=[{"type": "remove_tag", "tag_id": tag["id"]}])  # fmt: skip
    sms_only = make_rule(client, owner, trigger={"type": "contact_opted_out", "channel": "sms"}, actions=actions)
    events = Events(container)
    events.skip(owner)
    connection = client.get(f"/v1/connections/{campaign['connection_id']}", headers=owner.headers).json()
    wa_id = recipient["phone"].lstrip("+")
    customer_writes(container, owner, connection, "Tenho interesse", wa_id=wa_id)
    events.deliver(owner)
    (run,) = runs(client, owner, replied)
    assert run["matched"] == {"campaign_id": campaign["id"]} and run["contact_id"] == recipient["contact_id"]
    assert tag["id"] in _tags(client, owner, recipient["contact_id"])
    customer_writes(container, owner, connection, "STOP", wa_id=wa_id)
    events.deliver(owner)
    (run,) = runs(client, owner, opted_out)
    assert run["matched"] == {"channel": "whatsapp"} and run["actions"][0]["detail"]["changed"] is True
    assert runs(client, owner, sms_only) == []
    assert tag["id"] not in _tags(client, owner, recipient["contact_id"])


def test_no_reply_fires_once_per_quiet_period(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    clock = install_clock(container)
    tag, actions = _tag_action(client, owner)
    rule = make_rule(client, owner, trigger={"type": "no_reply", "hours": 4}, actions=actions)
    customer_writes(container, owner, connection, "oi", wa_id=WA_ID)
    conversation = _conversation(client, owner)

    def reply(text: str) -> None:
        sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers,
                           json={"text": text})  # fmt: skip
        assert sent.status_code == 201, sent.text

    # WHEN we answer twice and the customer stays quiet for 3 hours THEN nothing yet
    clock.advance(60)
    reply("Olá! Como posso ajudar?")
    clock.advance(60)
    reply("Está aí?")
    clock.advance(3 * 3600)
    assert sweep_quiet(container) == 0
    # WHEN the 4 hours since our first answer have passed THEN the rule runs once, however often the sweep runs
    clock.advance(3600)
    assert sweep_quiet(container) == 1
    clock.advance(3600)
    assert sweep_quiet(container) == 0
    (run,) = runs(client, owner, rule)
    assert (run["event_type"], run["conversation_id"], run["matched"]["hours"]) == ("no_reply", conversation["id"], 4)
    assert tag["id"] in _tags(client, owner, conversation["contact"]["id"])
    # WHEN the customer writes, we answer, and they are quiet again for 4 hours THEN once more
    customer_writes(container, owner, connection, "voltei", wa_id=WA_ID, at=int(clock.now().timestamp()))
    clock.advance(60)
    reply("Que bom!")
    clock.advance(4 * 3600 + 60)
    assert sweep_quiet(container) == 1
    assert sweep_quiet(container) == 0
    assert len(runs(client, owner, rule)) == 2
    assert len({r["event_id"] for r in runs(client, owner, rule)}) == 2
