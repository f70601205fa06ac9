"""The automation rules API: create, read, change, order, enable and disable, delete (admins); bad input is a 422
naming its field (unknown types, another company's ids, an unsafe regex) and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api import Account, invite, make_contact, make_tag, sign_up
from tests.automations_api import make_rule
from tests.pipelines_api import make_lead, pipeline_of

TAG_ADDED = {"type": "tag_added"}


def _errors(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def _post(client: TestClient, account: Account, **body: Any) -> Any:
    return client.post("/v1/automations", headers=account.headers, json={"name": "Rule", **body})


def test_a_rule_is_created_read_changed_and_deleted(client: TestClient) -> None:
    owner = sign_up(client)
    tag = make_tag(client, owner)
    # WHEN an admin creates a rule
    rule = make_rule(
        client, owner, trigger={"type": "message_received", "keywords": ["preço"]},
        conditions=[{"type": "channel", "channels": ["whatsapp"]}],
        actions=[{"type": "add_tag", "tag_id": tag["id"]}, {"type": "hand_to_ai"}],
    )  # fmt: skip
    # THEN it is stored as given, with the defaults filled in, first in the order and enabled
    assert rule["trigger"] == {"type": "message_received", "keywords": ["preço"], "regex": None}
    assert rule["actions"] == [{"type": "add_tag", "tag_id": tag["id"]}, {"type": "hand_to_ai"}]
    assert (rule["position"], rule["enabled"], rule["on_failure"]) == (0, True, "stop")
    assert client.get(f"/v1/automations/{rule['id']}", headers=owner.headers).json() == rule
    # WHEN it is changed
    changed = client.patch(
        f"/v1/automations/{rule['id']}", headers=owner.headers,
        json={"name": "Preço", "conditions": [], "on_failure": "continue"},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["conditions"], body["on_failure"], body["trigger"]) == (
        "Preço", [], "continue", rule["trigger"]
    )  # fmt: skip
    # WHEN it is disabled, then enabled
    disabled = client.post(f"/v1/automations/{rule['id']}/disable", headers=owner.headers).json()
    assert disabled["enabled"] is False
    assert client.post(f"/v1/automations/{rule['id']}/enable", headers=owner.headers).json()["enabled"] is True
    # WHEN it is deleted THEN it is gone
    assert client.delete(f"/v1/automations/{rule['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/v1/automations/{rule['id']}", headers=owner.headers).status_code == 404
    assert client.get("/v1/automations", headers=owner.headers).json() == []


def test_rules_are_put_in_order_with_every_rule_named_once(client: TestClient) -> None:
    owner = sign_up(client)
    first, second, third = (make_rule(client, owner, trigger=TAG_ADDED, actions=[{"type": "hand_to_ai"}])
                            for _ in range(3))  # fmt: skip
    assert [r["id"] for r in client.get("/v1/automations", headers=owner.headers).json()] == [
        first["id"], second["id"], third["id"]
    ]  # fmt: skip
    order = [third["id"], first["id"], second["id"]]
    moved = client.put("/v1/automations/order", headers=owner.headers, json={"ids": order})
    assert moved.status_code == 200, moved.text
    assert [(r["id"], r["position"]) for r in moved.json()] == [(order[0], 0), (order[1], 1), (order[2], 2)]
    assert [r["id"] for r in client.get("/v1/automations", headers=owner.headers).json()] == order
    # a list missing one, or naming one twice, is refused
    missing = client.put("/v1/automations/order", headers=owner.headers, json={"ids": order[:2]})
    assert _errors(missing) == [("ids", "order_mismatch")]
    twice = client.put("/v1/automations/order", headers=owner.headers, json={"ids": [*order, order[0]]})
    assert _errors(twice) == [("ids", "order_mismatch")]


def test_unknown_types_are_field_errors(client: TestClient) -> None:
    owner = sign_up(client)
    assert _errors(_post(client, owner, trigger={"type": "moon_rose"}, actions=[{"type": "hand_to_ai"}])) == [
        ("trigger", "unknown_type")
    ]
    refused = _post(client, owner, trigger=TAG_ADDED, actions=[{"type": "hand_to_ai"}, {"type": "teleport"}])
    assert _errors(refused) == [("actions.1", "unknown_type")]
    refused = _post(client, owner, trigger=TAG_ADDED, conditions=[{"type": "moon"}], actions=[{"type": "hand_to_ai"}])
    assert _errors(refused) == [("conditions.0", "unknown_type")]
    surprise = _post(client, owner, trigger={**TAG_ADDED, "surprise": 1}, actions=[{"type": "hand_to_ai"}])
    assert _errors(surprise) == [("trigger.surprise", "extra_forbidden")]
    assert _errors(_post(client, owner, trigger=TAG_ADDED, actions=[])) == [("actions", "too_short")]
    assert client.get("/v1/automations", headers=owner.headers).json() == []


def test_another_companys_ids_are_unknown(client: TestClient) -> None:
    owner, other = sign_up(client), sign_up(client)
    theirs_tag, theirs_user = make_tag(client, other), invite(client, other)
    theirs_lead = make_lead(client, other, pipeline_of(client, other))
    actions = [
        {"type": "add_tag", "tag_id": theirs_tag["id"]},
        {"type": "assign_round_robin", "user_ids": [owner.user_id, theirs_user.user_id]},
        {"type": "move_lead", "stage_id": theirs_lead["stage_id"]},
        {"type": "enroll_in_cadence", "cadence_id": theirs_lead["id"]},
        {"type": "send_template", "template_id": theirs_lead["id"]},
        {"type": "notify", "to": "user", "text": "Oi {{contact.nickname}}"},
    ]
    refused = _post(
        client, owner, trigger={"type": "tag_added", "tag_id": theirs_tag["id"]}, actions=actions,
        conditions=[{"type": "segment", "segment_id": theirs_tag["id"]}, {"type": "custom_field", "key": "plan",
                                                                            "op": "eq", "value": "pro"}],
    )  # fmt: skip
    assert sorted(_errors(refused)) == sorted([
        ("trigger.tag_id", "unknown_tag"),
        ("conditions.0.segment_id", "unknown_segment"),
        ("conditions.1.key", "unknown_custom_field"),
        ("actions.0.tag_id", "unknown_tag"),
        ("actions.1.user_ids.1", "unknown_user"),
        ("actions.2.stage_id", "unknown_stage"),
        ("actions.3.cadence_id", "unknown_cadence"),
        ("actions.4.template_id", "unknown_template"),
        ("actions.5.text", "unknown_variable"),
        ("actions.5.user_id", "user_required"),
    ])  # fmt: skip
    assert client.get("/v1/automations", headers=owner.headers).json() == []


def test_an_unsafe_or_invalid_regex_is_refused(client: TestClient) -> None:
    owner = sign_up(client)
    for pattern in ("(a+)+$", "(a|aa)*b", "(x*)*", r"(\w+)\1", "[unclosed", "a*b*c*d", "x" * 201):
        refused = _post(client, owner, trigger={"type": "message_received", "regex": pattern},
                        actions=[{"type": "hand_to_ai"}])  # fmt: skip
        assert _errors(refused) == [("trigger.regex", "unsafe_regex")], pattern
    for pattern in (r"\bpromo\w*", "(preço|valor)", r"^quero (comprar|assinar)", "a{2,5}b", "(ab){3}"):
        make_rule(client, owner, trigger={"type": "message_received", "regex": pattern},
                  actions=[{"type": "hand_to_ai"}])  # fmt: skip


def test_only_admins_manage_rules(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    rule = make_rule(client, owner, trigger=TAG_ADDED, actions=[{"type": "hand_to_ai"}])
    assert client.get("/v1/automations", headers=agent.headers).status_code == 403
    assert client.get(f"/v1/automations/{rule['id']}/runs", headers=agent.headers).status_code == 403
    refused = client.post("/v1/automations", headers=agent.headers,
                          json={"name": "x", "trigger": TAG_ADDED, "actions": [{"type": "hand_to_ai"}]})  # fmt: skip
    assert refused.status_code == 403
    assert make_contact(client, agent)  # the agent works as before
