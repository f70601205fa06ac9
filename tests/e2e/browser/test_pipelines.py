"""The pipelines' board in the browser: leads made through the API are dragged between stages with the mouse and
with the keyboard, and their order survives a reload; the lead panel and the settings open. In Portuguese, a card
dragged into "Reunião agendada" asks for the appointment, and another user of the company, on the same board in
another browser, sees the card move and the new appointment's notification arrive live."""

from __future__ import annotations

import random
import re
from typing import Any

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser.conftest import PASSWORD, Session, assert_accessible, fresh_owner, log_in, new_session, shot
from tests.e2e.waits import eventually
from tests.runtime import Runtime

NUMBER_ID = "100000000000001"  # the demo company's sandbox number (README)
PREFIX = "+5531977"  # contacts of this file: +55 31 977xx-xxxx, numbers no other test uses


def _phone() -> str:
    return f"{PREFIX}{random.randrange(10**5, 10**6)}"


class Api:
    """The owner's API, for the setup a user would have done elsewhere."""

    def __init__(self, runtime: Runtime, email: str, password: str, company: str | None = None, region: str = "BR"):
        self.http = httpx.Client(base_url=runtime.url, timeout=60)
        if company:
            body = {
                "company_name": company,
                "name": "Owner",
                "email": email,
                "password": password,
                "default_region": region,
            }
            created = self.http.post("/v1/auth/signup", json=body)
            assert created.status_code == 201, created.text
        tokens = self.http.post("/v1/auth/login", json={"email": email, "password": password})
        assert tokens.status_code == 200, tokens.text
        self.http.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"

    def ok(self, response: httpx.Response) -> Any:
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def pipeline(self) -> dict[str, Any]:
        pipelines = self.ok(self.http.get("/v1/pipelines"))
        return pipelines[0]  # type: ignore[no-any-return]

    def lead(self, pipeline: dict[str, Any], title: str, name: str, value: str | None = None) -> dict[str, Any]:
        contact = self.ok(self.http.post("/v1/contacts", json={"phone": _phone(), "name": name}))
        body = {"pipeline_id": pipeline["id"], "contact_id": contact["id"], "title": title, "value": value}
        return self.ok(self.http.post("/v1/leads", json=body))  # type: ignore[no-any-return]

    def column(self, pipeline: dict[str, Any], stage_name: str) -> list[str]:
        board = self.ok(self.http.get(f"/v1/pipelines/{pipeline['id']}/board"))
        column = next(c for c in board["columns"] if c["stage"]["name"] == stage_name)
        return [lead["title"] for lead in column["leads"]]


def column(page: Page, stage: str) -> Locator:
    return page.locator(f'section[data-stage="{stage}"]')


def titles(page: Page, stage: str) -> list[str]:
    """A column's card titles as shown, top first."""
    return (
        column(page, stage)
        .locator("li[data-lead]")
        .evaluate_all("items => items.map(li => li.querySelectorAll('button')[1].textContent)")
    )


def drag(page: Page, card: Locator, target: Locator) -> None:
    """A mouse drag, as a hand does it: press, move a little (the sensor's threshold), travel, release."""
    start = card.bounding_box()
    end = target.bounding_box()
    assert start and end
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 12, y + 4, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + min(40, end["height"] / 2), steps=20)
    page.mouse.move(end["x"] + end["width"] / 2 + 2, end["y"] + min(40, end["height"] / 2) + 2, steps=2)
    page.mouse.up()


def card(page: Page, stage: str, title: str) -> Locator:
    return column(page, stage).locator("li[data-lead]").filter(has=page.get_by_role("button", name=f"Move {title}"))


def test_drag_cards_with_the_mouse_and_the_keyboard_and_the_order_survives_a_reload(
    session: Session, runtime: Runtime
) -> None:
    # GIVEN a company in an English-speaking region with three new leads, made through the API
    owner = fresh_owner()
    api = Api(runtime, owner.email, owner.password, company=owner.company, region="US")
    pipeline = api.pipeline()
    assert pipeline["name"] == "Sales"
    for title, name, value in [
        ("Gamma deal", "Gil", None),
        ("Beta deal", "Bia", "250.00"),
        ("Alpha deal", "Ana", "1500.50"),
    ]:
        api.lead(pipeline, title, name, value)
    # WHEN the owner opens the board
    log_in(session, owner.email, owner.password)
    page = session.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipelines").click()
    expect(page.get_by_role("heading", name="Sales", level=1)).to_be_visible()
    expect(column(page, "New").get_by_text("3 leads")).to_be_visible()
    assert titles(page, "New") == ["Alpha deal", "Beta deal", "Gamma deal"]
    expect(column(page, "New")).to_contain_text("R$")  # the column's value total
    shot(page, "pipelines-board-en")
    assert_accessible(page)

    # WHEN Alpha is dragged to Qualified with the mouse
    drag(page, card(page, "New", "Alpha deal"), column(page, "Qualified").get_by_role("list"))
    # THEN it is there at once, and the server keeps it there
    expect(card(page, "Qualified", "Alpha deal")).to_be_visible()
    eventually(lambda: api.column(pipeline, "Qualified") == ["Alpha deal"])
    expect(column(page, "New").get_by_text("2 leads")).to_be_visible()

    # WHEN Beta is moved with the keyboard: Space picks it up, an arrow carries it, Space drops it
    grip = page.get_by_role("button", name="Move Beta deal")
    grip.focus()
    page.keyboard.press("Space")
    expect(grip).to_have_attribute("aria-pressed", "true")  # picked up
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("status").filter(has_text="Beta deal is over Qualified")).to_be_attached()  # said aloud
    page.keyboard.press("Space")
    expect(card(page, "Qualified", "Beta deal")).to_be_visible()
    eventually(lambda: sorted(api.column(pipeline, "Qualified")) == ["Alpha deal", "Beta deal"])
    # AND within its column: the bottom card goes up one place
    bottom = titles(page, "Qualified")[-1]
    grip = page.get_by_role("button", name=f"Move {bottom}")
    grip.focus()
    page.keyboard.press("Space")
    expect(grip).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("status").filter(has_text="position 1 of 2")).to_be_attached()
    page.keyboard.press("Space")
    expect(column(page, "Qualified").locator("li[data-lead]").first).to_contain_text(bottom)
    shown = titles(page, "Qualified")
    eventually(lambda: api.column(pipeline, "Qualified") == shown)

    # THEN the order survives a reload
    page.reload()
    expect(card(page, "Qualified", shown[0])).to_be_visible()
    assert titles(page, "Qualified") == shown
    assert titles(page, "New") == ["Gamma deal"]

    # WHEN a card is dropped on a stage at its WIP limit, the server refuses (409): the card goes back, a toast says why
    qualified = next(stage for stage in pipeline["stages"] if stage["name"] == "Qualified")
    api.ok(api.http.patch(f"/v1/pipelines/{pipeline['id']}/stages/{qualified['id']}", json={"wip_limit": 2}))
    page.reload()
    expect(column(page, "Qualified").get_by_text("2 of 2")).to_be_visible()
    drag(page, card(page, "New", "Gamma deal"), column(page, "Qualified").get_by_role("list"))
    expect(page.get_by_text("This stage is at its limit of open leads.")).to_be_visible()
    expect(card(page, "New", "Gamma deal")).to_be_visible()
    assert titles(page, "Qualified") == shown
    assert api.column(pipeline, "New") == ["Gamma deal"]

    # AND a card's title opens the lead panel: details, appointments, timeline with the moves
    column(page, "Qualified").get_by_role("button", name="Alpha deal", exact=True).click()
    panel = page.get_by_role("dialog", name="Alpha deal")
    expect(panel.get_by_text("Moved from New to Qualified")).to_be_visible()
    panel.get_by_label("Next step").fill("Send the proposal")
    panel.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Lead saved")).to_be_visible()
    page.mouse.move(0, 0)
    shot(page, "pipelines-lead-en")
    assert_accessible(page)
    page.keyboard.press("Escape")

    # AND the settings list the stages
    page.get_by_role("link", name="Pipeline settings").click()
    expect(page.get_by_role("listitem", name="Meeting scheduled")).to_be_visible()
    shot(page, "pipelines-settings-en")
    assert_accessible(page)


def test_a_meeting_scheduled_in_one_browser_is_announced_live_in_another(browser: Browser, runtime: Runtime) -> None:
    # GIVEN a Brazilian company (its pipeline "Vendas") with a lead, and a second user of the company
    owner = fresh_owner()
    api = Api(runtime, owner.email, owner.password, company=owner.company)
    pipeline = api.pipeline()
    assert pipeline["name"] == "Vendas"
    api.lead(pipeline, "Plano anual Delta", "Dora", "9900.00")
    colleague_email = f"colega.{owner.email}"
    invited = api.ok(
        api.http.post("/v1/users", json={"email": colleague_email, "name": "Caio Colega", "role": "admin"})
    )
    accepted = httpx.post(
        f"{runtime.url}/v1/auth/accept-invite",
        json={"token": invited["invite_token"], "password": PASSWORD},
        timeout=60,
    )
    assert accepted.status_code == 200, accepted.text

    seller = new_session(browser, runtime, locale="pt-BR", timezone_id="America/Sao_Paulo")
    colleague = new_session(browser, runtime, locale="pt-BR")
    try:
        # WHEN both open the board
        for s, email in [(seller, owner.email), (colleague, colleague_email)]:
            log_in(s, email, PASSWORD)
            s.page.get_by_role("navigation", name="Principal").get_by_role("link", name="Funis").click()
            expect(s.page.get_by_role("heading", name="Vendas", level=1)).to_be_visible()
            expect(column(s.page, "Novo").get_by_role("button", name="Mover Plano anual Delta")).to_be_visible()
        # AND the seller drags the card into "Reunião agendada"
        page = seller.page
        drag(
            page,
            column(page, "Novo").locator("li[data-lead]").first,
            column(page, "Reunião agendada").get_by_role("list"),
        )
        # THEN the appointment is asked for
        dialog = page.get_by_role("dialog", name="Agendar a reunião")
        expect(dialog.get_by_label("Título")).to_have_value("Reunião: Plano anual Delta")
        expect(dialog.get_by_label("Fuso horário")).to_have_value("America/Sao_Paulo")
        dialog.get_by_label("Local").fill("Sala 3, Av. Paulista")
        dialog.get_by_label("Link da reunião").fill("https://meet.example.com/delta")
        page.mouse.move(0, 0)
        shot(page, "pipelines-appointment-pt-BR")
        assert_accessible(page)
        dialog.get_by_role("button", name="Agendar e mover").click()
        expect(dialog).to_be_hidden()
        expect(column(page, "Reunião agendada").get_by_role("button", name="Mover Plano anual Delta")).to_be_visible()

        # THEN the colleague sees the card move and the notification arrive, without a reload
        other = colleague.page
        expect(column(other, "Reunião agendada").get_by_role("button", name="Mover Plano anual Delta")).to_be_visible()
        expect(column(other, "Novo").get_by_role("button", name="Mover Plano anual Delta")).to_have_count(0)
        bell = other.get_by_role("button", name=re.compile(r"^Notificações, 1 não lida"))
        expect(bell).to_be_visible()
        bell.click()
        expect(other.get_by_role("link", name="Novo agendamento")).to_be_visible()
        expect(other.get_by_text(re.compile(r"Reunião: Plano anual Delta com Dora"))).to_be_visible()
        other.mouse.move(0, 0)
        shot(other, "pipelines-notification-pt-BR")
        other.keyboard.press("Escape")
        shot(other, "pipelines-board-pt-BR")
        assert_accessible(other)
        # AND the lead's panel lists the appointment
        page.get_by_role("button", name="Plano anual Delta", exact=True).click()
        panel = page.get_by_role("dialog", name="Plano anual Delta")
        expect(panel.get_by_text("Sala 3, Av. Paulista").first).to_be_visible()
        expect(panel.get_by_text("Movido de Novo para Reunião agendada")).to_be_visible()
        page.mouse.move(0, 0)
        shot(page, "pipelines-lead-pt-BR")
        assert_accessible(page)
    finally:
        for s in (seller, colleague):
            s.context.close()
    assert not seller.errors and not colleague.errors, seller.errors + colleague.errors


def test_create_a_lead_from_a_conversation_and_go_back_to_it(session: Session, runtime: Runtime) -> None:
    # GIVEN a customer who writes to the demo company's sandbox number: a conversation in its inbox
    api = Api(runtime, runtime.email, runtime.password)
    phone = _phone()
    sent = api.http.post(
        f"/sandbox/numbers/{NUMBER_ID}/inbound",
        json={"from": phone[1:], "name": "Lia Lead", "text": "Quero um orçamento"},
    )
    assert sent.status_code < 300, sent.text

    def found() -> dict[str, Any] | None:
        items = api.ok(api.http.get("/v1/conversations", params={"limit": 20}))["items"]
        return next((c for c in items if c["contact"]["phone"] == phone), None)

    conversation = eventually(found)
    log_in(session, runtime.email, runtime.password)
    page = session.goto(f"/inbox/{conversation['id']}")
    # WHEN "Create lead" is pressed in its details
    details = page.get_by_role("button", name="Show the details and notes")
    expect(page.get_by_role("button", name="Create lead").or_(details).first).to_be_visible()
    if details.is_visible():
        details.click()
    page.get_by_role("button", name="Create lead").click()
    # THEN its lead opens on the board (the contact's open lead there, when a run before made it)
    expect(page).to_have_url(re.compile(r"/pipelines/[0-9a-f-]{36}\?lead=[0-9a-f-]{36}"))
    panel = page.get_by_role("dialog")
    expect(panel.get_by_role("heading", name="Lia Lead")).to_be_visible()  # titled after the contact
    expect(panel.get_by_role("link", name="Open conversation")).to_be_visible()
    # AND its conversation is one click away
    panel.get_by_role("link", name="Open conversation").click()
    expect(page).to_have_url(re.compile(rf"/inbox/{conversation['id']}$"))


def test_the_board_on_a_phone_scrolls_its_columns_not_the_page(browser: Browser, runtime: Runtime) -> None:
    owner = fresh_owner()
    api = Api(runtime, owner.email, owner.password, company=owner.company)
    pipeline = api.pipeline()
    api.lead(pipeline, "Contrato de manutenção com um título bem comprido", "Rui", "1200.00")
    s = new_session(browser, runtime, locale="pt-BR", viewport={"width": 360, "height": 740})
    try:
        log_in(s, owner.email, PASSWORD)
        page = s.goto(f"/pipelines/{pipeline['id']}")
        expect(column(page, "Novo").get_by_role("button", name=re.compile("^Mover Contrato"))).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "pipelines-board-phone-pt-BR")
        assert_accessible(page)
        page.get_by_role("button", name=re.compile("^Contrato de manutenção")).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "pipelines-lead-phone-pt-BR")
    finally:
        s.context.close()
    assert not s.errors, s.errors
