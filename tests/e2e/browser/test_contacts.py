"""Contacts and imports in the browser: import a CSV through the screen (upload, map, start, watch it finish
live, download the rejected rows), then the contacts table (search, filter by tag), a contact's panel (a bad
phone's error next to the field, tags, consent) and bulk tagging; the same in Portuguese on a phone-sized screen."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Download, Page, expect

from functions.local.sandbox.demo import NUMBER_ID
from tests.e2e.browser.conftest import Owner, Session, assert_accessible, log_in, new_session, shot, sign_up
from tests.e2e.browser.pickers import pick
from tests.runtime import Runtime

CSV = (
    "Telefone,Nome,Email,Etiquetas,Plano\n"
    "11912340001,Ana Souza,ana@example.com,vip|lead,gold\n"
    "11912340002,Bruno Lima,,lead,silver\n"
    "11912340003,José Reis,,,\n"
    "123,Número Ruim,,,\n"
    "11912340004,Carla Email,not-an-email,,\n"
)


def _token(runtime: Runtime, owner: Owner) -> str:
    """The same user's access token for curl-style setup (a custom field), as the README's curl does."""
    response = httpx.post(
        f"{runtime.url}/v1/auth/login", json={"email": owner.email, "password": owner.password}, timeout=60
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _custom_field(runtime: Runtime, owner: Owner) -> None:
    response = httpx.post(
        f"{runtime.url}/v1/custom-fields",
        headers={"Authorization": f"Bearer {_token(runtime, owner)}"},
        json={"key": "plan", "label": "Plan", "type": "select", "options": ["gold", "silver"]},
        timeout=60,
    )
    assert response.status_code == 201, response.text


def _read(download: Download) -> list[list[str]]:
    path = download.path()
    assert path is not None
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


def _import_through_the_screen(page: Page, data: str, filename: str, *, pt: bool = False) -> None:
    page.get_by_role("link", name="Nova importação" if pt else "New import").first.click()
    page.get_by_label("Arquivo CSV" if pt else "CSV file").set_input_files(
        {"name": filename, "mimeType": "text/csv", "buffer": data.encode("utf-8")}
    )
    page.get_by_role("button", name="Enviar" if pt else "Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Mapear as colunas" if pt else "Map the columns")).to_be_visible()


def test_import_then_work_the_contacts(session: Session, runtime: Runtime) -> None:
    # GIVEN a new company with a "Plan" custom field
    owner = sign_up(session)
    _custom_field(runtime, owner)
    page = session.goto("/imports")
    expect(page.get_by_text("No imports yet")).to_be_visible()
    shot(page, "contacts-imports-empty-en")
    assert_accessible(page)

    # WHEN a CSV with good and bad rows is uploaded THEN the mapping step suggests targets for known headers
    page.get_by_role("link", name="New import").first.click()
    expect(page.get_by_label("CSV file")).to_be_visible()
    shot(page, "contacts-imports-upload-en")
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(
        {"name": "clientes.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")}
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    expect(page.get_by_label("Where column Telefone goes")).to_have_value("phone")
    expect(page.get_by_label("Where column Nome goes")).to_have_value("name")
    # the custom field is offered as a target
    page.get_by_label("Where column Etiquetas goes").select_option("tags")
    page.get_by_label("Where column Plano goes").select_option(label="Custom field: Plan")
    shot(page, "contacts-imports-mapping-en")
    assert_accessible(page)

    # WHEN it starts THEN it finishes live, with the counts and the rejected rows downloadable
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("5 rows read")).to_be_visible()
    counts = page.locator("dl")
    expect(counts.get_by_text("New").locator("xpath=following-sibling::dd")).to_have_text("3")
    expect(counts.get_by_text("Rejected").locator("xpath=following-sibling::dd")).to_have_text("2")
    shot(page, "contacts-imports-result-en")
    assert_accessible(page)
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download rejected rows").click()
    rows = _read(downloaded.value)
    assert rows[0][:3] == ["row", "reason", "Telefone"]
    reasons = {r[2]: r[1] for r in rows[1:]}
    assert set(reasons) == {"123", "11912340004"} and "invalid phone" in reasons["123"]

    # the list of recent imports shows it
    page.get_by_role("link", name="All imports").click()
    expect(page.get_by_role("link", name="clientes.csv")).to_be_visible()
    expect(page.get_by_text("Completed")).to_be_visible()
    shot(page, "contacts-imports-list-en")
    assert_accessible(page)

    # THEN the contacts are in the table
    page = session.goto("/contacts")
    table = page.get_by_role("table", name="Contacts")
    for name in ("Ana Souza", "Bruno Lima", "José Reis"):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("3 contacts")).to_be_visible()
    shot(page, "contacts-table-en")
    assert_accessible(page)

    # search (debounced) narrows the table
    page.get_by_label("Search contacts").fill("bruno")
    expect(table.get_by_role("link", name="Ana Souza")).to_be_hidden()
    expect(table.get_by_role("link", name="Bruno Lima")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(table.get_by_role("link", name="Ana Souza")).to_be_visible()

    # filter by tag
    page.get_by_role("button", name="Filters", exact=True).click()
    pick(page, page.get_by_label("Tag", exact=True), "vip")
    expect(page.get_by_label("Tag", exact=True)).to_have_text("vip")
    shot(page, "contacts-filters-en")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(table.get_by_role("link", name="Bruno Lima")).to_be_hidden()
    expect(table.get_by_role("link", name="Ana Souza")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()

    # WHEN a contact is opened THEN its panel has its fields, custom field, tags, consent, conversations
    table.get_by_role("link", name="José Reis").click()
    panel = page.get_by_role("dialog", name="José Reis")
    expect(panel).to_be_visible()
    assert "/contacts/" in page.url
    expect(panel.get_by_label("Plan")).to_be_visible()
    expect(panel.get_by_text("No conversations with this contact yet.")).to_be_visible()
    shot(page, "contacts-detail-en")
    assert_accessible(page)

    # a bad phone: the API's reason next to the field; then fixed
    phone = panel.get_by_label("Phone")
    phone.fill("123")
    panel.get_by_role("button", name="Save").click()
    expect(phone).to_have_attribute("aria-invalid", "true")
    error = panel.locator(f"#{phone.get_attribute('id')}-error")
    expect(error).to_contain_text("phone")
    shot(page, "contacts-detail-phone-error-en")
    phone.fill("11 91234-0099")
    panel.get_by_label("Plan").select_option("silver")
    panel.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact saved")).to_be_visible()
    expect(phone).to_have_value("+5511912340099")
    expect(phone).not_to_have_attribute("aria-invalid", "true")

    # tag it
    pick(page, panel.get_by_label("Tag to add"), "lead")
    panel.get_by_role("button", name="Add tag").click()
    expect(panel.get_by_role("button", name="Remove tag lead")).to_be_visible()

    # record WhatsApp consent: its status and history
    whatsapp = panel.get_by_role("form", name="Change WhatsApp consent")
    whatsapp.get_by_label("Source").fill("website form")
    whatsapp.get_by_role("button", name="Record WhatsApp consent").click()
    expect(page.get_by_text("WhatsApp consent recorded")).to_be_visible()
    history = panel.get_by_role("list", name="WhatsApp consent history")
    expect(history.get_by_role("listitem")).to_have_count(1)  # the change, in the channel's history
    expect(history).to_contain_text("Opted in")
    expect(history).to_contain_text("Source: website form")
    expect(panel.get_by_text("Opted in", exact=True).first).to_be_visible()  # the badge (and its history line)
    shot(page, "contacts-detail-edited-en")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # WHEN two contacts are selected and bulk-tagged THEN both carry the tag
    table.get_by_role("checkbox", name="Select Bruno Lima").click()
    table.get_by_role("checkbox", name="Select José Reis").click()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk.get_by_text("2 selected")).to_be_visible()
    bulk.get_by_label("Action").select_option(label="Add tag")
    pick(page, bulk.get_by_label("Tag"), "vip")
    shot(page, "contacts-bulk-en")
    assert_accessible(page)
    bulk.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Done: 2 of 2 changed")).to_be_visible()
    page.get_by_role("button", name="Filters", exact=True).click()
    pick(page, page.get_by_label("Tag", exact=True), "vip")
    page.keyboard.press("Escape")
    for name in ("Ana Souza", "Bruno Lima", "José Reis"):
        expect(table.get_by_role("link", name=name)).to_be_visible()

    # the export takes the current filters
    with page.expect_download() as exported:
        page.get_by_role("button", name="Export CSV").click()
    rows = _read(exported.value)
    assert sorted(r[1] for r in rows[1:]) == ["Ana Souza", "Bruno Lima", "José Reis"]


def test_portuguese_import_and_delete_on_a_phone(session_pt: Session) -> None:
    # GIVEN a new company, in Portuguese, on a 360-px-wide screen
    sign_up(session_pt)
    page = session_pt.page
    page.set_viewport_size({"width": 360, "height": 740})
    page = session_pt.goto("/imports")
    expect(page.get_by_role("heading", name="Importações")).to_be_visible()
    # WHEN a semicolon CSV is imported
    _import_through_the_screen(page, "telefone;nome\n11912340101;Maria\n11912340102;João\n", "lista.csv", pt=True)
    expect(page.get_by_label("Destino da coluna telefone")).to_have_value("phone")
    shot(page, "contacts-imports-mapping-pt-BR")
    assert_accessible(page)
    page.get_by_role("button", name="Iniciar importação").click()
    expect(page.get_by_role("heading", name="Importação concluída")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("2 linhas lidas")).to_be_visible()
    shot(page, "contacts-imports-result-pt-BR")
    assert_accessible(page)
    # THEN the table shows them, with no sideways scroll on the phone
    page.get_by_role("link", name="Ver contatos").click()
    table = page.get_by_role("table", name="Contatos")
    expect(table.get_by_role("link", name="Maria")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "contacts-table-pt-BR")
    assert_accessible(page)
    # a new contact with a duplicate phone: the reason next to the phone
    page.get_by_role("button", name="Novo contato").click()
    create = page.get_by_role("dialog", name="Novo contato")
    create.get_by_label("Telefone").fill("11912340101")
    create.get_by_role("button", name="Criar").click()
    expect(create.get_by_label("Telefone")).to_have_attribute("aria-invalid", "true")
    shot(page, "contacts-create-duplicate-pt-BR")
    page.mouse.move(0, 0)  # a hovered primary button is at 4.5:1, axe's edge: judge the page at rest
    assert_accessible(page)
    create.get_by_role("button", name="Cancelar").click()
    # WHEN the owner deletes a contact (after confirming) THEN it leaves the table
    table.get_by_role("link", name="João").click()
    panel = page.get_by_role("dialog", name="João")
    expect(panel.get_by_text("Nenhum consentimento registrado neste canal.").first).to_be_visible()
    shot(page, "contacts-detail-pt-BR")
    assert_accessible(page)
    panel.get_by_role("button", name="Excluir contato").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Excluir").click()
    expect(page.get_by_text("Contato excluído")).to_be_visible()
    expect(table.get_by_role("link", name="João")).to_be_hidden()
    expect(table.get_by_role("link", name="Maria")).to_be_visible()


def test_a_contacts_conversations_lead_to_the_inbox(session: Session, runtime: Runtime) -> None:
    # GIVEN a customer who writes to the demo company's sandbox number
    phone = f"55119{os.getpid() % 10000:04d}7777"
    with httpx.Client(base_url=runtime.url, timeout=60) as http:
        sent = http.post(f"/sandbox/numbers/{NUMBER_ID}/inbound", json={"from": phone, "name": "Rita", "text": "Oi!"})
        assert sent.status_code < 300, sent.text
        token = http.post("/v1/auth/login", json={"email": runtime.email, "password": runtime.password})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        deadline = time.monotonic() + 30
        conversation = None
        while conversation is None and time.monotonic() < deadline:
            items = http.get("/v1/conversations", headers=auth, params={"limit": 20}).json()["items"]
            conversation = next((c for c in items if c["contact"]["phone"] == f"+{phone}"), None)
            if conversation is None:
                time.sleep(0.5)  # the inbound queue is pumped in the background
    assert conversation is not None
    log_in(session, runtime.email, runtime.password)
    # WHEN the contact's panel is opened from its address
    page = session.goto(f"/contacts/{conversation['contact']['id']}")
    panel = page.get_by_role("dialog")
    link = panel.get_by_role("region", name="Conversations").get_by_role("link").first
    expect(link).to_be_visible()
    shot(page, "contacts-detail-conversations-en")
    assert_accessible(page)
    # THEN its conversation opens in the inbox
    link.click()
    expect(page).to_have_url(re.compile(f"/inbox/{conversation['id']}"))


def test_an_admin_tags_everything_a_filter_matches(session: Session, runtime: Runtime) -> None:
    # GIVEN 150 contacts (more than the table's first page) and a tag
    owner = sign_up(session)
    auth = {"Authorization": f"Bearer {_token(runtime, owner)}"}
    rows = "".join(f"119{n:08d},Cliente {n}\n" for n in range(1, 151))
    with httpx.Client(base_url=runtime.url, headers=auth, timeout=60) as http:
        created = http.post("/v1/contacts/imports", json={"filename": "many.csv"}).json()
        http.put(f"/v1/contacts/imports/{created['id']}/file", content=f"phone,name\n{rows}".encode())
        http.post(f"/v1/contacts/imports/{created['id']}/start", json={})
        tag = http.post("/v1/tags", json={"name": "campanha", "color": "#0f766e"}).json()
        deadline = time.monotonic() + 60
        while http.get(f"/v1/contacts/imports/{created['id']}").json()["status"] != "completed":
            assert time.monotonic() < deadline, "the import did not finish"
            time.sleep(0.5)
    # WHEN the owner selects the loaded rows, then everything that matches, and tags them
    page = session.goto("/contacts")
    page.get_by_role("checkbox", name="Select all loaded contacts").click()
    page.get_by_role("button", name="Select all 150 that match").click()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk.get_by_text("All 150 matching contacts")).to_be_visible()
    pick(page, bulk.get_by_label("Tag"), "campanha")
    shot(page, "contacts-bulk-all-en")
    bulk.get_by_role("button", name="Apply").click()
    # THEN all 150 carry the tag
    expect(page.get_by_text("Done: 150 of 150 changed")).to_be_visible()
    with httpx.Client(base_url=runtime.url, headers=auth, timeout=60) as http:
        tagged = http.get("/v1/contacts", params={"tag_id": tag["id"], "limit": 200}).json()["items"]
    assert len(tagged) == 150


def test_an_agent_is_not_offered_delete(browser: Browser, runtime: Runtime) -> None:
    # GIVEN a company with a contact and an agent
    owner_session = new_session(browser, runtime)
    agent_session = new_session(browser, runtime)
    try:
        owner = sign_up(owner_session)
        auth = {"Authorization": f"Bearer {_token(runtime, owner)}"}
        email = f"agent.{os.getpid()}@browser.example.com"
        with httpx.Client(base_url=runtime.url, headers=auth, timeout=60) as http:
            contact = http.post("/v1/contacts", json={"phone": "11912340555", "name": "Paula"}).json()
            invited = http.post("/v1/users", json={"email": email, "name": "Agent", "role": "agent"}).json()
            accepted = http.post(
                "/v1/auth/accept-invite", json={"token": invited["invite_token"], "password": owner.password}
            )
            assert accepted.status_code == 200, accepted.text
        log_in(agent_session, email, owner.password)
        # WHEN the agent opens the contact THEN they may edit and tag it, but not delete it
        page = agent_session.goto(f"/contacts/{contact['id']}")
        panel = page.get_by_role("dialog", name="Paula")
        expect(panel.get_by_label("Phone")).to_have_value("+5511912340555")
        expect(panel.get_by_role("button", name="Save")).to_be_visible()
        expect(panel.get_by_role("button", name="Delete contact")).to_have_count(0)
        shot(page, "contacts-detail-agent-en")
        assert_accessible(page)
    finally:
        owner_session.context.close()
        agent_session.context.close()
    assert not owner_session.errors and not agent_session.errors
