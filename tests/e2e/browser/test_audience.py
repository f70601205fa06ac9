"""The audience screens: tags, custom fields, lists and their members, and segments built visually with the
count following every edit; in English and Portuguese, on a phone-sized screen, and as an agent (who is not
offered what only an admin may do)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser.conftest import PASSWORD, Owner, Session, log_in, new_session, shot, sign_up
from tests.e2e.browser.conftest import assert_accessible as axe_clean
from tests.e2e.browser.pickers import pick
from tests.runtime import Runtime


def assert_accessible(page: Page) -> None:
    """axe, once running transitions (a toast fading in, a dialog opening) have ended: half-faded text has no
    contrast to judge."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    axe_clean(page)


@contextmanager
def api(runtime: Runtime, owner: Owner) -> Iterator[httpx.Client]:
    """The API as the same user, with their own access token (as curl would use it)."""
    with httpx.Client(base_url=runtime.url, timeout=30) as client:
        login = client.post("/v1/auth/login", json={"email": owner.email, "password": owner.password})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield client


def by_name(client: httpx.Client, path: str, name: str, attr: str = "name") -> dict[str, Any]:
    page = client.get(path, params={"q": name})
    page.raise_for_status()
    return next(item for item in page.json()["items"] if item[attr] == name)


def add_contacts(client: httpx.Client, people: list[tuple[str, str, str | None]]) -> list[str]:
    """People as (name, phone, plan); returns their ids."""
    ids = []
    for name, phone, plan in people:
        body: dict[str, Any] = {"name": name, "phone": phone, "custom_fields": {"plan": plan} if plan else {}}
        created = client.post("/v1/contacts", json=body)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    return ids


def tag_all(client: httpx.Client, tag_id: str, contact_ids: list[str]) -> None:
    for contact_id in contact_ids:
        assert client.put(f"/v1/contacts/{contact_id}/tags/{tag_id}").status_code in (200, 204)


def live_count(page: Page, name: str = "Matching contacts") -> Locator:
    return page.get_by_role("status", name=name)


def create_tag(page: Page, name: str, color: str, *, pt: bool = False) -> None:
    page.get_by_role("button", name="Nova etiqueta" if pt else "New tag").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nome" if pt else "Name").fill(name)
    dialog.get_by_label("Cor" if pt else "Colour").fill(color)
    dialog.get_by_role("button", name="Salvar" if pt else "Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()


def test_tags_custom_fields_lists_and_a_segment_built_visually(session: Session, runtime: Runtime) -> None:
    owner = sign_up(session)
    page = session.page

    # Tags: the empty state, then two tags with colours; a duplicate name is refused next to the field
    session.goto("/tags")
    expect(page.get_by_text("No tags yet")).to_be_visible()
    shot(page, "audience-tags-empty-en")
    create_tag(page, "vip", "#16a34a")
    create_tag(page, "lead", "#2563eb")
    page.get_by_role("button", name="New tag").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("VIP")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("There is already a tag with this name")
    expect(dialog.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    shot(page, "audience-tags-duplicate-en")
    dialog.get_by_role("button", name="Cancel").click()
    # rename and recolour one
    page.get_by_role("button", name="Edit the tag lead").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("leads")
    dialog.get_by_label("Colour").fill("#dc2626")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="leads", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Delete the tag vip")).to_be_visible()  # the owner may delete
    shot(page, "audience-tags-en")
    assert_accessible(page)

    # Custom fields: a select field; the key follows the label
    session.goto("/custom-fields")
    expect(page.get_by_text("No custom fields yet")).to_be_visible()
    page.get_by_role("button", name="New field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Label").fill("Plan")
    expect(dialog.get_by_label("Key")).to_have_value("plan")
    dialog.get_by_label("Type").select_option("select")
    dialog.get_by_label("Options").fill("basic\npro")
    shot(page, "audience-custom-field-dialog-en")
    assert_accessible(page)
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("cell", name="basic, pro")).to_be_visible()
    shot(page, "audience-custom-fields-en")
    assert_accessible(page)

    # Lists: one list
    session.goto("/lists")
    expect(page.get_by_text("No lists yet")).to_be_visible()
    page.get_by_role("button", name="New list").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Newsletter")
    dialog.get_by_label("Description").fill("Monthly news")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Newsletter", exact=True)).to_be_visible()

    # contacts arrive through the API (as an import or another system would add them)
    with api(runtime, owner) as client:
        vip = by_name(client, "/v1/tags", "vip")["id"]
        newsletter = by_name(client, "/v1/lists", "Newsletter")["id"]
        ids = add_contacts(
            client,
            [
                ("Ana Souza", "+55 11 91234-0001", "pro"),
                ("Bruno Lima", "+55 11 91234-0002", "pro"),
                ("Carla Dias", "+55 11 91234-0003", "basic"),
                ("Davi Rocha", "+55 11 91234-0004", None),
            ],
        )
        tag_all(client, vip, ids[:3])
        bulk = client.post(
            "/v1/contacts/bulk", json={"action": "add_to_list", "target_id": newsletter, "contact_ids": ids[:2]}
        )
        assert bulk.status_code == 200, bulk.text

    page.reload()
    row = page.get_by_role("row", name=re.compile("Newsletter"))
    expect(row.get_by_role("cell", name="2", exact=True)).to_be_visible()
    shot(page, "audience-lists-en")
    assert_accessible(page)
    page.get_by_role("link", name="Newsletter", exact=True).click()
    members = page.get_by_role("table", name="Members of Newsletter")
    expect(members.get_by_role("link", name="Ana Souza", exact=True)).to_have_attribute("href", f"/contacts/{ids[0]}")
    expect(members.get_by_role("link", name="Bruno Lima", exact=True)).to_be_visible()
    expect(members.get_by_role("link", name="Carla Dias", exact=True)).to_have_count(0)
    page.get_by_label("Search members").fill("bruno")
    expect(members.get_by_role("link", name="Ana Souza", exact=True)).to_have_count(0)
    expect(members.get_by_role("link", name="Bruno Lima", exact=True)).to_be_visible()
    page.get_by_label("Search members").fill("")
    expect(members.get_by_role("link", name="Ana Souza", exact=True)).to_be_visible()
    shot(page, "audience-list-members-en")
    assert_accessible(page)
    # rename it from its page
    page.get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Newsletter BR")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Newsletter BR")).to_be_visible()

    # Segments: built visually, the count following each edit
    session.goto("/segments")
    expect(page.get_by_text("No segments yet")).to_be_visible()
    shot(page, "audience-segments-empty-en")
    page.get_by_role("link", name="New segment", exact=True).click()
    count = live_count(page)
    expect(count).to_contain_text("4")  # no conditions: everyone
    # the API's field error sits next to the field it names
    page.get_by_role("button", name="Create segment").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Name").fill("Pro VIPs")
    page.get_by_role("button", name="Add a condition").click()
    page.get_by_role("menuitem", name="Has any of these tags").click()
    tags_row = page.get_by_role("group", name="Has any of these tags")
    pick(page, tags_row.get_by_label("Add a tag", exact=True), "vip")
    expect(tags_row.get_by_role("button", name="Remove vip")).to_be_visible()
    expect(count).to_contain_text("Counting…")
    expect(count).to_contain_text("3")
    expect(count).to_contain_text("contacts match now")
    page.get_by_role("button", name="Add a condition").click()
    page.get_by_role("menuitem", name="Custom field").click()
    field_row = page.get_by_role("group", name="Custom field")
    expect(field_row.get_by_label("Field", exact=True)).to_have_value("plan")
    field_row.get_by_label("Condition", exact=True).select_option("eq")
    field_row.get_by_label("Value", exact=True).select_option("pro")
    expect(count).to_contain_text("2")
    expect(count).not_to_contain_text("Counting…")
    # the menu offers no second "any of these tags" condition
    page.get_by_role("button", name="Add a condition").click()
    expect(page.get_by_role("menuitem", name="Has any of these tags")).to_be_disabled()
    page.keyboard.press("Escape")
    shot(page, "audience-segment-builder-en")
    assert_accessible(page)
    page.get_by_role("button", name="Create segment").click()

    # the saved segment is listed with its count
    row = page.get_by_role("row", name=re.compile("Pro VIPs"))
    expect(row.get_by_role("link", name=re.compile(r"^2\W+contacts of Pro VIPs$"))).to_have_attribute(
        "href", re.compile(r"^/contacts\?segment=")
    )
    expect(row).to_contain_text("Has any of these tags: vip · Plan is pro")
    shot(page, "audience-segments-en")
    assert_accessible(page)

    # editing: opening it shows the conditions it was saved with; removing one changes the count
    page.get_by_role("link", name="Pro VIPs", exact=True).click()
    expect(page.get_by_role("group", name="Custom field").get_by_label("Value", exact=True)).to_have_value("pro")
    expect(count).to_contain_text("2")
    expect(page.get_by_text("Unsaved changes")).to_have_count(0)
    page.get_by_role("button", name="Remove the condition “Custom field”").click()
    expect(count).to_contain_text("3")
    expect(page.get_by_text("Unsaved changes")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name=re.compile(r"^3\W+contacts of Pro VIPs$"))).to_be_visible()

    # deleting asks first
    page.get_by_role("button", name="Delete the segment Pro VIPs").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("no contact is changed")
    shot(page, "audience-segment-delete-en")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No segments yet")).to_be_visible()

    # deleting a tag asks first and says what it does
    session.goto("/tags")
    page.get_by_role("button", name="Delete the tag leads").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("removed from every contact")
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("cell", name="leads", exact=True)).to_have_count(0)

    # deleting a list keeps its contacts
    session.goto("/lists")
    page.get_by_role("button", name="Delete the list Newsletter BR").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("its contacts stay")
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No lists yet")).to_be_visible()
    with api(runtime, owner) as client:
        assert len(client.get("/v1/contacts").json()["items"]) == 4


def test_portuguese_audience_screens(session_pt: Session, runtime: Runtime) -> None:
    owner = sign_up(session_pt)
    page = session_pt.page
    session_pt.goto("/tags")
    expect(page.get_by_role("heading", name="Etiquetas")).to_be_visible()
    create_tag(page, "cliente", "#9333ea", pt=True)
    shot(page, "audience-tags-pt-BR")
    assert_accessible(page)
    with api(runtime, owner) as client:
        tag = by_name(client, "/v1/tags", "cliente")["id"]
        client.post("/v1/custom-fields", json={"key": "cidade", "label": "Cidade", "type": "text"}).raise_for_status()
        ids = add_contacts(client, [("Joana", "+55 21 99876-0001", None), ("Pedro", "+55 21 99876-0002", None)])
        tag_all(client, tag, ids[:1])
        client.patch(f"/v1/contacts/{ids[1]}", json={"custom_fields": {"cidade": "São Paulo"}}).raise_for_status()
        client.post("/v1/lists", json={"name": "Clientes antigos"}).raise_for_status()

    session_pt.goto("/custom-fields")
    expect(page.get_by_role("cell", name="Cidade", exact=True)).to_be_visible()
    shot(page, "audience-custom-fields-pt-BR")
    assert_accessible(page)
    session_pt.goto("/lists")
    expect(page.get_by_role("link", name="Clientes antigos", exact=True)).to_be_visible()
    shot(page, "audience-lists-pt-BR")
    assert_accessible(page)
    page.get_by_role("link", name="Clientes antigos", exact=True).click()
    expect(page.get_by_text("Esta lista ainda não tem membros")).to_be_visible()
    shot(page, "audience-list-members-pt-BR")

    session_pt.goto("/segments/new")
    count = live_count(page, "Contatos correspondentes")
    expect(count).to_contain_text("2")
    page.get_by_label("Nome").fill("Paulistas")
    page.get_by_role("button", name="Adicionar condição").click()
    page.get_by_role("menuitem", name="Campo personalizado").click()
    row = page.get_by_role("group", name="Campo personalizado")
    row.get_by_label("Condição", exact=True).select_option("contains")
    row.get_by_label("Valor", exact=True).fill("paulo")
    expect(count).to_contain_text("Contando…")
    expect(count).to_contain_text("1")
    expect(count).to_contain_text("contatos atendem agora")
    page.get_by_role("button", name="Adicionar condição").click()
    page.get_by_role("menuitem", name="Não tem nenhuma destas etiquetas").click()
    pick(
        page,
        page.get_by_role("group", name="Não tem nenhuma destas etiquetas").get_by_label(
            "Adicionar etiqueta", exact=True
        ),
        "cliente",
    )
    expect(count).to_contain_text("1")
    page.get_by_role("button", name="Adicionar condição").click()
    page.get_by_role("menuitem", name="Consentimento").click()
    consent = page.get_by_role("group", name="Consentimento")
    consent.get_by_label("Situação", exact=True).select_option("unknown")
    expect(count).to_contain_text("1")
    # created from today (in the browser's time zone): the contacts made a moment ago still match
    page.get_by_role("button", name="Adicionar condição").click()
    page.get_by_role("menuitem", name="Criado entre").click()
    today = page.evaluate("new Date().toLocaleDateString('en-CA')")  # YYYY-MM-DD, local
    page.get_by_role("group", name="Criado entre").get_by_label("De", exact=True).fill(today)
    expect(count).to_contain_text("Contando…")
    expect(count).to_contain_text("1")
    expect(count).to_contain_text("contatos atendem agora")
    shot(page, "audience-segment-builder-pt-BR")
    assert_accessible(page)
    page.get_by_role("button", name="Criar segmento").click()
    expect(page.get_by_role("link", name=re.compile(r"^1\W+contatos de Paulistas$"))).to_be_visible()
    shot(page, "audience-segments-pt-BR")
    assert_accessible(page)


def test_an_agent_is_not_offered_what_only_an_admin_may_do(browser: Browser, runtime: Runtime) -> None:
    owner_session = new_session(browser, runtime)
    try:
        owner = sign_up(owner_session)
    finally:
        owner_session.context.close()
    agent = Owner(company=owner.company, name="Agent", email=f"agent.{owner.email}")
    with api(runtime, owner) as client:
        client.post("/v1/tags", json={"name": "vip"}).raise_for_status()
        client.post("/v1/lists", json={"name": "Newsletter"}).raise_for_status()
        client.post("/v1/custom-fields", json={"key": "plan", "label": "Plan", "type": "text"}).raise_for_status()
        invite = client.post("/v1/users", json={"email": agent.email, "name": agent.name, "role": "agent"})
        assert invite.status_code == 201, invite.text
        token = invite.json()["invite_token"]
        client.post("/v1/auth/accept-invite", json={"token": token, "password": PASSWORD}).raise_for_status()

    s = new_session(browser, runtime, viewport={"width": 360, "height": 740})
    try:
        log_in(s, agent.email, PASSWORD)
        page = s.page
        s.goto("/tags")
        expect(page.get_by_role("button", name="Edit the tag vip")).to_be_visible()
        expect(page.get_by_role("button", name="Delete the tag vip")).to_have_count(0)
        shot(page, "audience-tags-agent-phone-en")
        s.goto("/lists")
        expect(page.get_by_role("button", name="Rename the list Newsletter")).to_be_visible()
        expect(page.get_by_role("button", name="Delete the list Newsletter")).to_have_count(0)
        s.goto("/custom-fields")
        expect(page.get_by_role("cell", name=re.compile("Plan"))).to_be_visible()
        expect(page.get_by_role("button", name="New field")).to_have_count(0)
        expect(page.get_by_role("button", name="Delete the field Plan")).to_have_count(0)
        # a phone-sized builder: no sideways scrolling
        s.goto("/segments/new")
        page.get_by_role("button", name="Add a condition").click()
        page.get_by_role("menuitem", name="Custom field").click()
        expect(live_count(page)).to_contain_text("0")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "audience-segment-builder-phone-en")
        assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, s.errors


def test_tags_are_searched_and_paged_on_the_server(session: Session, runtime: Runtime) -> None:
    # GIVEN 55 tags, more than the screen's first page of 50
    owner = sign_up(session)
    page = session.page
    with api(runtime, owner) as client:
        for n in range(1, 56):
            client.post("/v1/tags", json={"name": f"tag {n:02d}"}).raise_for_status()
        client.post("/v1/tags", json={"name": "zebra"}).raise_for_status()
    session.goto("/tags")
    table = page.get_by_role("table", name="Tags")

    # THEN the first page is 50 tags in name order, and Load more brings the rest
    expect(table.get_by_role("row")).to_have_count(51)  # with the header
    expect(table.get_by_role("cell", name="tag 50", exact=True)).to_be_visible()
    expect(table.get_by_role("cell", name="tag 51", exact=True)).to_have_count(0)
    shot(page, "audience-tags-first-page-en")
    with page.expect_request(lambda r: "/v1/tags?" in r.url and "cursor=" in r.url):
        page.get_by_role("button", name="Load more").click()
    expect(table.get_by_role("row")).to_have_count(57)
    expect(table.get_by_role("cell", name="zebra", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)

    # WHEN searching THEN the server is asked with q (once typing stops) and only the match is shown
    with page.expect_request(lambda r: "/v1/tags?" in r.url and "q=zeb" in r.url):
        page.get_by_label("Search tags").fill("zeb")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table.get_by_role("cell", name="zebra", exact=True)).to_be_visible()
    shot(page, "audience-tags-search-en")
    assert_accessible(page)
    page.get_by_label("Search tags").fill("nothing like it")
    expect(page.get_by_text("No tag matches the search.")).to_be_visible()
    page.get_by_label("Search tags").fill("")  # back to the list as it was loaded
    expect(table.get_by_role("cell", name="tag 01", exact=True)).to_be_visible()

    # and a picker finds a tag past the first page by asking the server
    session.goto("/segments/new")
    page.get_by_role("button", name="Add a condition").click()
    page.get_by_role("menuitem", name="Has any of these tags").click()
    row = page.get_by_role("group", name="Has any of these tags")
    row.get_by_label("Add a tag", exact=True).click()
    expect(page.get_by_role("option")).to_have_count(20)  # the first 20 by name
    page.get_by_role("combobox", name="Search tags").fill("zeb")
    expect(page.get_by_role("option")).to_have_count(1)
    shot(page, "audience-tag-picker-en")
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Remove zebra")).to_be_visible()
