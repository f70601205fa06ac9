"""Lists, segments with live counts, bulk actions by ids or by filter, and their audit log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api import Account, invite, make_contact, make_custom_field, make_tag, sign_up


def _preview(client: TestClient, owner: Account, segment: dict[str, Any]) -> int:
    response = client.post("/v1/segments/preview", headers=owner.headers, json={"filter": segment})
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


def test_segment_conditions_and_live_counts(client: TestClient) -> None:
    owner = sign_up(client)
    vip, lead = make_tag(client, owner, "vip"), make_tag(client, owner, "lead")
    make_custom_field(client, owner, key="seats", label="Seats", type="number")
    make_custom_field(client, owner, key="plan", label="Plan", type="select", options=["basic", "pro"])
    news = client.post("/v1/lists", headers=owner.headers, json={"name": "News"}).json()
    a = make_contact(client, owner, custom_fields={"seats": 10, "plan": "pro"})
    b = make_contact(client, owner, custom_fields={"seats": 2, "plan": "basic"})
    c = make_contact(client, owner)
    for contact, tags in ((a, [vip, lead]), (b, [lead])):
        for tag in tags:
            client.put(f"/v1/contacts/{contact['id']}/tags/{tag['id']}", headers=owner.headers)
    client.post(
        "/v1/contacts/bulk",
        headers=owner.headers,
        json={"action": "add_to_list", "target_id": news["id"], "contact_ids": [a["id"], c["id"]]},
    )
    client.put(f"/v1/contacts/{c['id']}/consent/whatsapp", headers=owner.headers, json={"status": "opted_out"})

    assert _preview(client, owner, {}) == 3
    assert _preview(client, owner, {"tags_any": [vip["id"], lead["id"]]}) == 2
    assert _preview(client, owner, {"tags_all": [vip["id"], lead["id"]]}) == 1
    assert _preview(client, owner, {"tags_none": [lead["id"]]}) == 1
    assert _preview(client, owner, {"lists_any": [news["id"]]}) == 2
    assert _preview(client, owner, {"lists_none": [news["id"]]}) == 1
    assert _preview(client, owner, {"custom_fields": [{"key": "seats", "op": "gt", "value": 5}]}) == 1
    assert _preview(client, owner, {"custom_fields": [{"key": "plan", "op": "eq", "value": "basic"}]}) == 1
    assert _preview(client, owner, {"custom_fields": [{"key": "plan", "op": "missing"}]}) == 1
    assert _preview(client, owner, {"consent": {"channel": "whatsapp", "status": "opted_out"}}) == 1
    assert _preview(client, owner, {"consent": {"channel": "whatsapp", "status": "unknown"}}) == 2
    assert _preview(client, owner, {"created_to": "2000-01-01T00:00:00Z"}) == 0
    assert client.post("/v1/segments/preview", headers=owner.headers, json={"filter": {"colour": 1}}).status_code == 422

    # a saved segment counts live, and lists its contacts through /v1/contacts
    saved = client.post(
        "/v1/segments", headers=owner.headers, json={"name": "Leads", "filter": {"tags_any": [lead["id"]]}}
    ).json()
    assert saved["count"] == 2
    client.delete(f"/v1/contacts/{b['id']}/tags/{lead['id']}", headers=owner.headers)
    assert client.get(f"/v1/segments/{saved['id']}", headers=owner.headers).json()["count"] == 1
    members = client.get(f"/v1/contacts?segment_id={saved['id']}", headers=owner.headers).json()["items"]
    assert [m["id"] for m in members] == [a["id"]]
    in_list = client.get(f"/v1/contacts?list_id={news['id']}&order=oldest", headers=owner.headers).json()["items"]
    assert [m["id"] for m in in_list] == [a["id"], c["id"]]
    assert client.get("/v1/lists", headers=owner.headers).json()["items"][0]["member_count"] == 2
    duplicate = client.post("/v1/segments", headers=owner.headers, json={"name": "leads", "filter": {}})
    assert duplicate.status_code == 409


def test_bulk_by_filter_is_admin_only_idempotent_and_audited(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    tag = make_tag(client, owner, "promo")
    contacts = [make_contact(client, owner) for _ in range(5)]
    everyone: dict[str, Any] = {"action": "tag", "target_id": tag["id"], "filter": {}}
    assert client.post("/v1/contacts/bulk", headers=agent.headers, json=everyone).status_code == 403
    first = client.post("/v1/contacts/bulk", headers=owner.headers, json=everyone).json()
    assert first == {"matched": 5, "changed": 5}
    again = client.post("/v1/contacts/bulk", headers=owner.headers, json=everyone).json()
    assert again == {"matched": 5, "changed": 0}
    some = {"action": "untag", "target_id": tag["id"], "contact_ids": [c["id"] for c in contacts[:2]]}
    assert client.post("/v1/contacts/bulk", headers=agent.headers, json=some).json() == {"matched": 2, "changed": 2}
    neither = client.post("/v1/contacts/bulk", headers=owner.headers, json={"action": "tag", "target_id": tag["id"]})
    assert neither.status_code == 422
    log = client.get("/v1/audit-log", headers=owner.headers).json()["items"]
    assert [(e["action"], e["count"]) for e in log] == [
        ("contacts.bulk.untag", 2),
        ("contacts.bulk.tag", 0),
        ("contacts.bulk.tag", 5),
    ]
    assert log[0]["actor_user_id"] == agent.user_id
    assert client.get("/v1/audit-log", headers=agent.headers).status_code == 403
