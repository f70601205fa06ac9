"""Campaigns in the browser, with the demo company (its number is on the sandbox): the wizard step by step, a
launch watched live to completed on the campaign page (no reload), the recipients; a slow campaign paused and
resumed from its page (in Portuguese); home showing the campaigns; every screen photographed and checked by axe."""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.conftest import (
    Session,
    assert_accessible,
    log_in,
    new_session,
    no_sideways_scroll,
    shot,
    sign_up,
)
from tests.e2e.browser.pickers import pick
from tests.e2e.waits import eventually
from tests.runtime import Runtime

LIVE = 90_000  # ms: a campaign's whole run, statuses included


@dataclass
class Demo:
    http: httpx.Client
    connection_id: str
    template: str


def _login(runtime: Runtime) -> httpx.Client:
    http = httpx.Client(base_url=runtime.url, timeout=15)
    tokens = http.post("/v1/auth/login", json={"email": runtime.email, "password": runtime.password}).json()
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return http


@pytest.fixture(scope="module")
def demo(runtime: Runtime) -> Iterator[Demo]:
    """The demo company's sandbox number with a template of our own, submitted and approved by "Meta"."""
    http = _login(runtime)
    connection = next(
        c for c in http.get("/v1/connections", params={"q": "Sandbox"}).json()["items"] if c["name"] == "Sandbox"
    )
    name = f"oferta_{uuid.uuid4().hex[:8]}"
    body = {
        "name": name, "language": "pt_BR", "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Oi {{1}}, sua oferta chegou!", "example": {"body_text": [["Ana"]]}}],
    }  # fmt: skip
    created = http.post(f"/v1/connections/{connection['id']}/templates", json=body)
    assert created.status_code == 201, created.text
    template_id = created.json()["id"]
    eventually(lambda: http.get(f"/v1/whatsapp-templates/{template_id}").json()["status"] == "APPROVED")
    yield Demo(http, connection["id"], name)
    http.close()


def _tagged_contacts(http: httpx.Client, n: int) -> str:
    """``n`` new contacts with a new tag; returns the tag's name."""
    tag = http.post("/v1/tags", json={"name": f"camp-{uuid.uuid4().hex[:6]}", "color": "#2563eb"}).json()
    made = 0
    while made < n:
        phone = f"+55119{random.randint(10_000_000, 99_999_999)}"
        contact = http.post("/v1/contacts", json={"phone": phone, "name": f"Cliente {made + 1} Teste"})
        if contact.status_code == 409:
            continue
        assert contact.status_code == 201, contact.text
        assert http.put(f"/v1/contacts/{contact.json()['id']}/tags/{tag['id']}").status_code in (200, 204)
        made += 1
    return str(tag["name"])


def _walk_wizard(
    page: Page, *, pt: bool, name: str, template: str, tag: str, count: int, rate: str, locale: str
) -> None:
    """Through the six steps, as a user does, photographing and checking each one."""
    label = lambda en, ptbr: ptbr if pt else en  # noqa: E731
    next_ = label("Next", "Avançar")
    page.get_by_role("link", name=label("New campaign", "Nova campanha")).first.click()
    # 1. number
    expect(page.get_by_role("heading", name=re.compile(label("Step 1 of 6", "Passo 1 de 6")))).to_be_visible()
    page.get_by_label(label("Campaign name", "Nome da campanha")).fill(name)
    page.get_by_role("radio", name=re.compile("Sandbox")).check()
    shot(page, f"campaigns-wizard-1-number-{locale}")
    assert_accessible(page)
    page.get_by_role("button", name=next_).click()
    # 2. template: the approved ones can be picked, each with its status
    expect(page.get_by_role("heading", name=re.compile(label("Step 2 of 6", "Passo 2 de 6")))).to_be_visible()
    radio = page.get_by_role("radio", name=re.compile(template))
    expect(radio).to_be_enabled()
    radio.check()
    shot(page, f"campaigns-wizard-2-template-{locale}")
    assert_accessible(page)
    page.get_by_role("button", name=next_).click()
    # 3. parameters, with the phone-like preview
    expect(page.get_by_role("heading", name=re.compile(label("Step 3 of 6", "Passo 3 de 6")))).to_be_visible()
    page.get_by_label(label("Contact field", "Campo do contato")).select_option(
        label=label("First name", "Primeiro nome")
    )
    page.get_by_label(label("Default", "Padrão"), exact=True).fill(label("customer", "cliente"))
    preview = page.get_by_role("figure", name=label("Preview", "Pré-visualização"))
    expect(preview).to_contain_text(
        label("Oi [First name], sua oferta chegou!", "Oi [Primeiro nome], sua oferta chegou!")
    )
    shot(page, f"campaigns-wizard-3-parameters-{locale}")
    assert_accessible(page)
    page.get_by_role("button", name=next_).click()
    # 4. audience: the draft is saved and its live count comes from the API
    expect(page.get_by_role("heading", name=re.compile(label("Step 4 of 6", "Passo 4 de 6")))).to_be_visible()
    pick(page, page.get_by_role("button", name=label("Add a tag", "Adicionar etiqueta")), tag)
    expect(page.get_by_role("list", name=label("Chosen tags", "Etiquetas escolhidas"))).to_contain_text(tag)
    counted = label(f"{count} contacts will receive it", f"{count} contatos vão receber")
    expect(page.get_by_role("status").filter(has_text=counted)).to_be_visible()
    shot(page, f"campaigns-wizard-4-audience-{locale}")
    assert_accessible(page)
    page.get_by_role("button", name=next_).click()
    # 5. schedule: a rate above the number's throughput is refused by the API, next to the field
    expect(page.get_by_role("heading", name=re.compile(label("Step 5 of 6", "Passo 5 de 6")))).to_be_visible()
    rate_field = page.get_by_label(label("Messages per second", "Mensagens por segundo"))
    rate_field.fill("500")
    rate_field.press("Enter")  # the keyboard submits the step as well as "Next"
    expect(
        page.get_by_role("alert").filter(has_text=label("at most 80 per second", "no máximo 80 por segundo"))
    ).to_be_visible()
    expect(rate_field).to_have_attribute("aria-invalid", "true")
    shot(page, f"campaigns-wizard-5-schedule-{locale}")
    assert_accessible(page)
    rate_field.fill(rate)
    page.get_by_role("button", name=next_).click()
    # 6. review, then launch now
    expect(page.get_by_role("heading", name=re.compile(label("Step 6 of 6", "Passo 6 de 6")))).to_be_visible()
    expect(
        page.get_by_text(label(f"{count} contacts will receive it", f"{count} contatos vão receber"))
    ).to_be_visible()
    shot(page, f"campaigns-wizard-6-review-{locale}")
    assert_accessible(page)
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page from here on
    page.get_by_role("button", name=label("Launch now", "Disparar agora")).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def _nav(page: Page, name: str) -> None:
    """Follow a link of the sidebar (client-side: the page is not reloaded)."""
    page.get_by_role("navigation", name=re.compile("^(Main|Principal)$")).get_by_role(
        "link", name=name, exact=True
    ).click()


def _stat(page: Page, label: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("group", name=label, exact=True)


def test_a_campaign_from_the_wizard_to_completed_live(session: Session, runtime: Runtime, demo: Demo) -> None:
    # GIVEN three tagged contacts and an approved template on the demo company's sandbox number
    tag = _tagged_contacts(demo.http, 3)
    log_in(session, runtime.email, runtime.password)
    page = session.page
    _nav(page, "Campaigns")
    expect(page.get_by_role("heading", name="Campaigns", level=1)).to_be_visible()
    expect(page.get_by_role("tab", name="Running")).to_be_visible()
    shot(page, "campaigns-list-en")
    assert_accessible(page)
    # WHEN the admin walks the wizard and launches it now
    name = f"Black Friday {uuid.uuid4().hex[:4]}"
    _walk_wizard(page, pt=False, name=name, template=demo.template, tag=tag, count=3, rate="10", locale="en")
    # THEN its page follows it live to completed, without a reload
    state = page.get_by_role("status", name="Campaign state")
    expect(state).to_contain_text("Completed", timeout=LIVE)
    expect(_stat(page, "Sent")).to_contain_text("3", timeout=LIVE)
    expect(_stat(page, "Delivered")).to_contain_text("3", timeout=LIVE)
    expect(_stat(page, "Total")).to_contain_text("3")
    assert page.evaluate("window.__sameDocument === true")
    # AND its recipients are listed, each sent
    recipients = page.get_by_role("table", name="Recipients")
    expect(recipients.get_by_role("row")).to_have_count(4, timeout=LIVE)  # the header and three recipients
    expect(page.get_by_text("No recipient has failed.")).to_be_visible()
    page.mouse.move(0, 0)  # no chart tooltip in the picture
    shot(page, "campaigns-page-en")
    assert_accessible(page)
    recipients.scroll_into_view_if_needed()  # the page scrolls inside <main>: a second picture of its end
    shot(page, "campaigns-page-recipients-en")
    # the recipients filtered by a status nobody has
    page.get_by_label("Status", exact=True).select_option(label="Failed")
    expect(page.get_by_text("No recipient matches")).to_be_visible()
    # AND the list shows it under its state, and home shows it finished
    _nav(page, "Campaigns")
    page.get_by_role("tab", name="Completed").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    shot(page, "campaigns-list-completed-en")
    _nav(page, "Home")
    card = page.get_by_role("link", name=name)
    expect(card).to_be_visible()
    expect(page.get_by_text(re.compile(r"3 of 3 sent"))).to_be_visible()
    shot(page, "home-demo-en")
    assert_accessible(page)
    # the dead letters (admins): nothing broke
    session.goto("/campaigns/dead-letters")
    expect(page.get_by_role("heading", name="Dead letters")).to_be_visible()
    expect(page.get_by_text("No dead letter")).to_be_visible()
    shot(page, "campaigns-dead-letters-en")
    assert_accessible(page)


def test_pause_and_resume_a_slow_campaign_in_portuguese(session_pt: Session, runtime: Runtime, demo: Demo) -> None:
    # GIVEN twenty tagged contacts, sent at one a second
    tag = _tagged_contacts(demo.http, 20)
    log_in(session_pt, runtime.email, runtime.password)
    page = session_pt.page
    _nav(page, "Campanhas")
    expect(page.get_by_role("heading", name="Campanhas", level=1)).to_be_visible()
    shot(page, "campaigns-list-pt-BR")
    name = f"Liquidação {uuid.uuid4().hex[:4]}"
    _walk_wizard(page, pt=True, name=name, template=demo.template, tag=tag, count=20, rate="1", locale="pt-BR")
    state = page.get_by_role("status", name="Situação da campanha")
    expect(state).to_contain_text("Enviando", timeout=LIVE)
    expect(_stat(page, "Enviadas")).to_contain_text(re.compile(r"[1-9]"), timeout=LIVE)  # its label has no digit
    # WHEN it is paused from its page THEN it stops before the end
    page.get_by_role("button", name="Pausar").click()
    expect(state).to_contain_text("Pausada")
    expect(state).to_contain_text("Pausada por um usuário")  # the API's reason, in the user's language
    expect(page.get_by_role("button", name="Retomar")).to_be_visible()
    sent = int(re.sub(r"\D", "", _stat(page, "Enviadas").inner_text()))
    assert sent < 20
    shot(page, "campaigns-page-paused-pt-BR")
    assert_accessible(page)
    # WHEN it is resumed THEN it goes on, and home follows it live while it runs
    page.get_by_role("button", name="Retomar").click()
    expect(state).to_contain_text("Enviando")
    _nav(page, "Início")
    row = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=name))
    expect(page.get_by_role("region", name="Em andamento").get_by_role("link", name=name)).to_be_visible()
    expect(row).to_contain_text("Enviando")
    shot(page, "home-demo-running-pt-BR")
    assert_accessible(page)
    expect(row).to_contain_text("Concluída", timeout=LIVE)
    expect(row).to_contain_text("20 de 20 enviadas", timeout=LIVE)
    # AND its page shows it completed, with nothing left to pause or cancel
    row.get_by_role("link", name=name).click()
    state = page.get_by_role("status", name="Situação da campanha")
    expect(state).to_contain_text("Concluída")
    expect(_stat(page, "Enviadas")).to_contain_text("20", timeout=LIVE)
    expect(page.get_by_role("button", name="Cancelar campanha")).to_have_count(0)
    page.mouse.move(0, 0)
    shot(page, "campaigns-page-completed-pt-BR")
    assert_accessible(page)
    _nav(page, "Início")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    shot(page, "home-demo-pt-BR")


def test_cancel_asks_first_and_a_phone_sized_screen(session: Session, runtime: Runtime, demo: Demo) -> None:
    # GIVEN a campaign scheduled for tomorrow (made through the API)
    tag_name = _tagged_contacts(demo.http, 1)
    tag = next(t for t in demo.http.get("/v1/tags", params={"q": tag_name}).json()["items"] if t["name"] == tag_name)
    found = demo.http.get(f"/v1/connections/{demo.connection_id}/templates", params={"q": demo.template})
    template = next(t for t in found.json()["items"] if t["name"] == demo.template)
    draft = demo.http.post(
        "/v1/campaigns",
        json={
            "name": f"Natal {uuid.uuid4().hex[:4]}", "connection_id": demo.connection_id,
            "whatsapp_template_id": template["id"], "parameters": {"body.1": "first_name"},
            "defaults": {"body.1": "cliente"}, "audience": {"tag_ids": [tag["id"]]},
        },
    ).json()  # fmt: skip
    tomorrow = time.strftime("%Y-%m-%dT09:00:00", time.gmtime(time.time() + 86_400))
    scheduled = demo.http.post(f"/v1/campaigns/{draft['id']}/schedule", json={"at": tomorrow, "timezone": "UTC"})
    assert scheduled.status_code == 200, scheduled.text
    session.page.set_viewport_size({"width": 360, "height": 740})
    log_in(session, runtime.email, runtime.password)
    page = session.goto(f"/campaigns/{draft['id']}")
    state = page.get_by_role("status", name="Campaign state")
    expect(state).to_contain_text("Scheduled")
    no_sideways_scroll(page)
    shot(page, "campaigns-page-scheduled-360-en")
    assert_accessible(page)
    # WHEN cancel is clicked THEN it asks first; keeping it changes nothing
    page.get_by_role("button", name="Cancel campaign").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Cancel this campaign?")
    assert_accessible(page)
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(state).to_contain_text("Scheduled")
    # WHEN confirmed THEN it is cancelled
    page.get_by_role("button", name="Cancel campaign").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel campaign").click()
    expect(state).to_contain_text("Cancelled")
    # the list and the wizard fit a phone too
    session.goto("/campaigns")
    expect(page.get_by_role("heading", name="Campaigns", level=1)).to_be_visible()
    expect(page.get_by_text("Nobody was sent to").first).to_be_visible()  # the cancelled one never started
    no_sideways_scroll(page)
    shot(page, "campaigns-list-360-en")
    session.goto("/campaigns/new")
    expect(page.get_by_role("heading", name=re.compile("Step 1 of 6"))).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "campaigns-wizard-360-en")


def test_home_of_a_new_company_has_empty_states(session: Session) -> None:
    sign_up(session)
    page = session.page
    expect(page.get_by_text("No campaign yet")).to_be_visible()
    expect(page.get_by_text("You are all caught up")).to_be_visible()
    expect(page.get_by_text("No import yet")).to_be_visible()
    expect(page.get_by_role("group", name="Open")).to_contain_text("0")
    shot(page, "home-empty-en")
    assert_accessible(page)
    page.get_by_role("link", name="All campaigns").click()
    expect(page.get_by_text("No campaign yet")).to_be_visible()
    shot(page, "campaigns-list-empty-en")
    assert_accessible(page)


def _draft(demo: Demo, tag_name: str, name: str) -> dict[str, object]:
    tag = next(t for t in demo.http.get("/v1/tags", params={"q": tag_name}).json()["items"] if t["name"] == tag_name)
    found = demo.http.get(f"/v1/connections/{demo.connection_id}/templates", params={"q": demo.template})
    template = next(t for t in found.json()["items"] if t["name"] == demo.template)
    created = demo.http.post(
        "/v1/campaigns",
        json={
            "name": name, "connection_id": demo.connection_id, "whatsapp_template_id": template["id"],
            "parameters": {"body.1": "first_name"}, "audience": {"tag_ids": [tag["id"]]},
        },
    )  # fmt: skip
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_a_draft_goes_on_in_the_wizard_and_an_agent_only_watches(
    session: Session, runtime: Runtime, demo: Demo, browser: Browser
) -> None:
    # GIVEN a draft saved earlier, with two contacts in its audience
    tag = _tagged_contacts(demo.http, 2)
    name = f"Rascunho {uuid.uuid4().hex[:4]}"
    draft = _draft(demo, tag, name)
    log_in(session, runtime.email, runtime.password)
    page = session.page
    _nav(page, "Campaigns")
    page.get_by_role("tab", name="Draft").click()
    # WHEN the admin opens it THEN the wizard goes on at its audience, counted live
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="Edit draft campaign")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Step 4 of 6"))).to_be_visible()
    expect(page.get_by_role("list", name="Chosen tags")).to_contain_text(tag)
    expect(page.get_by_role("status").filter(has_text="2 contacts will receive it")).to_be_visible()
    # the earlier steps kept what was chosen
    page.get_by_role("button", name=re.compile("Parameters")).click()
    expect(page.get_by_label("Contact field")).to_have_value("first_name")
    # WHEN it is saved for later THEN its page says it is a draft, with its actions
    page.get_by_role("link", name="Save and finish later").click()
    expect(page.get_by_role("status", name="Campaign state")).to_contain_text("Draft")
    expect(page.get_by_text("This campaign is a draft")).to_be_visible()
    expect(page.get_by_role("link", name="Continue editing")).to_be_visible()
    shot(page, "campaigns-page-draft-en")
    assert_accessible(page)
    # GIVEN an agent of the same company
    agent_email = f"agent.{uuid.uuid4().hex[:6]}@demo.example.com"
    invite = demo.http.post("/v1/users", json={"email": agent_email, "name": "Agente Ana", "role": "agent"})
    assert invite.status_code == 201, invite.text
    password = "agent pass phrase 1"
    accepted = demo.http.post(
        "/v1/auth/accept-invite", json={"token": invite.json()["invite_token"], "password": password}
    )
    assert accepted.status_code in (200, 201), accepted.text
    agent = new_session(browser, runtime)
    try:
        log_in(agent, agent_email, password)
        apage = agent.goto("/campaigns")
        # THEN the agent sees the campaigns but is offered nothing an agent may not do
        expect(apage.get_by_role("heading", name="Campaigns", level=1)).to_be_visible()
        expect(apage.get_by_role("link", name=name)).to_be_visible()
        expect(apage.get_by_role("link", name="New campaign")).to_have_count(0)
        expect(apage.get_by_role("link", name="Dead letters")).to_have_count(0)
        apage.get_by_role("link", name=name).click()
        expect(apage.get_by_role("status", name="Campaign state")).to_contain_text("Draft")
        expect(apage.get_by_role("link", name="Continue editing")).to_have_count(0)
        expect(apage.get_by_role("button", name="Delete")).to_have_count(0)
        expect(apage.get_by_text("Nothing is sent until an admin launches it.")).to_be_visible()
        expect(apage.get_by_text(re.compile(r"^Sandbox"))).to_be_visible()
        shot(apage, "campaigns-page-agent-en")
        assert_accessible(apage)
        assert not agent.errors, agent.errors
    finally:
        agent.context.close()
    assert draft["status"] == "draft"
