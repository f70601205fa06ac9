"""What Meta says of a template, an account or a contact's preference, posted by the sandbox as Meta's webhooks
and seen in the browser (the demo company, its sandbox number):

- Meta pauses a template a running campaign sends: the template list shows it paused with Meta's reason, and
  the campaign is paused, naming the template and the reason (in English);
- Meta restricts the number's account: the connection shows it, each restriction with its end (in Portuguese);
  and a contact who stops marketing messages in WhatsApp is opted out, the history saying so.
"""

from __future__ import annotations

import os
import random
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, shot
from tests.e2e.browser.test_whatsapp_situations import NUMBER_ID, Api
from tests.e2e.waits import eventually
from tests.runtime import Runtime

LIVE = 60_000  # ms


class MetaApi(Api):
    def meta_posts(self, field: str, value: dict[str, Any]) -> None:
        """Meta posts one change to the number's webhook (through the sandbox, signed)."""
        posted = self.http.post(f"/sandbox/numbers/{NUMBER_ID}/changes", json={"field": field, "value": value})
        assert posted.status_code == 200 and posted.json()["webhook_status"] == 200, posted.text


@pytest.fixture
def meta_api(runtime: Runtime) -> Iterator[MetaApi]:
    api = MetaApi(runtime)
    yield api
    api.sandbox()
    api.close()


def test_a_template_meta_pauses_shows_its_reason_and_pauses_its_running_campaign(
    session: Session, runtime: Runtime, meta_api: MetaApi
) -> None:
    api = meta_api
    # GIVEN a campaign sending an approved template to 40 contacts, one a second
    template = api.approved_template("MARKETING")
    tag = api.tagged_contacts(40)
    campaign = api.campaign(f"Meta pausa {uuid.uuid4().hex[:6]}", template, tag)
    api.http.patch(f"/v1/campaigns/{campaign['id']}", json={"rate_per_second": 1}).raise_for_status()
    api.launch(campaign)
    eventually(lambda: api.http.get(f"/v1/campaigns/{campaign['id']}").json()["status"] == "running")
    # WHEN Meta pauses the template for its low quality
    api.meta_posts(
        "message_template_status_update",
        {
            "event": "PAUSED",
            "message_template_id": int(template["meta_id"]),
            "message_template_name": template["name"],
            "message_template_language": "pt_BR",
            "reason": None,
            "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours because of low quality."},
        },
    )
    eventually(lambda: api.http.get(f"/v1/campaigns/{campaign['id']}").json()["status"] == "paused")
    try:
        log_in(session, runtime.email, runtime.password)
        # THEN the template list shows it paused, with Meta's reason
        page = session.goto(f"/templates?connection={api.connection['id']}")
        page.get_by_label("Search by name").fill(template["name"])
        row = page.get_by_role("row").filter(has_text=template["name"])
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Paused")
        expect(row).to_contain_text("Paused by Meta: FIRST_PAUSE; Paused for 3 hours because of low quality.")
        shot(page, "templates-paused-by-meta-en")
        assert_accessible(page)
        # AND the campaign is paused, naming the template and Meta's reason
        page = session.goto(f"/campaigns/{campaign['id']}")
        expect(
            page.get_by_text(f"Paused: Meta paused the template {template['name']} (pt_BR): FIRST_PAUSE")
        ).to_be_visible()
        shot(page, "campaign-paused-by-template-en")
        assert_accessible(page)
    finally:
        api.http.post(f"/v1/campaigns/{campaign['id']}/cancel")  # nothing left to send for other tests


def test_a_restricted_account_and_a_contact_who_stopped_marketing_show_in_portuguese(
    session_pt: Session, runtime: Runtime, meta_api: MetaApi
) -> None:
    api = meta_api
    # GIVEN Meta restricts the demo number's account until a given time
    until = 1893499200  # 2030-01-01 12:00 UTC: that day in any timezone of the Americas
    restriction = {
        "event": "ACCOUNT_RESTRICTION",
        "restriction_info": [
            {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": until},
            {"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION", "expiration": until},
        ],
    }
    api.meta_posts("account_update", restriction)
    try:
        eventually(
            lambda: api.http.get(f"/v1/connections/{api.connection['id']}").json()["account_status"] == "restricted"
        )
        log_in(session_pt, runtime.email, runtime.password)
        # THEN the connection says so, with each restriction and its end
        page = session_pt.goto("/connections")
        card = page.get_by_role("region", name=api.connection["name"])
        expect(card.get_by_text("Restrita pela Meta")).to_be_visible()
        alert = card.get_by_role("alert")
        expect(alert).to_contain_text("A Meta restringiu a conta do WhatsApp deste número:")
        expect(alert).to_contain_text("Sem mensagens iniciadas por você (modelos, campanhas) até 01/01/2030")
        expect(alert).to_contain_text("Sem novos números na conta")
        shot(page, "connections-restricted-pt-BR")
        assert_accessible(page)
    finally:  # the demo number is shared: lifted again
        api.meta_posts("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": []})
        eventually(lambda: api.http.get(f"/v1/connections/{api.connection['id']}").json()["account_status"] == "ok")

    # GIVEN a contact who stops marketing messages in WhatsApp
    phone = f"55319{os.getpid() % 10_000:04d}{random.randint(1000, 9999)}"
    api.meta_posts(
        "user_preferences",
        {
            "contacts": [{"profile": {"name": "Marta Preferências"}, "wa_id": phone}],
            "user_preferences": [
                {"wa_id": phone, "detail": "User requested to stop marketing messages",
                 "category": "marketing_messages", "value": "stop", "timestamp": int(time.time())}
            ],
        },
    )  # fmt: skip
    contact = eventually(lambda: next(iter(api.http.get("/v1/contacts", params={"q": phone}).json()["items"]), None))
    # THEN the contact's WhatsApp consent history says the contact did it, in WhatsApp, with Meta's words
    page = session_pt.goto(f"/contacts/{contact['id']}")
    panel = page.get_by_role("dialog", name=contact["name"])
    entry = panel.get_by_role("list", name="Histórico de consentimento no WhatsApp").get_by_role("listitem").first
    expect(entry).to_contain_text("Descadastrou-se", timeout=LIVE)
    expect(entry).to_contain_text("pelo contato, na configuração de mensagens de marketing do WhatsApp")
    expect(entry).to_contain_text(re.compile("Motivo: User requested to stop marketing messages"))
    entry.scroll_into_view_if_needed()
    shot(page, "contact-stopped-marketing-pt-BR")
    assert_accessible(page)
