"""WhatsApp templates: the mirror synced from Meta (every page), creation and deletion through the Graph
API, Meta's limits, parameters mapped to contact fields and filled in for a contact.

Meta is the edge of the world here: an ``httpx.MockTransport`` plays the Graph API with Meta's own
request and response examples (tests/fixtures/meta)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from masteria.channels.graph import GraphClient
from masteria.errors import Invalid
from masteria.templates import whatsapp
from masteria.templates.schemas import WhatsAppParameters, WhatsAppTemplateCreate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from tests.api import Account, make_contact, make_custom_field, sign_up
from tests.meta import create_requests, example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACCESS = whatsapp.WabaAccess(waba_id="102290129340398", token="token-1")


class FakeGraph:
    """Meta's message templates endpoints, answering with Meta's examples and recording every request."""

    def __init__(self, templates: list[dict[str, Any]]) -> None:
        self.templates = templates
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["authorization"] == f"Bearer {ACCESS.token}"
        assert request.url.path == f"/v23.0/{ACCESS.waba_id}/message_templates"
        if request.method == "GET":  # one template per page, to prove every page is read
            at = int(request.url.params.get("after", "0"))
            page: dict[str, Any] = {"data": self.templates[at : at + 1], "paging": {"cursors": {"after": str(at + 1)}}}
            if at + 1 < len(self.templates):
                page["paging"]["next"] = str(request.url.copy_merge_params({"after": str(at + 1)}))
            return httpx.Response(200, json=page)
        if request.method == "POST":
            return httpx.Response(200, json=example("post_response_200"))
        if request.method == "DELETE":
            return httpx.Response(200, json=example("delete_response_200"))
        return httpx.Response(405)


def _principal(account: Account) -> Principal:
    return Principal(user_id=uuid.UUID(account.user_id), company_id=uuid.UUID(account.company_id), role=Role.OWNER)


def _graph(fake: FakeGraph) -> GraphClient:
    return GraphClient(httpx.Client(transport=httpx.MockTransport(fake)))


def _meta_templates() -> list[dict[str, Any]]:
    templates: list[dict[str, Any]] = example("get_response_200")["data"]
    return [{**templates[0], "quality_score": {"score": "GREEN"}}, templates[1]]


def test_sync_mirrors_every_page_keeps_mappings_and_removes_what_meta_deleted(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    actor = _principal(owner)
    fake = FakeGraph(_meta_templates())
    with container.database.tenant(actor.company_id) as session:
        first = whatsapp.sync_templates(session=session, actor=actor, graph=_graph(fake), access=ACCESS, now=NOW)
    assert (first.added, first.updated, first.removed, first.total) == (2, 0, 0, 2)
    assert len([r for r in fake.requests if r.method == "GET"]) == 2  # both pages
    assert fake.requests[0].url.params["fields"] == whatsapp.FIELDS
    with container.database.tenant(actor.company_id) as session:
        rows = {t.name: t for t in whatsapp.list_templates(session=session, actor=actor)}
        promo = rows["2023_april_promo"]
        assert (promo.status, promo.category, promo.language, promo.meta_id) == (
            "APPROVED", "MARKETING", "en_US", "920070352646140",
        )  # fmt: skip
        assert promo.parameter_keys == ["body.1", "body.2"]
        assert rows["hello_world"].quality == "GREEN"
        whatsapp.map_parameters(
            session=session,
            actor=actor,
            template_id=promo.id,
            data=WhatsAppParameters(parameters={"body.1": "first_name"}, defaults={"body.2": "FALL25"}),
        )
    # Meta pauses one template and deletes the other: the next sync follows, keeping the mapping
    fake.templates = [{**fake.templates[1], "status": "PAUSED"}]
    with container.database.tenant(actor.company_id) as session:
        second = whatsapp.sync_templates(session=session, actor=actor, graph=_graph(fake), access=ACCESS, now=NOW)
        assert (second.added, second.updated, second.removed) == (0, 1, 1)
        (kept,) = whatsapp.list_templates(session=session, actor=actor)
        assert (kept.status, kept.parameters, kept.defaults) == (
            "PAUSED",
            {"body.1": "first_name"},
            {"body.2": "FALL25"},
        )
    # another company sees none of it
    other = _principal(sign_up(client))
    with container.database.tenant(other.company_id) as session:
        assert whatsapp.list_templates(session=session, actor=other) == []


@pytest.mark.parametrize("name", sorted(create_requests()))
def test_meta_create_examples_pass_our_checks_and_are_sent_as_is(
    name: str, client: TestClient, container: Container
) -> None:
    body = create_requests()[name]
    if body["name"].startswith("<"):  # Meta's placeholder for a name
        body = {**body, "name": "flow_offer"}
    owner = sign_up(client)
    actor = _principal(owner)
    fake = FakeGraph([])
    data = WhatsAppTemplateCreate.model_validate(body)
    with container.database.tenant(actor.company_id) as session:
        created = whatsapp.create_template(
            session=session, actor=actor, graph=_graph(fake), access=ACCESS, data=data, now=NOW
        )
    (sent,) = fake.requests
    assert sent.method == "POST" and json.loads(sent.content) == body
    response = example("post_response_200")
    assert (created.meta_id, created.status, created.name) == (response["id"], response["status"], body["name"])


def _body(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "BODY", "text": text, **extra}


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
            [_body("x"), {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": f"b{n}"} for n in range(11)]}],
            "ok",
            ["components.1.buttons"],
        ),
        (
            [_body("x"), {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "t" * 26}]}],
            "ok",
            ["components.1.buttons.0.text"],
        ),
        (
            [_body("x"), {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "u", "url": "https://a/"}] * 3}],
            "ok",
            ["components.1.buttons"],
        ),
        (
            [
                _body("x"),
                {"type": "BUTTONS", "buttons": [{"type": "PHONE_NUMBER", "text": "p", "phone_number": "1"}] * 2},
            ],
            "ok",
            ["components.1.buttons"],
        ),
    ],
)
def test_meta_limits_are_enforced_before_anything_is_sent(
    components: list[dict[str, Any]], name: str, fields: list[str]
) -> None:
    data = WhatsAppTemplateCreate(name=name, language="pt_BR", category="MARKETING", components=components)
    with pytest.raises(Invalid) as refused:
        whatsapp.check_template(data)
    assert [e.field for e in refused.value.errors] == fields


def test_parameters_filled_in_for_a_contact_with_send_components(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    actor = _principal(owner)
    make_custom_field(client, owner, key="coupon", label="Coupon", type="text")
    fake = FakeGraph([])
    body = create_requests()["create_template_w_image_header_text_body_text_footer_and_2_call_to_action_buttons"]
    data = WhatsAppTemplateCreate.model_validate(
        {
            **body,
            "parameters": {"body.1": "first_name", "body.2": "custom.coupon", "button.1.1": "custom.coupon"},
            "defaults": {"body.3": "R$ 800", "header.media": "https://cdn.example.com/tuscany.jpg"},
        }
    )
    with container.database.tenant(actor.company_id) as session:
        template = whatsapp.create_template(
            session=session, actor=actor, graph=_graph(fake), access=ACCESS, data=data, now=NOW
        )
    assert template.parameter_keys == ["header.media", "body.1", "body.2", "body.3", "button.1.1"]
    ana = make_contact(client, owner, name="Ana Souza", custom_fields={"coupon": "TUSCAN10"})
    with container.database.tenant(actor.company_id) as session:
        shown = whatsapp.preview(session=session, actor=actor, template_id=template.id, contact_id=uuid.UUID(ana["id"]))
    assert shown.body.startswith("Hi Ana! For a limited time only you can get our TUSCAN10 for as low as R$ 800.")
    assert shown.header_media == {"type": "image", "link": "https://cdn.example.com/tuscany.jpg"}
    assert shown.buttons[1] == {
        "type": "URL", "text": "Shop Now", "url": "https://damp-sea-63235.herokuapp.com/shop?promo=TUSCAN10",
    }  # fmt: skip
    assert shown.send_components == [
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
    with container.database.tenant(actor.company_id) as session, pytest.raises(Invalid) as missing:
        whatsapp.preview(session=session, actor=actor, template_id=template.id, contact_id=uuid.UUID(bare["id"]))
    assert [e.field for e in missing.value.errors] == [
        "parameters.body.1",
        "parameters.body.2",
        "parameters.button.1.1",
    ]
    # mappings must name the template's parameters and known variables
    with container.database.tenant(actor.company_id) as session, pytest.raises(Invalid) as wrong:
        whatsapp.map_parameters(
            session=session,
            actor=actor,
            template_id=template.id,
            data=WhatsAppParameters(
                parameters={"body.9": "name", "body.1": "surname"}, defaults={"header.media": "ftp://x"}
            ),
        )
    assert sorted(e.field for e in wrong.value.errors) == [
        "defaults.header.media",
        "parameters.body.1",
        "parameters.body.9",
    ]


def test_delete_goes_to_meta_then_removes_the_mirror(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    actor = _principal(owner)
    fake = FakeGraph(_meta_templates())
    with container.database.tenant(actor.company_id) as session:
        whatsapp.sync_templates(session=session, actor=actor, graph=_graph(fake), access=ACCESS, now=NOW)
        promo = next(t for t in whatsapp.list_templates(session=session, actor=actor) if t.name == "2023_april_promo")
        whatsapp.delete_template(session=session, actor=actor, graph=_graph(fake), access=ACCESS, template_id=promo.id)
    deleted = fake.requests[-1]
    assert deleted.method == "DELETE"
    assert dict(deleted.url.params) == {"name": "2023_april_promo", "hsm_id": "920070352646140"}
    with container.database.tenant(actor.company_id) as session:
        assert [t.name for t in whatsapp.list_templates(session=session, actor=actor)] == ["hello_world"]
