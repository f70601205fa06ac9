"""WhatsApp templates, through the API: the mirror synced from Meta (every page), creation and deletion
through the Graph API, Meta's limits, parameters mapped to contact fields and filled in for a contact.

Meta is the edge of the world here: ``FakeMeta`` plays the Graph API with Meta's own request and
response examples (tests/fixtures/meta)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from masteria.errors import Invalid
from masteria.templates import whatsapp
from masteria.templates.models import WhatsAppTemplate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from tests.api import Account, invite, make_connection, make_contact, make_custom_field, sign_up
from tests.meta import FakeMeta, create_requests, example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _principal(account: Account) -> Principal:
    return Principal(user_id=uuid.UUID(account.user_id), company_id=uuid.UUID(account.company_id), role=Role.OWNER)


def _meta_templates() -> list[dict[str, Any]]:
    templates: list[dict[str, Any]] = example("get_response_200")["data"]
    return [{**templates[0], "quality_score": {"score": "GREEN"}}, templates[1]]


def _connect(client: TestClient, owner: Account, meta: FakeMeta) -> tuple[str, str]:
    """A connection and its WABA id (in Meta's fake)."""
    connection = make_connection(client, owner, meta)
    return connection["id"], connection["waba_id"]


def test_sync_mirrors_every_page_keeps_mappings_and_removes_what_meta_deleted(
    client: TestClient, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection_id, waba_id = _connect(client, owner, meta)
    meta.templates[waba_id] = _meta_templates()
    sync = f"/v1/connections/{connection_id}/templates/sync"
    agent = invite(client, owner, role="agent")
    assert client.post(sync, headers=agent.headers).status_code == 403  # admins manage templates
    first = client.post(sync, headers=owner.headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"added": 2, "updated": 0, "removed": 0, "total": 2}
    pages = [r for r in meta.requests if r.url.path.endswith("/message_templates")]
    assert len(pages) == 2 and pages[0].url.params["fields"] == whatsapp.FIELDS  # both pages read
    listed = client.get(f"/v1/connections/{connection_id}/templates", headers=owner.headers).json()["items"]
    rows = {t["name"]: t for t in listed}
    promo = rows["2023_april_promo"]
    assert (promo["status"], promo["category"], promo["language"], promo["meta_id"]) == (
        "APPROVED", "MARKETING", "en_US", "920070352646140",
    )  # fmt: skip
    assert promo["parameter_keys"] == ["body.1", "body.2"]
    assert rows["hello_world"]["quality"] == "GREEN"
    mapping = {"parameters": {"body.1": "first_name"}, "defaults": {"body.2": "FALL25"}}
    mapped = client.put(f"/v1/whatsapp-templates/{promo['id']}/parameters", headers=owner.headers, json=mapping)
    assert mapped.status_code == 200, mapped.text
    # Meta pauses one template and deletes the other: the next sync follows, keeping the mapping
    meta.templates[waba_id] = [{**meta.templates[waba_id][1], "status": "PAUSED"}]
    second = client.post(sync, headers=owner.headers).json()
    assert (second["added"], second["updated"], second["removed"]) == (0, 1, 1)
    (kept,) = client.get(f"/v1/connections/{connection_id}/templates", headers=owner.headers).json()["items"]
    assert (kept["status"], kept["parameters"], kept["defaults"]) == (
        "PAUSED",
        mapping["parameters"],
        mapping["defaults"],
    )
    # a second sync with nothing new changes nothing
    assert client.post(sync, headers=owner.headers).json() == {"added": 0, "updated": 0, "removed": 0, "total": 1}


@pytest.mark.parametrize("name", sorted(create_requests()))
def test_meta_create_examples_pass_our_checks_and_are_sent_as_is(name: str, client: TestClient, meta: FakeMeta) -> None:
    body = create_requests()[name]
    if body["name"].startswith("<"):  # Meta's placeholder for a name
        body = {**body, "name": "flow_offer"}
    owner = sign_up(client)
    connection_id, waba_id = _connect(client, owner, meta)
    created = client.post(f"/v1/connections/{connection_id}/templates", headers=owner.headers, json=body)
    assert created.status_code == 201, created.text
    sent = meta.requests[-1]
    assert sent.method == "POST" and sent.url.path == f"/v23.0/{waba_id}/message_templates"
    assert json.loads(sent.content) == body
    assert (created.json()["status"], created.json()["name"]) == (example("post_response_200")["status"], body["name"])
    assert created.json()["meta_id"] == meta.templates[waba_id][0]["id"]


def _body(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "BODY", "text": text, **extra}


def _buttons(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": "BUTTONS", "buttons": list(buttons)}


@pytest.mark.parametrize(
    ("components", "name", "fields"),
    [
        ([_body("x" * 1025)], "ok", ["components.0.text"]),
        ([{"type": "HEADER", "format": "TEXT", "text": "h" * 61}, _body("x")], "ok", ["components.0.text"]),
        ([{"type": "HEADER", "format": "TEXT", "text": "{{1}} {{2}}"}, _body("x")], "ok", ["components.0.text"]),
        ([_body("x"), {"type": "FOOTER", "text": "f" * 61}], "ok", ["components.1.text"]),
        ([_body("Hi {{2}}")], "ok", ["components.0.text"]),
        ([_body("x")], "Bad Name", ["name"]),
        ([{"type": "HEADER", "format": "TEXT", "text": "h"}], "ok", ["components"]),
        (
            [_body("x"), _buttons(*({"type": "QUICK_REPLY", "text": f"b{n}"} for n in range(11)))],
            "ok",
            ["components.1.buttons"],
        ),
        ([_body("x"), _buttons({"type": "QUICK_REPLY", "text": "t" * 26})], "ok", ["components.1.buttons.0.text"]),
        (
            [_body("x"), _buttons(*[{"type": "URL", "text": "u", "url": "https://a/"}] * 3)],
            "ok",
            ["components.1.buttons"],
        ),
        (
            [_body("x"), _buttons(*[{"type": "PHONE_NUMBER", "text": "p", "phone_number": "1"}] * 2)],
            "ok",
            ["components.1.buttons"],
        ),
    ],
)
def test_meta_limits_are_enforced_before_anything_is_sent(
    components: list[dict[str, Any]], name: str, fields: list[str], client: TestClient, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection_id, _ = _connect(client, owner, meta)
    sent_before = len(meta.requests)
    body = {"name": name, "language": "pt_BR", "category": "MARKETING", "components": components}
    refused = client.post(f"/v1/connections/{connection_id}/templates", headers=owner.headers, json=body)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == fields
    assert len(meta.requests) == sent_before  # nothing reached Meta


def test_parameters_filled_in_for_a_contact_with_send_components(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection_id, _ = _connect(client, owner, meta)
    make_custom_field(client, owner, key="coupon", label="Coupon", type="text")
    body = create_requests()["create_template_w_image_header_text_body_text_footer_and_2_call_to_action_buttons"]
    created = client.post(
        f"/v1/connections/{connection_id}/templates",
        headers=owner.headers,
        json={
            **body,
            "parameters": {"body.1": "first_name", "body.2": "custom.coupon", "button.1.1": "custom.coupon"},
            "defaults": {"body.3": "R$ 800", "header.media": "https://cdn.example.com/tuscany.jpg"},
        },
    )
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["parameter_keys"] == ["header.media", "body.1", "body.2", "body.3", "button.1.1"]
    preview = f"/v1/whatsapp-templates/{template['id']}/preview"
    ana = make_contact(client, owner, name="Ana Souza", custom_fields={"coupon": "TUSCAN10"})
    shown = client.post(preview, headers=owner.headers, json={"contact_id": ana["id"]})
    assert shown.status_code == 200, shown.text
    result = shown.json()
    assert result["body"].startswith("Hi Ana! For a limited time only you can get our TUSCAN10 for as low as R$ 800.")
    assert result["header_media"] == {"type": "image", "link": "https://cdn.example.com/tuscany.jpg"}
    assert result["buttons"][1] == {
        "type": "URL", "text": "Shop Now", "url": "https://damp-sea-63235.herokuapp.com/shop?promo=TUSCAN10",
    }  # fmt: skip
    assert result["send_components"] == [
        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://cdn.example.com/tuscany.jpg"}}]},
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana"},
                {"type": "text", "text": "TUSCAN10"},
                {"type": "text", "text": "R$ 800"},
            ],
        },
        {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "TUSCAN10"}]},
    ]
    # a contact without the values: 422 listing every parameter that has neither value nor default
    bare = make_contact(client, owner)
    client.patch(f"/v1/contacts/{bare['id']}", headers=owner.headers, json={"name": None})
    missing = client.post(preview, headers=owner.headers, json={"contact_id": bare["id"]})
    assert missing.status_code == 422
    fields = [e["field"] for e in missing.json()["errors"]]
    assert fields == ["parameters.body.1", "parameters.body.2", "parameters.button.1.1"]
    # mappings must name the template's parameters and known variables
    wrong = client.put(
        f"/v1/whatsapp-templates/{template['id']}/parameters",
        headers=owner.headers,
        json={"parameters": {"body.9": "name", "body.1": "surname"}, "defaults": {"header.media": "ftp://x"}},
    )
    assert wrong.status_code == 422
    assert sorted(e["field"] for e in wrong.json()["errors"]) == [
        "defaults.header.media", "parameters.body.1", "parameters.body.9",
    ]  # fmt: skip


def test_named_parameters_are_sent_with_their_names() -> None:
    row = WhatsAppTemplate(
        parameter_format="NAMED",
        components=[{"type": "BODY", "text": "Oi {{first_name}}, seu pedido {{order}} saiu!"}],
        parameters={"body.first_name": "first_name"},
        defaults={"body.order": "#123"},
    )
    filled = whatsapp.fill(row, {"first_name": "Ana"})
    assert filled.body == "Oi Ana, seu pedido #123 saiu!"
    assert filled.send_components == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana", "parameter_name": "first_name"},
                {"type": "text", "text": "#123", "parameter_name": "order"},
            ],
        }
    ]
    with pytest.raises(Invalid) as too_long:
        whatsapp.fill(row, {"first_name": "A" * 1000})
    assert [e.field for e in too_long.value.errors] == ["body"]  # 1,024 characters once filled in


def test_delete_goes_to_meta_then_removes_the_mirror(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection_id, waba_id = _connect(client, owner, meta)
    meta.templates[waba_id] = _meta_templates()
    client.post(f"/v1/connections/{connection_id}/templates/sync", headers=owner.headers)
    listed = client.get(f"/v1/connections/{connection_id}/templates", headers=owner.headers).json()["items"]
    promo = next(t for t in listed if t["name"] == "2023_april_promo")
    assert client.delete(f"/v1/whatsapp-templates/{promo['id']}", headers=owner.headers).status_code == 204
    deleted = meta.requests[-1]
    assert deleted.method == "DELETE"
    assert dict(deleted.url.params) == {"name": "2023_april_promo", "hsm_id": "920070352646140"}
    assert [t["name"] for t in meta.templates[waba_id]] == ["hello_world"]
    remaining = client.get(f"/v1/connections/{connection_id}/templates", headers=owner.headers).json()["items"]
    assert [t["name"] for t in remaining] == ["hello_world"]
