"""Cadences in the browser: a new company's owner builds "template → wait 2 days → replied? → text" (a bad wait
is marked on its field), sees the timeline preview for a contact, activates it, enrolls the contact by hand and
follows the enrollment's state and step history live while the cadence tick runs (the runtime's scheduled
``cadence_ticker``, fired here with the clock moved past the wait), then the per-step statistics; then the same
screens in Portuguese and at a phone's width. Screenshots go to /tmp/shots/cadences-*.png."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from functions import manifest
from functions.local.lambda_context import invoke
from functions.local.schedules import scheduler_event
from masteria import bootstrap
from masteria.adapters.local import embedded_pg
from masteria.settings import Settings
from tests.cadences_api import FakeClock
from tests.e2e.browser.conftest import (
    Session,
    assert_accessible,
    no_sideways_scroll,
    no_toasts,
    pane_shot,
    sign_up,
)
from tests.e2e.browser.owner_api import Api
from tests.e2e.browser.pickers import pick
from tests.e2e.waits import eventually
from tests.runtime import Runtime

CADENCE = "Orçamento em 2 dias"
CUSTOMER = "Carla Cliente"


class Ticker:
    """The runtime's ``cadence_ticker`` fired from here, on the runtime's own database, at a clock the test sets
    (the schedule loop fires it only once a minute, and a two-day wait is not waited for)."""

    def __init__(self, runtime: Runtime) -> None:
        server = embedded_pg.start(runtime.data_dir, stop_on_exit=False)  # joins the runtime's PostgreSQL
        owner = server.url(user=embedded_pg.OWNER_ROLE, database="masteria")
        self.container = bootstrap.Container(
            Settings(masteria_data_dir=runtime.data_dir, database_url=owner),
            queue_configs=manifest.local_queue_configs(),
        )
        self.clock = FakeClock()
        self.container.clock = self.clock

    def tick(self, at: datetime) -> dict[str, int]:
        self.clock.at = at
        spec = manifest.by_name("cadence_ticker")
        result: dict[str, int] = invoke(spec, scheduler_event(spec, at))
        return result


@pytest.fixture
def ticker(runtime: Runtime) -> Iterator[Ticker]:
    ticker = Ticker(runtime)
    bootstrap.install(ticker.container)
    try:
        yield ticker
    finally:
        bootstrap.install(None)
        ticker.container.database.engine.dispose()


def _template(api: Api) -> str:
    """An approved template of the number with one body parameter."""
    connection = api.ok(api.http.get("/v1/connections"))["items"][0]
    name = f"orcamento_{uuid.uuid4().hex[:8]}"
    body = {
        "name": name, "language": "pt_BR", "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Oi {{1}}, seu orçamento está pronto!",
                        "example": {"body_text": [["Ana"]]}}],
    }  # fmt: skip
    created = api.ok(api.http.post(f"/v1/connections/{connection['id']}/templates", json=body))
    eventually(lambda: api.ok(api.http.get(f"/v1/whatsapp-templates/{created['id']}"))["status"] == "APPROVED")
    return name


def test_a_cadence_built_previewed_and_run_for_a_contact_live_in_both_languages(
    session: Session, runtime: Runtime, ticker: Ticker
) -> None:
    # GIVEN a new company with a WhatsApp number on the sandbox, an approved template and a contact
    owner = sign_up(session)
    api = Api(runtime, owner.email, owner.password)
    api.connect_number()
    template = _template(api)
    phone = f"+55119{random.randrange(10**7, 10**8)}"
    api.ok(api.http.post("/v1/contacts", json={"phone": phone, "name": CUSTOMER}))
    page = session.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cadences").click()
    expect(page.get_by_role("heading", name="Cadences")).to_be_visible()
    expect(page.get_by_text("No cadences yet")).to_be_visible()

    # WHEN the owner builds it: a template with {{1}} from the contact's first name, a wait, a branch, a text
    page.get_by_role("link", name="New cadence").first.click()
    expect(page.get_by_role("heading", name="New cadence")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(CADENCE)
    pick(page, page.get_by_label("Number", exact=True), "Vendas")
    steps = page.get_by_role("list", name="Steps")
    first = steps.get_by_role("listitem").nth(0)
    pick(page, first.get_by_label("Template", exact=True), template)
    first.get_by_label("Fill with").select_option(label="First name")
    expect(first.get_by_label("Template preview")).to_have_text("Oi [First name], seu orçamento está pronto!")
    add = page.get_by_role("button", name="Add a step")
    add.click()
    page.get_by_role("menuitem", name="Wait").click()
    wait = steps.get_by_role("listitem").nth(1)
    wait.get_by_label("How long").fill("0")
    add.click()
    page.get_by_role("menuitem", name="Branch").click()
    branch = steps.get_by_role("listitem").nth(2)
    expect(branch.get_by_label("If the contact")).to_have_value("replied_since_last_step")
    add.click()
    page.get_by_role("menuitem", name="Send a text").click()
    text = steps.get_by_role("listitem").nth(3)
    text.get_by_label("Message").fill("Oi {{contact.first_name}}, ainda tem interesse?")
    branch.get_by_label("If so, go to").select_option(label="The end (the cadence completes)")
    # sends on any day at any hour; a reply is what the branch looks at, so it does not end the enrollment
    for day in ("Saturday", "Sunday"):
        page.get_by_label(day).check()
    page.get_by_role("switch", name="At any hour").click()
    page.get_by_role("switch", name="Exit when the contact replies").click()
    expect(page.get_by_role("switch", name="Exit when the contact replies")).not_to_be_checked()
    # a wait of nothing is marked on its field, and nothing is saved
    page.get_by_role("button", name="Create the draft").click()
    how_long = wait.get_by_label("How long")
    expect(how_long).to_have_attribute("aria-invalid", "true")
    expect(how_long).to_have_accessible_description("At least one minute.")
    how_long.fill("2")
    expect(how_long).not_to_have_attribute("aria-invalid", "true")  # fixed: the mark goes
    wait.get_by_label("Unit").select_option(label="days")
    pane_shot(page, "cadences-builder-en")
    assert_accessible(page)
    page.get_by_role("button", name="Create the draft").click()
    expect(page).to_have_url(re.compile(r"/cadences/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name=CADENCE)).to_be_visible()
    expect(page.get_by_role("status", name="Cadence status")).to_have_text("Draft")
    cadence_url = page.url

    # THEN the preview for the contact: the template now, the text two days later
    page.get_by_role("tab", name="Preview").click()
    pick(page, page.get_by_label("For the contact"), CUSTOMER, search="Carla")
    timeline = page.get_by_role("list", name="Timeline").get_by_role("listitem")
    expect(timeline).to_have_count(4)
    expect(timeline.nth(0)).to_contain_text("Step 1 · Send a template")
    expect(timeline.nth(2)).to_contain_text("if so the end, if not step 4")
    expect(timeline.nth(3)).to_contain_text("Step 4 · Send a text")
    sent_at = datetime.fromisoformat(timeline.nth(0).locator("time").get_attribute("datetime") or "")
    text_at = datetime.fromisoformat(timeline.nth(3).locator("time").get_attribute("datetime") or "")
    assert timedelta(days=2) <= text_at - sent_at < timedelta(days=2, minutes=5)
    pane_shot(page, "cadences-preview-en")
    assert_accessible(page)

    # WHEN it is activated and the contact enrolled by hand
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status", name="Cadence status")).to_have_text("Active")
    page.get_by_role("tab", name="Enrollments").click()
    page.get_by_role("button", name="Enroll contacts").click()
    dialog = page.get_by_role("dialog", name=f"Enroll in “{CADENCE}”")
    pick(page, dialog.get_by_label("Contacts"), CUSTOMER, search="Carla")
    dialog.get_by_role("button", name="Enroll", exact=True).click()
    expect(page.get_by_text("1 contact enrolled (0 skipped).")).to_be_visible()
    row = page.get_by_role("table", name="Enrollments").get_by_role("row").nth(1)
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Step 1 · Send a template")
    row.get_by_role("button", name=CUSTOMER).click()
    panel = page.get_by_role("dialog", name=CUSTOMER)
    expect(panel.get_by_text("No step has run yet.")).to_be_visible()
    expect(panel.get_by_role("paragraph").filter(has_text="By hand")).to_be_visible()

    # THEN as the tick runs, the panel follows: the template sent, then the wait of two days
    started = datetime.now(UTC)
    ticker.tick(started)
    history = panel.get_by_role("list", name="Steps run").get_by_role("listitem")
    expect(history.nth(0)).to_contain_text("Step 1 · Send a template")
    expect(history.nth(0)).to_contain_text("Sent")
    ticker.tick(datetime.now(UTC))
    expect(history.nth(1)).to_contain_text("Step 2 · Wait")
    expect(history.nth(1)).to_contain_text("Waits until")
    expect(panel).to_contain_text("Step 3 · Branch")

    # WHEN the customer writes back and two days have gone by THEN the branch ends the cadence: completed
    api.customer_writes(phone.lstrip("+"), CUSTOMER, "Sim, tenho interesse!")
    eventually(lambda: api.ok(api.http.get("/v1/conversations", params={"limit": 5}))["items"])
    ticker.tick(datetime.now(UTC) + timedelta(days=2, minutes=5))
    expect(history.nth(2)).to_contain_text("Step 3 · Branch")
    expect(history.nth(2)).to_contain_text("The condition held: the cadence ended.")
    expect(panel.get_by_text("Completed")).to_be_visible()
    expect(history).to_have_count(3)  # the text was not sent
    pane_shot(page, "cadences-history-en")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(row).to_contain_text("Completed")

    # THEN the statistics per step: the template sent once, the branch ran, nobody waiting
    page.get_by_role("tab", name="Statistics").click()
    stats = page.get_by_role("table", name="Statistics per step")
    template_row = stats.get_by_role("row").filter(has_text="Send a template")
    expect(template_row).to_be_visible()
    expect(stats.get_by_role("columnheader", name="Sent")).to_be_visible()
    expect(template_row.locator('[data-column="sent"]')).to_have_text("1")
    expect(template_row.locator('[data-column="waiting"]')).to_have_text("0")
    branch_row = stats.get_by_role("row").filter(has_text="Branch")
    expect(branch_row.locator('[data-column="ran"]')).to_have_text("1")
    expect(stats.get_by_role("row").filter(has_text="Send a text").locator('[data-column="ran"]')).to_have_text("0")
    expect(page.get_by_role("group", name="Completed")).to_contain_text("1")
    pane_shot(page, "cadences-stats-en")
    assert_accessible(page)

    # WHEN the owner switches to Portuguese THEN the statistics, the enrollments, the builder and the list read so
    no_toasts(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitemradio", name="Português (Brasil)").click()
    expect(page.get_by_role("tab", name="Estatísticas")).to_be_visible()
    pane_shot(page, "cadences-stats-pt-BR")
    page.get_by_role("tab", name="Inscrições").click()
    expect(page.get_by_role("table", name="Inscrições").get_by_role("row").nth(1)).to_contain_text("Concluída")
    pane_shot(page, "cadences-enrollments-pt-BR")
    page.get_by_role("tab", name="Prévia").click()
    pane_shot(page, "cadences-preview-pt-BR")
    page.goto(cadence_url)
    expect(page.get_by_role("list", name="Passos").get_by_role("listitem")).to_have_count(4)
    pane_shot(page, "cadences-builder-pt-BR")
    assert_accessible(page)
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Cadências").click()
    expect(page.get_by_role("heading", name="Cadências")).to_be_visible()
    expect(page.get_by_role("link", name=CADENCE)).to_be_visible()
    pane_shot(page, "cadences-list-pt-BR")
    assert_accessible(page)

    # AND at a phone's width the cadence's page fits without sideways scrolling
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(cadence_url + "?tab=enrollments")
    expect(page.get_by_role("table", name="Inscrições")).to_be_visible()
    no_sideways_scroll(page)
    pane_shot(page, "cadences-enrollments-360-pt-BR")
    page.goto(cadence_url)
    expect(page.get_by_role("list", name="Passos").get_by_role("listitem")).to_have_count(4)
    no_sideways_scroll(page)
    pane_shot(page, "cadences-builder-360-pt-BR")
