"""Local templates: variables checked on save, preview for a contact, missing values listed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api import make_contact, make_custom_field, sign_up


def test_templates_preview_for_a_contact(client: TestClient) -> None:
    owner = sign_up(client)
    make_custom_field(client, owner, key="plan", label="Plan", type="text")
    unknown = client.post("/v1/templates", headers=owner.headers, json={"name": "x", "body": "Oi {{surname}}"})
    assert unknown.status_code == 422
    created = client.post(
        "/v1/templates",
        headers=owner.headers,
        json={
            "name": "Welcome",
            "body": "Oi {{first_name}}! Seu plano: {{custom.plan}}. Email: {{email}}",
            "defaults": {"email": "não informado"},
            "header": {"type": "image", "url": "https://cdn.example.com/promo.jpg"},
        },
    )
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["variables"] == ["first_name", "custom.plan", "email"]
    assert client.post("/v1/templates", headers=owner.headers, json={"name": "welcome", "body": "x"}).status_code == 409
    ana = make_contact(client, owner, name="Ana Souza", custom_fields={"plan": "pro"})
    preview = client.post(
        f"/v1/templates/{template['id']}/preview", headers=owner.headers, json={"contact_id": ana["id"]}
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["text"] == "Oi Ana! Seu plano: pro. Email: não informado"
    assert preview.json()["header"] == {"type": "image", "url": "https://cdn.example.com/promo.jpg"}
    bare = make_contact(client, owner)
    bare = client.patch(f"/v1/contacts/{bare['id']}", headers=owner.headers, json={"name": None}).json()
    missing = client.post(
        f"/v1/templates/{template['id']}/preview", headers=owner.headers, json={"contact_id": bare["id"]}
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["variables.first_name", "variables.custom.plan"]
    defaults = {"first_name": "cliente", "custom.plan": "básico", "email": "n/a"}
    patched = client.patch(f"/v1/templates/{template['id']}", headers=owner.headers, json={"defaults": defaults})
    assert patched.status_code == 200, patched.text
    again = client.post(
        f"/v1/templates/{template['id']}/preview", headers=owner.headers, json={"contact_id": bare["id"]}
    )
    assert again.json()["text"] == "Oi cliente! Seu plano: básico. Email: n/a"
    # another company's contact is not found
    other = sign_up(client)
    theirs = make_contact(client, other)
    cross = client.post(
        f"/v1/templates/{template['id']}/preview", headers=owner.headers, json={"contact_id": theirs["id"]}
    )
    assert cross.status_code == 404
