"""What only Meta brings about, brought about by the sandbox and walked in the browser:

- a customer message Meta delivers 25 hours late: its 24-hour window is closed, the composer offers only a
  template, which is sent (in Portuguese);
- a reply accepted by Meta and then reported ``failed`` with its error: the thread's tick says why; a campaign's
  message failed the same way is counted under its reason on the campaign's page;
- a template Meta serves in a shape our sender cannot read: its recipients become dead letters, retried from the
  campaign's page once Meta's copy is right again, and sent;
- a campaign scheduled in the wizard at a date and time in another timezone: shown in the user's clock and the
  campaign's, held by the API as that instant, and started by the local scheduler when it comes.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, new_session, shot
from tests.e2e.browser.pickers import pick
from tests.e2e.waits import eventually
from tests.runtime import Runtime

NUMBER_ID = "100000000000001"  # the demo company's sandbox number (README)
LIVE = 60_000  # ms: statuses and campaigns, live
DAY_AND_AN_HOUR = 25 * 3600
_phones = itertools.count(1)


def _items(body: Any) -> list[dict[str, Any]]:
    """A list answer, or a page's items."""
    return list(body["items"] if isinstance(body, dict) else body)


class Api:
    """The API as the demo company's owner, and the sandbox: what customers, Meta and the setup do."""

    def __init__(self, runtime: Runtime) -> None:
        # idle connections dropped before the server drops them (uvicorn, after 5 s): no reset mid-test
        self.http = httpx.Client(base_url=runtime.url, timeout=30, limits=httpx.Limits(keepalive_expiry=2))
        tokens = self.http.post("/v1/auth/login", json={"email": runtime.email, "password": runtime.password})
        tokens.raise_for_status()
        self.http.headers["authorization"] = f"Bearer {tokens.json()['access_token']}"
        connections = _items(self.http.get("/v1/connections", params={"limit": 200}).raise_for_status().json())
        self.connection = next(c for c in connections if c["phone_number_id"] == NUMBER_ID)

    # ---- the sandbox (Meta and its customers)
    def customer_writes(self, phone: str, name: str, text: str, *, age_seconds: float = 0) -> None:
        body = {"from": phone, "name": name, "text": text, "age_seconds": age_seconds}
        sent = self.http.post(f"/sandbox/numbers/{NUMBER_ID}/inbound", json=body)
        assert sent.status_code == 200 and sent.json()["webhook_status"] == 200, sent.text

    def sandbox(self, **settings: Any) -> None:
        """The sandbox's settings (none: its defaults)."""
        self.http.put("/sandbox/settings", json=settings).raise_for_status()

    def meta_changes_template(self, template: dict[str, Any], components: list[Any]) -> None:
        """Meta's copy of the template changes; our mirror follows when it syncs."""
        path = f"/sandbox/wabas/{self.connection['waba_id']}/templates/{template['meta_id']}"
        self.http.put(path, json={"components": components}).raise_for_status()
        synced = self.http.post(f"/v1/connections/{self.connection['id']}/templates/sync")
        assert synced.status_code == 200, synced.text

    # ---- the company's setup
    def approved_template(self, category: str = "UTILITY") -> dict[str, Any]:
        name = f"aviso_{uuid.uuid4().hex[:8]}"
        created = self.http.post(
            f"/v1/connections/{self.connection['id']}/templates",
            json={
                "name": name, "language": "pt_BR", "category": category,
                "components": [{"type": "BODY", "text": "Olá {{1}}, temos novidades para você!",
                                "example": {"body_text": [["Carla"]]}}],
                "parameters": {"body.1": "first_name"}, "defaults": {"body.1": "cliente"},
            },
        )  # fmt: skip
        assert created.status_code == 201, created.text
        template_id = created.json()["id"]
        return eventually(
            lambda: (t := self.http.get(f"/v1/whatsapp-templates/{template_id}").json())["status"] == "APPROVED" and t
        )

    def tagged_contacts(self, n: int) -> dict[str, Any]:
        """``n`` new contacts with a new tag; returns the tag."""
        tag = self.http.post("/v1/tags", json={"name": f"situ-{uuid.uuid4().hex[:6]}", "color": "#0f766e"}).json()
        made = 0
        while made < n:
            phone = f"+55319{random.randint(10_000_000, 99_999_999)}"  # area code 31: apart from the other tests
            contact = self.http.post("/v1/contacts", json={"phone": phone, "name": f"Cliente {made + 1} Situação"})
            if contact.status_code == 409:
                continue
            assert contact.status_code == 201, contact.text
            assert self.http.put(f"/v1/contacts/{contact.json()['id']}/tags/{tag['id']}").status_code in (200, 204)
            made += 1
        return dict(tag)

    def campaign(self, name: str, template: dict[str, Any], tag: dict[str, Any]) -> dict[str, Any]:
        body = {
            "name": name, "connection_id": self.connection["id"], "whatsapp_template_id": template["id"],
            "parameters": {"body.1": "first_name"}, "defaults": {"body.1": "cliente"},
            "audience": {"tag_ids": [tag["id"]]}, "rate_per_second": 5,
        }  # fmt: skip
        created = self.http.post("/v1/campaigns", json=body)
        assert created.status_code == 201, created.text
        return dict(created.json())

    def launch(self, campaign: dict[str, Any], at: datetime | None = None) -> None:
        body = {"at": at.isoformat()} if at else {}
        started = self.http.post(f"/v1/campaigns/{campaign['id']}/schedule", json=body)
        assert started.status_code == 200, started.text

    def progress(self, campaign: dict[str, Any]) -> dict[str, Any]:
        return dict(self.http.get(f"/v1/campaigns/{campaign['id']}/progress").raise_for_status().json())

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Api]:
    api = Api(runtime)
    yield api
    api.sandbox()  # whatever a test left queued, the next one starts from the defaults
    api.close()


def _phone() -> str:
    return f"55118{os.getpid() % 10000:04d}{next(_phones):04d}"


def _conversation(page: Page, name: str) -> Locator:
    conversations = page.get_by_role("list", name=re.compile("^(Conversations|Conversas)$"))
    return conversations.get_by_role("link", name=re.compile(name))


def _stat(page: Page, label: str) -> Locator:
    return page.get_by_role("group", name=label, exact=True)


def test_a_message_from_more_than_a_day_ago_leaves_only_a_template_in_portuguese(
    session_pt: Session, runtime: Runtime, api: Api
) -> None:
    # GIVEN an approved template, and a customer whose message Meta delivers 25 hours after it was written
    template = api.approved_template()
    log_in(session_pt, runtime.email, runtime.password)
    page = session_pt.goto("/inbox")
    expect(page.get_by_role("heading", name="Caixa de entrada")).to_be_visible()
    phone, name = _phone(), f"Rita {os.getpid()}"
    api.customer_writes(phone, name, "Ontem pedi um orçamento, vocês viram?", age_seconds=DAY_AND_AN_HOUR)
    # WHEN the agent opens the conversation
    row = _conversation(page, name)
    expect(row).to_be_visible()
    row.click()
    thread = page.get_by_role("log", name="Mensagens")
    expect(thread.get_by_text("Ontem pedi um orçamento, vocês viram?")).to_be_visible()
    # THEN the composer says the window is closed: no text, no media, a template instead
    expect(page.get_by_role("status").filter(has_text="A janela de 24 horas está fechada")).to_be_visible()
    expect(page.get_by_role("tab", name="Texto")).to_be_disabled()
    expect(page.get_by_role("tab", name="Mídia")).to_be_disabled()
    expect(page.get_by_role("tab", name="Modelo")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Mensagem", exact=True)).to_have_count(0)
    details = page.get_by_role("complementary", name="Detalhes")
    expect(details.get_by_text("Janela fechada")).to_be_visible()
    shot(page, "inbox-window-closed-pt-BR")
    assert_accessible(page)
    # WHEN they pick the template, see it filled in for the customer and send it
    page.get_by_role("combobox", name="Modelo").select_option(label=f"{template['name']} (pt_BR)")
    preview = page.get_by_role("region", name="Prévia para este contato")
    expect(preview).to_contain_text("Olá Rita, temos novidades para você!")
    shot(page, "inbox-window-closed-template-pt-BR")
    page.get_by_role("button", name="Enviar modelo").click()
    # THEN it is in the thread, Meta delivers it, and the window stays closed (only the customer opens it)
    expect(page.get_by_text("Modelo enviado")).to_be_visible()
    expect(thread.get_by_text(f"Modelo {template['name']}")).to_be_visible()
    expect(thread.get_by_role("img", name="Lida")).to_be_visible(timeout=LIVE)
    expect(page.get_by_role("tab", name="Texto")).to_be_disabled()
    shot(page, "inbox-window-closed-sent-pt-BR")
    assert_accessible(page)
    # WHEN the customer answers now THEN the window opens and text is offered again
    api.customer_writes(phone, name, "Vi sim, obrigada!")
    expect(thread.get_by_text("Vi sim, obrigada!")).to_be_visible()
    expect(page.get_by_role("tab", name="Texto")).to_be_enabled()
    expect(page.get_by_role("status").filter(has_text="A janela de 24 horas está fechada")).to_have_count(0)


def test_a_failed_delivery_shows_metas_reason_in_the_thread_and_the_campaign(
    session: Session, runtime: Runtime, api: Api
) -> None:
    # GIVEN a customer who wrote just now
    log_in(session, runtime.email, runtime.password)
    page = session.goto("/inbox")
    phone, name = _phone(), f"Lia {os.getpid()}"
    api.customer_writes(phone, name, "Meu pedido chegou quebrado")
    _conversation(page, name).click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread.get_by_text("Meu pedido chegou quebrado")).to_be_visible()
    # WHEN the agent replies and Meta accepts the message, then reports it failed (131026: undeliverable)
    api.sandbox(delay_seconds=0.5, inject=[{"failed": 131026}])
    page.get_by_label("Message", exact=True).fill("Sentimos muito! Vamos trocar.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(thread.get_by_text("Sentimos muito! Vamos trocar.")).to_be_visible()
    # THEN the bubble's tick goes to failed, and says why on hover and focus
    tick = thread.get_by_role("img", name=re.compile(r"^Failed: "))
    expect(tick).to_be_visible(timeout=LIVE)
    expect(tick).to_have_attribute("aria-label", re.compile(r"Unable to deliver message.*code 131026"))
    expect(thread.get_by_text(re.compile(r"^Unable to deliver message.* · code 131026$"))).to_be_visible()  # inline
    tick.hover()
    expect(page.get_by_role("tooltip")).to_contain_text("code 131026")
    shot(page, "inbox-failed-tick-en")
    assert_accessible(page)

    # GIVEN a campaign to two contacts, the first of whose messages Meta holds back (131049)
    template = api.approved_template("MARKETING")
    tag = api.tagged_contacts(2)
    campaign = api.campaign(f"Failed {uuid.uuid4().hex[:4]}", template, tag)
    api.sandbox(delay_seconds=0.2, inject=[{"failed": 131049}])
    api.launch(campaign)
    # WHEN its page is opened THEN one is counted failed under Meta's reason, the other delivered
    page = session.goto(f"/campaigns/{campaign['id']}")
    expect(page.get_by_role("status", name="Campaign state")).to_contain_text("Completed", timeout=LIVE)
    expect(_stat(page, "Failed")).to_contain_text("1", timeout=LIVE)
    expect(_stat(page, "Read")).to_contain_text("1", timeout=LIVE)
    reasons = page.get_by_role("table", name="Failures by reason")
    row = reasons.get_by_role("row").filter(has_text="131049")
    expect(row).to_contain_text("Held back by Meta to limit marketing messages")
    expect(row).to_contain_text("1")
    # AND "Show" lists that recipient with Meta's words
    row.get_by_role("button", name="Show").click()
    recipients = page.get_by_role("table", name="Recipients")
    expect(recipients.get_by_role("row")).to_have_count(2)  # the header and the failed one
    expect(recipients).to_contain_text("131049")
    page.mouse.move(0, 0)
    recipients.scroll_into_view_if_needed()  # (the page scrolls inside <main>)
    shot(page, "campaigns-failed-by-reason-en")
    assert_accessible(page)


CHART = "Where each recipient is now"
# A BUTTONS component whose buttons are not a list: a shape our code does not read (a bug's stand-in).
ODD_BUTTONS = {"type": "BUTTONS", "buttons": "Quero saber mais"}


def test_dead_letters_are_retried_from_the_campaign_page(session: Session, runtime: Runtime, api: Api) -> None:
    # GIVEN a campaign to two contacts, scheduled a few seconds ahead, whose template Meta serves, once the
    # schedule was checked, with a component our sender cannot read
    template = api.approved_template("MARKETING")
    tag = api.tagged_contacts(2)
    campaign = api.campaign(f"Dead letters {uuid.uuid4().hex[:4]}", template, tag)
    api.launch(campaign, at=datetime.now(UTC) + timedelta(seconds=10))
    api.meta_changes_template(template, [*template["components"], ODD_BUTTONS])
    try:
        eventually(lambda: api.progress(campaign)["failed_by_reason"].get("worker_error") == 2)
        # WHEN the admin opens its page THEN both are failed by our sender, with the way to the dead letters
        log_in(session, runtime.email, runtime.password)
        page = session.goto(f"/campaigns/{campaign['id']}")
        expect(page.get_by_role("status", name="Campaign state")).to_contain_text("Completed", timeout=LIVE)
        expect(_stat(page, "Failed")).to_contain_text("2")
        row = page.get_by_role("table", name="Failures by reason").get_by_role("row").filter(has_text="worker_error")
        expect(row).to_contain_text("Our sender failed on it")
        expect(page.get_by_role("figure", name=CHART)).to_be_visible()  # (loaded apart: in the picture too)
        page.mouse.move(0, 0)
        row.scroll_into_view_if_needed()
        shot(page, "campaigns-worker-error-en")
        assert_accessible(page)
        row.get_by_role("link", name="Dead letters").click()
        expect(page.get_by_role("heading", name="Dead letters")).to_be_visible()
        letters = page.get_by_role("table", name="Dead letters")
        mine = letters.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile(r"\(recipient \d+\)")))
        expect(mine).to_have_count(2)
        expect(mine.first).to_contain_text("AttributeError: 'str' object has no attribute 'get'")
        expect(mine.first.get_by_text("Traceback")).to_be_hidden()  # folded away until asked for
        mine.first.get_by_text("The whole error").click()
        expect(mine.first.get_by_text(re.compile("^Traceback"))).to_be_visible()
        shot(page, "campaigns-dead-letters-two-en")
        assert_accessible(page)
    finally:
        # AND Meta's copy is right again (the bug is fixed)
        api.meta_changes_template(template, template["components"])
    # WHEN they retry both
    for left in (1, 0):
        letters.get_by_role("button", name="Retry").first.click()
        expect(page.get_by_text("Put back in the queue").first).to_be_visible()
        expect(letters.get_by_role("button", name="Retry")).to_have_count(left)
    expect(page.get_by_text("No dead letter")).to_be_visible()
    # THEN the ones already retried are still there to see, and the campaign sends them
    page.get_by_label("Include the ones already retried").check()
    expect(letters.get_by_text(re.compile("^Retried "))).to_have_count(2)
    shot(page, "campaigns-dead-letters-retried-en")
    letters.get_by_role("link", name=re.compile(r"\(recipient \d+\)")).first.click()
    expect(page.get_by_role("heading", name=campaign["name"], level=1)).to_be_visible()
    expect(_stat(page, "Sent")).to_contain_text("2", timeout=LIVE)
    expect(_stat(page, "Failed")).to_contain_text("0", timeout=LIVE)
    expect(page.get_by_role("status", name="Campaign state")).to_contain_text("Completed", timeout=LIVE)
    expect(page.get_by_text("No recipient has failed.")).to_be_visible()
    page.mouse.move(0, 0)
    shot(page, "campaigns-dead-letters-sent-en")
    assert_accessible(page)


def test_a_campaign_scheduled_at_a_date_and_time_in_another_timezone(
    browser: Browser, runtime: Runtime, api: Api
) -> None:
    # GIVEN a user whose clock is São Paulo's, and a campaign's audience and template
    template = api.approved_template("MARKETING")
    tag = api.tagged_contacts(2)
    s = new_session(browser, runtime, timezone_id="America/Sao_Paulo")
    try:
        log_in(s, runtime.email, runtime.password)
        page = s.goto("/campaigns/new")
        name = f"Scheduled {uuid.uuid4().hex[:4]}"
        expect(page.get_by_role("heading", name=re.compile("Step 1 of 6"))).to_be_visible()
        page.get_by_label("Campaign name").fill(name)
        page.get_by_role("radio", name=re.compile("Sandbox")).check()
        page.get_by_role("button", name="Next").click()
        page.get_by_role("radio", name=re.compile(template["name"])).check()
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name=re.compile("Step 3 of 6"))).to_be_visible()
        page.get_by_label("Contact field").select_option(label="First name")
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name=re.compile("Step 4 of 6"))).to_be_visible()
        pick(page, page.get_by_role("button", name="Add a tag"), tag["name"])
        expect(page.get_by_role("status").filter(has_text="2 contacts will receive it")).to_be_visible()
        page.get_by_role("button", name="Next").click()
        # WHEN they schedule it at a date and time in Manaus (an hour behind São Paulo): the next whole minute at
        # least 45 seconds away (the steps left take a few seconds; a time passed meanwhile would start it at once)
        expect(page.get_by_role("heading", name=re.compile("Step 5 of 6"))).to_be_visible()
        manaus = ZoneInfo("America/Manaus")
        at = (datetime.now(manaus) + timedelta(seconds=105)).replace(second=0, microsecond=0)
        page.get_by_role("radio", name=re.compile("At a date and time")).check()
        page.get_by_label("Date and time", exact=True).fill(at.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Timezone", exact=True).select_option("America/Manaus")
        shot(page, "campaigns-wizard-5-schedule-later-en")
        assert_accessible(page)
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name=re.compile("Step 6 of 6"))).to_be_visible()
        clock = at.strftime("%-I:%M") + r"\s" + at.strftime("%p")  # (ICU puts a narrow space before AM)
        expect(page.get_by_text(re.compile(rf"{clock} \(America\/Manaus\)"))).to_be_visible()  # the review
        shot(page, "campaigns-wizard-6-review-later-en")
        page.locator("form").get_by_role("button", name="Schedule", exact=True).click()  # (not the step's tab)
        # THEN its page shows it scheduled, in the user's clock (São Paulo: an hour later) and in Manaus's
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        state = page.get_by_role("status", name="Campaign state")
        expect(state).to_contain_text("Scheduled")
        theirs = at.astimezone(ZoneInfo("America/Sao_Paulo"))
        mine = f"{theirs.month}/{theirs.day}/{theirs:%y}, {theirs:%-I:%M}" + r"\s" + f"{theirs:%p}"
        # Manaus's clock alone on the same day as the user's, with its date when it is the day before (at night)
        there = clock if at.date() == theirs.date() else f"{at.month}/{at.day}/{at:%y}, {clock}"
        when = rf"{mine} \({there} America/Manaus\)".replace("/", r"\/")  # (a slash ends Playwright's regex)
        expect(page.get_by_role("heading", name=re.compile(rf"^Starts {when}$"))).to_be_visible()
        expect(page.get_by_text(re.compile(rf"^{when}$"))).to_be_visible()  # and in its details
        page.mouse.move(0, 0)
        shot(page, "campaigns-page-scheduled-en")
        assert_accessible(page)
        # AND the API holds that instant
        campaign_id = page.url.rstrip("/").rsplit("/", 1)[-1]
        held = api.http.get(f"/v1/campaigns/{campaign_id}").raise_for_status().json()
        assert datetime.fromisoformat(held["scheduled_at"]) == at
        assert held["timezone"] == "America/Manaus"
        # WHEN the moment comes THEN the local scheduler starts it, and the page follows it live to the end
        expect(state).to_contain_text("Completed", timeout=(at - datetime.now(manaus)).total_seconds() * 1000 + 90_000)
        expect(_stat(page, "Sent")).to_contain_text("2", timeout=LIVE)
        started = datetime.fromisoformat(api.http.get(f"/v1/campaigns/{campaign_id}").json()["started_at"])
        assert at <= started < at + timedelta(seconds=30)
        page.mouse.move(0, 0)
        shot(page, "campaigns-page-scheduled-started-en")
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"
