"""Cadences through the API: create and read, step validation against the company, versions, activation,
enrollment rules (at most once at a time, re-enrollment, opt-outs, bulk by ids, list or segment), exits by hand,
moving enrollments between versions, the timeline preview and deletion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import Account, approved_template, invite, make_connection, make_contact, make_tag, sign_up
from tests.cadences_api import enroll, enrollment, install_clock, make_cadence, tick
from tests.meta import FakeMeta
from tests.pipelines_api import pipeline_of

WAIT_HOUR = {"kind": "wait", "duration_seconds": 3600}


def _fields(response: Any) -> dict[str, str]:
    """The problem's field errors: field → code."""
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def _contact_tags(client: TestClient, account: Account, contact_id: str) -> set[str]:
    contact = client.get(f"/v1/contacts/{contact_id}", headers=account.headers).json()
    return {t["id"] for t in contact["tags"]}


def test_a_cadence_is_created_read_listed_and_versioned_on_each_edit_of_its_steps(client: TestClient) -> None:
    owner = sign_up(client)
    tag = make_tag(client, owner)
    steps = [WAIT_HOUR, {"kind": "tag", "tag_id": tag["id"]}]
    # WHEN a cadence is created
    cadence = make_cadence(client, owner, steps=steps, window={"days": [5, 1, 1], "start_time": "09:00",
                                                              "end_time": "18:00"})  # fmt: skip
    # THEN it is a draft at version 1, with its steps, window and defaults
    assert cadence["status"] == "draft" and cadence["current_version"] == 1
    assert cadence["exit_on_reply"] is True and cadence["allow_reenrollment"] is False
    assert [s["kind"] for s in cadence["steps"]] == ["wait", "tag"]
    assert cadence["window"]["days"] == [1, 5] and cadence["window"]["start_time"] == "09:00:00"
    assert cadence["enrollments"] == {"active": 0, "sending": 0, "completed": 0, "exited": 0}
    listed = client.get("/v1/cadences", headers=owner.headers).json()["items"]
    assert [c["id"] for c in listed] == [cadence["id"]]
    # WHEN only a setting changes, no version is written
    renamed = client.patch(f"/v1/cadences/{cadence['id']}", headers=owner.headers, json={"name": "Follow-up"})
    assert renamed.status_code == 200 and renamed.json()["current_version"] == 1
    # WHEN the steps change (naming the version read), version 2 is written and current
    edited = client.patch(
        f"/v1/cadences/{cadence['id']}", headers=owner.headers, json={"steps": [WAIT_HOUR], "version": 1}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["current_version"] == 2 and [s["kind"] for s in edited.json()["steps"]] == ["wait"]
    versions = client.get(f"/v1/cadences/{cadence['id']}/versions", headers=owner.headers).json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    first = client.get(f"/v1/cadences/{cadence['id']}/versions/1", headers=owner.headers).json()
    assert [s["kind"] for s in first["steps"]] == ["wait", "tag"]
    # AND an edit from a stale version is a 409, steps without a version a 422
    stale = client.patch(f"/v1/cadences/{cadence['id']}", headers=owner.headers, json={"steps": steps, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bare = client.patch(f"/v1/cadences/{cadence['id']}", headers=owner.headers, json={"steps": steps})
    assert bare.status_code == 422
    missing = client.get(f"/v1/cadences/{cadence['id']}/versions/9", headers=owner.headers)
    assert missing.status_code == 404


def test_bad_steps_are_422s_on_their_fields_and_another_companys_ids_are_unknown(
    client: TestClient, meta: FakeMeta
) -> None:
    owner, other = sign_up(client), sign_up(client)
    theirs_tag = make_tag(client, other)
    theirs_user = invite(client, other)
    theirs_stage = pipeline_of(client, other)["stages"][0]["id"]
    connection = make_connection(client, owner, meta)
    steps = [
        {"kind": "send_template", "template_id": str(uuid.uuid4()), "parameters": {"body.1": "contact.custom.nope"}},
        {"kind": "tag", "tag_id": theirs_tag["id"]},
        {"kind": "branch", "condition": {"type": "lead_in_stage", "stage_id": theirs_stage}, "then_step": 1},
        {"kind": "notify", "user_id": theirs_user.user_id, "text": "Oi {{contact.nickname}}"},
        {"kind": "send_sms", "text": "Oi"},
        {"kind": "branch", "condition": {"type": "replied_since_last_step"}, "else_step": 9},
    ]
    # WHEN a cadence names them
    response = client.post(
        "/v1/cadences", headers=owner.headers, json={"name": "Bad", "connection_id": connection["id"], "steps": steps}
    )
    # THEN each is a 422 on its own field
    assert response.status_code == 422, response.text
    assert _fields(response) == {
        "steps.0.template_id": "unknown_template",
        "steps.0.parameters.body.1": "unknown_variable",
        "steps.1.tag_id": "unknown_tag",
        "steps.2.condition.stage_id": "unknown_stage",
        "steps.2.then_step": "backward_jump",
        "steps.3.user_id": "unknown_user",
        "steps.3.text": "unknown_variable",
        "steps.4.kind": "wrong_channel",
        "steps.5.else_step": "jump_out_of_range",
    }
    # AND shapes pydantic refuses are 422s too: an unknown kind, an unknown field, a wait with both or neither
    for bad in (
        {"kind": "teleport"},
        {"kind": "tag", "tag_id": theirs_tag["id"], "colour": "red"},
        {"kind": "wait", "duration_seconds": 3600, "until_time": "09:00"},
        {"kind": "wait"},
        {"kind": "send_text", "text": "Oi", "outside_window": "template"},
    ):
        refused = client.post("/v1/cadences", headers=owner.headers, json={"name": "Bad", "steps": [bad]})
        assert refused.status_code == 422, (bad, refused.text)
    settings = client.post(
        "/v1/cadences", headers=owner.headers,
        json={"name": "Bad", "steps": [WAIT_HOUR], "goal_tag_id": theirs_tag["id"], "segment_mode": "once"},
    )  # fmt: skip
    assert _fields(settings) == {"goal_tag_id": "unknown_tag", "segment_id": "segment_required"}
    assert client.get("/v1/cadences", headers=owner.headers).json()["items"] == []


def test_a_valid_template_step_on_its_number_is_accepted(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    template = approved_template(client, owner, meta, connection)
    field = client.post(
        "/v1/custom-fields", headers=owner.headers, json={"key": "plan", "label": "Plan", "type": "text"}
    )
    assert field.status_code == 201
    steps = [
        {"kind": "send_template", "template_id": template["id"], "parameters": {"body.1": "contact.custom.plan"}},
        {"kind": "send_text", "text": "Oi {{contact.first_name}}, {{lead.value}}", "outside_window": "template",
         "fallback": {"template_id": template["id"]}},
    ]  # fmt: skip
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True)
    assert cadence["status"] == "active"
    # a template of another number is refused
    other_number = make_connection(client, owner, meta)
    moved = client.patch(f"/v1/cadences/{cadence['id']}", headers=owner.headers,
                         json={"connection_id": other_number["id"]})  # fmt: skip
    assert moved.status_code == 422 and _fields(moved)["steps.0.template_id"] == "template_other_connection"


def test_enrollment_is_once_at_a_time_and_again_only_when_allowed(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, other = sign_up(client), sign_up(client)
    connection = make_connection(client, owner, meta)
    cadence = make_cadence(client, owner, steps=[WAIT_HOUR])
    contact = make_contact(client, owner)
    # a draft takes no enrollments, and a cadence needs its number to run
    assert enroll(client, owner, cadence, contact["id"]).status_code == 409
    unready = client.post(f"/v1/cadences/{cadence['id']}/activate", headers=owner.headers)
    assert unready.status_code == 422 and _fields(unready) == {"connection_id": "connection_required"}
    client.patch(f"/v1/cadences/{cadence['id']}", headers=owner.headers, json={"connection_id": connection["id"]})
    assert client.post(f"/v1/cadences/{cadence['id']}/activate", headers=owner.headers).status_code == 200
    # WHEN a contact is enrolled
    first = enroll(client, owner, cadence, contact["id"])
    assert first.status_code == 201, first.text
    assert first.json()["state"] == "active" and first.json()["step_index"] == 0 and first.json()["version"] == 1
    # THEN it is in it once at a time
    again = enroll(client, owner, cadence, contact["id"])
    assert again.status_code == 409 and again.json()["code"] == "already_enrolled"
    # WHEN it exits by hand, it may not come back while re-enrollment is off
    out = client.post(f"/v1/cadences/{cadence['id']}/enrollments/{first.json()['id']}/exit", headers=owner.headers)
    assert out.status_code == 200 and out.json()["state"] == "exited" and out.json()["exit_reason"] == "manual"
    assert client.post(f"/v1/cadences/{cadence['id']}/enrollments/{first.json()['id']}/exit",
                       headers=owner.headers).status_code == 409  # fmt: skip
    refused = enroll(client, owner, cadence, contact["id"])
    assert refused.status_code == 409 and refused.json()["code"] == "not_enrollable"
    client.patch(f"/v1/cadences/{cadence['id']}", headers=owner.headers, json={"allow_reenrollment": True})
    assert enroll(client, owner, cadence, contact["id"], source="api").json()["source"] == "api"
    # an opted-out contact is not enrolled; another company's contact is unknown
    opted = make_contact(client, owner)
    client.put(f"/v1/contacts/{opted['id']}/consent/whatsapp", headers=owner.headers, json={"status": "opted_out"})
    assert enroll(client, owner, cadence, opted["id"]).json()["code"] == "not_enrollable"
    theirs = enroll(client, owner, cadence, make_contact(client, other)["id"])
    assert theirs.status_code == 422 and _fields(theirs) == {"contact_id": "unknown_contact"}
    # AND the list filters by state
    exited = client.get(f"/v1/cadences/{cadence['id']}/enrollments?state=exited", headers=owner.headers).json()
    assert [e["id"] for e in exited["items"]] == [first.json()["id"]]
    assert client.get(f"/v1/cadences/{cadence['id']}", headers=owner.headers).json()["enrollments"] == {
        "active": 1, "sending": 0, "completed": 0, "exited": 1,
    }  # fmt: skip


def test_bulk_enrollment_by_ids_list_or_segment_skips_the_ineligible(client: TestClient, meta: FakeMeta) -> None:
    owner, other = sign_up(client), sign_up(client)
    connection = make_connection(client, owner, meta)
    cadence = make_cadence(client, owner, steps=[WAIT_HOUR], connection_id=connection["id"], activate=True)
    contacts = [make_contact(client, owner) for _ in range(4)]
    url = f"/v1/cadences/{cadence['id']}/enrollments/bulk"
    # by ids: another company's contact is skipped
    ids = [contacts[0]["id"], contacts[1]["id"], make_contact(client, other)["id"]]
    assert client.post(url, headers=owner.headers, json={"contact_ids": ids}).json() == {"enrolled": 2, "skipped": 1}
    # by list: the members not enrolled yet
    listed = client.post("/v1/lists", headers=owner.headers, json={"name": "VIP"}).json()
    added = client.post(
        "/v1/contacts/bulk",
        headers=owner.headers,
        json={"action": "add_to_list", "target_id": listed["id"], "contact_ids": [c["id"] for c in contacts[1:3]]},
    )
    assert added.status_code == 200, added.text  # fmt: skip
    members = client.post(url, headers=owner.headers, json={"list_id": listed["id"]}).json()
    assert members == {"enrolled": 1, "skipped": 1}  # contacts[1] is in already
    # by segment: everyone matching, once
    segment = client.post("/v1/segments", headers=owner.headers, json={"name": "All", "filter": {}}).json()
    assert client.post(url, headers=owner.headers, json={"segment_id": segment["id"]}).json() == {
        "enrolled": 1, "skipped": 3}  # fmt: skip
    total = client.get(f"/v1/cadences/{cadence['id']}", headers=owner.headers).json()["enrollments"]["active"]
    assert total == 4
    # exactly one way to choose
    both = client.post(url, headers=owner.headers, json={"list_id": listed["id"], "segment_id": segment["id"]})
    assert both.status_code == 422
    unknown = client.post(url, headers=owner.headers, json={"segment_id": str(uuid.uuid4())})
    assert _fields(unknown) == {"segment_id": "unknown_segment"}


def test_enrollments_finish_on_their_version_unless_moved(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    clock = install_clock(container)
    first_tag, second_tag = make_tag(client, owner), make_tag(client, owner)
    connection = make_connection(client, owner, meta)
    cadence = make_cadence(client, owner, steps=[WAIT_HOUR, {"kind": "tag", "tag_id": first_tag["id"]}],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    stays, moves = make_contact(client, owner), make_contact(client, owner)
    staying = enroll(client, owner, cadence, stays["id"]).json()
    moving = enroll(client, owner, cadence, moves["id"]).json()
    assert tick(container)["steps"] == 2  # both waits ran
    # WHEN the running cadence's steps change
    edited = client.patch(
        f"/v1/cadences/{cadence['id']}",
        headers=owner.headers,
        json={"steps": [WAIT_HOUR, {"kind": "tag", "tag_id": second_tag["id"]}], "version": 1},
    )
    assert edited.json()["current_version"] == 2  # fmt: skip
    # AND one enrollment is moved to the current version
    moved = client.post(f"/v1/cadences/{cadence['id']}/enrollments/move", headers=owner.headers,
                        json={"enrollment_ids": [moving["id"]]})  # fmt: skip
    assert moved.json() == {"moved": 1, "version": 2}
    versions = client.get(f"/v1/cadences/{cadence['id']}/versions", headers=owner.headers).json()["items"]
    assert {v["version"]: v["live_enrollments"] for v in versions} == {2: 1, 1: 1}
    clock.advance(3600)
    tick(container)
    # THEN the one left runs its own version's step, the moved one the new version's
    assert _contact_tags(client, owner, stays["id"]) == {first_tag["id"]}
    assert _contact_tags(client, owner, moves["id"]) == {second_tag["id"]}
    assert enrollment(client, owner, cadence, staying["id"])["state"] == "completed"
    assert enrollment(client, owner, cadence, moving["id"])["version"] == 2


def test_the_preview_puts_each_step_in_time_with_the_window(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    # a Saturday, 09:00 in São Paulo (the company's timezone)
    install_clock(container, datetime(2030, 1, 5, 12, 0, tzinfo=UTC))
    steps: list[dict[str, Any]] = [
        {"kind": "send_text", "text": "Oi"},
        {"kind": "wait", "duration_seconds": 2 * 86400},
        {"kind": "branch", "condition": {"type": "replied_since_last_step"}, "then_step": 4},
        {"kind": "send_text", "text": "E aí?"},
        {"kind": "wait", "until_time": "08:00"},
    ]
    window = {"days": [1, 2, 3, 4, 5], "start_time": "09:00", "end_time": "18:00"}
    cadence = make_cadence(client, owner, steps=steps, window=window)
    preview = client.get(f"/v1/cadences/{cadence['id']}/preview", headers=owner.headers)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["timezone"] == "America/Sao_Paulo"
    at = [(s["kind"], s["at"], s["shifted"]) for s in body["steps"]]
    # the first send waits for Monday 09:00 local (12:00 UTC); two days later is Wednesday, in the window
    assert at[0] == ("send_text", "2030-01-07T12:00:00Z", True)
    assert at[1] == ("wait", "2030-01-07T12:00:00Z", False)
    assert at[2][1] == "2030-01-09T12:00:00Z" and "then step 4" in body["steps"][2]["note"]
    assert at[3] == ("send_text", "2030-01-09T12:00:00Z", False)
    assert at[4] == ("wait", "2030-01-09T12:00:00Z", False)
    unknown = client.get(f"/v1/cadences/{cadence['id']}/preview?contact_id={uuid.uuid4()}", headers=owner.headers)
    assert unknown.status_code == 404


def test_a_cadence_with_enrollments_is_archived_not_deleted(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    draft = make_cadence(client, owner, steps=[WAIT_HOUR])
    assert client.delete(f"/v1/cadences/{draft['id']}", headers=owner.headers).status_code == 204
    connection = make_connection(client, owner, meta)
    cadence = make_cadence(client, owner, steps=[WAIT_HOUR], connection_id=connection["id"], activate=True)
    live = enroll(client, owner, cadence, make_contact(client, owner)["id"]).json()
    refused = client.delete(f"/v1/cadences/{cadence['id']}", headers=owner.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "has_enrollments"
    paused = client.post(f"/v1/cadences/{cadence['id']}/pause", headers=owner.headers)
    assert paused.json()["status"] == "paused"
    archived = client.post(f"/v1/cadences/{cadence['id']}/archive", headers=owner.headers)
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    ended = enrollment(client, owner, cadence, live["id"])
    assert ended["state"] == "exited" and ended["exit_reason"] == "cadence_archived"
    assert client.post(f"/v1/cadences/{cadence['id']}/activate", headers=owner.headers).status_code == 409
    agent = invite(client, owner)
    assert (
        client.post("/v1/cadences", headers=agent.headers, json={"name": "x", "steps": [WAIT_HOUR]}).status_code == 403
    )
