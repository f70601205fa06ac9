"""The pipelines by hand in the browser: a lead made through the board's "New lead" dialog (its contact searched as
one types) lands in its column, and a second open lead for the same contact is refused with the first one offered;
in the lead panel an appointment is added, rescheduled, its change refused when someone changed it meanwhile (409,
a toast, shown as it is now), and cancelled; in Portuguese the pipeline settings add a stage, rename it, move it up and
archive another stage into it, the API and the board agreeing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import PASSWORD, assert_accessible, fresh_owner, log_in, new_session, shot
from tests.e2e.browser.pickers import pick
from tests.e2e.browser.test_pipelines import Api, column
from tests.e2e.waits import eventually
from tests.runtime import Runtime

PREFIX = "+5531978"  # contacts of this file: +55 31 978xx-xxxx, numbers no other test uses


def _contact(api: Api, name: str) -> dict[str, Any]:
    phone = f"{PREFIX}{random.randrange(10**5, 10**6)}"
    return api.ok(api.http.post("/v1/contacts", json={"phone": phone, "name": name}))  # type: ignore[no-any-return]


def _appointments(api: Api, lead_id: str) -> list[dict[str, Any]]:
    return api.ok(api.http.get(f"/v1/leads/{lead_id}/appointments"))  # type: ignore[no-any-return]


def test_a_lead_made_by_hand_and_its_appointment_rescheduled_then_cancelled(browser: Browser, runtime: Runtime) -> None:
    # GIVEN an English-speaking company with two contacts and no lead
    owner = fresh_owner()
    api = Api(runtime, owner.email, owner.password, company=owner.company, region="US")
    pipeline = api.pipeline()
    _contact(api, "Nina Novak")
    _contact(api, "Otto Olsen")
    s = new_session(browser, runtime, timezone_id="America/New_York")
    try:
        log_in(s, owner.email, PASSWORD)
        page = s.goto(f"/pipelines/{pipeline['id']}")
        expect(page.get_by_role("heading", name="Sales", level=1)).to_be_visible()

        # WHEN "New lead" is pressed, a contact searched as one types and chosen, the lead's fields filled
        page.get_by_role("button", name="New lead").click()
        dialog = page.get_by_role("dialog", name="New lead")
        pick(page, dialog.get_by_label("Contact"), "Nina Novak", search="Nina")
        expect(dialog.get_by_label("Title")).to_have_value("Nina Novak")  # titled after the contact
        dialog.get_by_label("Title").fill("Nina's starter plan")
        dialog.get_by_label("Value").fill("1,200.50")
        dialog.get_by_label("Currency").fill("usd")
        expect(dialog.get_by_label("Stage")).to_have_value(pipeline["stages"][0]["id"])  # the first by default
        dialog.get_by_label("Stage").select_option(label="Qualified")
        dialog.get_by_label("Next step").fill("Call on Monday")
        page.mouse.move(0, 0)
        shot(page, "pipelines-new-lead-en")
        assert_accessible(page)
        dialog.get_by_role("button", name="Create lead").click()

        # THEN it appears in its column, and the API has it as typed
        expect(dialog).to_be_hidden()
        expect(column(page, "Qualified").get_by_role("button", name="Move Nina's starter plan")).to_be_visible()
        lead = eventually(
            lambda: next(
                (x for x in api.ok(api.http.get(f"/v1/pipelines/{pipeline['id']}/board"))["columns"][1]["leads"]), None
            )
        )
        assert (lead["title"], lead["value"], lead["currency"], lead["source"]) == (
            "Nina's starter plan",
            "1200.50",
            "USD",
            "manual",
        )
        assert lead["next_step"] == "Call on Monday"

        # WHEN a second open lead is made for the same contact, the API refuses (409) and the first is offered
        page.get_by_role("button", name="New lead").click()
        dialog = page.get_by_role("dialog", name="New lead")
        pick(page, dialog.get_by_label("Contact"), "Nina Novak", search="Novak")
        dialog.get_by_role("button", name="Create lead").click()
        expect(dialog.get_by_text("This contact already has an open lead on this pipeline")).to_be_visible()
        page.mouse.move(0, 0)
        shot(page, "pipelines-new-lead-conflict-en")
        dialog.get_by_role("button", name="Open that lead").click()
        panel = page.get_by_role("dialog", name="Nina's starter plan")
        expect(panel).to_be_visible()

        # WHEN an appointment is added from the panel
        panel.get_by_role("button", name="New appointment").click()
        when = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
        form = page.get_by_role("dialog", name="New appointment")
        form.get_by_label("Starts").fill(f"{when}T10:00")
        expect(form.get_by_label("Ends")).to_have_value(f"{when}T10:30")
        expect(form.get_by_label("Timezone")).to_have_value("America/New_York")
        form.get_by_label("Location").fill("Main office")
        form.get_by_role("button", name="Schedule", exact=True).click()
        expect(form).to_be_hidden()
        item = panel.get_by_role("listitem", name="Meeting: Nina's starter plan")
        expect(item.get_by_text("Main office")).to_be_visible()
        (made,) = eventually(lambda: _appointments(api, lead["id"]) or None)

        # AND it is rescheduled (and moved elsewhere)
        item.get_by_role("button", name="Change: Meeting: Nina's starter plan").click()
        form = page.get_by_role("dialog", name="Change the appointment")
        expect(form.get_by_label("Starts")).to_have_value(f"{when}T10:00")
        form.get_by_label("Starts").fill(f"{when}T15:30")
        form.get_by_label("Location").fill("Room 2")
        page.mouse.move(0, 0)
        shot(page, "pipelines-appointment-edit-en")
        assert_accessible(page)
        form.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text("Appointment changed")).to_be_visible()
        expect(item.get_by_text("Room 2")).to_be_visible()

        # THEN the API agrees: 15:30 in New York, a new version
        def rescheduled() -> dict[str, Any] | None:
            (a,) = _appointments(api, lead["id"])
            return a if a["location"] == "Room 2" else None

        moved = eventually(rescheduled)
        starts = datetime.fromisoformat(moved["starts_at"]).astimezone(UTC)
        assert starts.hour == 20 and starts.minute == 30, moved  # 15:30 EST
        assert moved["version"] > made["version"]

        # WHEN someone else changes it while its dialog is open, the change (with the version seen) is refused (409):
        # a toast says so and it is shown as it is now
        item.get_by_role("button", name="Change: Meeting: Nina's starter plan").click()
        form = page.get_by_role("dialog", name="Change the appointment")
        api.ok(api.http.patch(f"/v1/appointments/{made['id']}", json={"location": "Room 9"}))
        form.get_by_label("Starts").fill(f"{when}T17:00")
        form.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text("This appointment was changed by someone else meanwhile")).to_be_visible()
        expect(form).to_be_hidden()
        expect(item.get_by_text("Room 9")).to_be_visible()
        expect(item.get_by_text("3:30 PM")).to_be_visible()
        (current,) = _appointments(api, lead["id"])
        assert (current["location"], current["starts_at"]) == ("Room 9", moved["starts_at"])

        # AND then it is cancelled, asked first
        item.get_by_role("button", name="Cancel appointment: Meeting: Nina's starter plan").click()
        confirm = page.get_by_role("alertdialog", name="Cancel “Meeting: Nina's starter plan”?")
        confirm.get_by_role("button", name="Cancel appointment").click()
        expect(page.get_by_text("Appointment cancelled")).to_be_visible()
        expect(item.get_by_text("Cancelled", exact=True)).to_be_visible()
        expect(item.get_by_role("button", name="Change: Meeting: Nina's starter plan")).to_have_count(0)
        eventually(lambda: _appointments(api, lead["id"])[0]["status"] == "cancelled")
        page.mouse.move(0, 0)
        shot(page, "pipelines-lead-appointments-en")
        assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, s.errors


def test_settings_add_rename_reorder_and_archive_stages_in_portuguese(browser: Browser, runtime: Runtime) -> None:
    # GIVEN a Brazilian company with a lead in "Qualificado" and a contact without one
    owner = fresh_owner()
    api = Api(runtime, owner.email, owner.password, company=owner.company)
    pipeline = api.pipeline()
    qualified = next(stage for stage in pipeline["stages"] if stage["name"] == "Qualificado")
    contact = _contact(api, "Paula Prado")
    _contact(api, "Quim Queiroz")
    body = {"pipeline_id": pipeline["id"], "contact_id": contact["id"], "title": "Plano Paula"}
    lead = api.ok(api.http.post("/v1/leads", json={**body, "stage_id": qualified["id"]}))
    s = new_session(browser, runtime, locale="pt-BR", timezone_id="America/Sao_Paulo")

    def stage_names() -> list[str]:
        return [stage["name"] for stage in api.pipeline()["stages"]]

    try:
        log_in(s, owner.email, PASSWORD)
        page = s.goto(f"/pipelines/{pipeline['id']}")
        expect(column(page, "Qualificado").get_by_role("button", name="Mover Plano Paula")).to_be_visible()
        # WHEN a lead is made by hand in Portuguese
        page.get_by_role("button", name="Novo lead").click()
        dialog = page.get_by_role("dialog", name="Novo lead")
        expect(dialog.get_by_label("Etapa")).to_have_value(pipeline["stages"][0]["id"])
        pick(page, dialog.get_by_label("Contato"), "Quim Queiroz", search="Quim")
        dialog.get_by_label("Valor").fill("mil reais")
        dialog.get_by_role("button", name="Criar lead").click()
        # the API's field error, in Portuguese, next to its field
        expect(dialog.get_by_role("alert").filter(has_text="Deve ser um número.")).to_be_visible()
        page.mouse.move(0, 0)
        shot(page, "pipelines-new-lead-pt-BR")
        assert_accessible(page)
        dialog.get_by_label("Valor").fill("1.500,50")  # as a Brazilian writes it
        dialog.get_by_role("button", name="Criar lead").click()
        expect(dialog).to_be_hidden()
        expect(column(page, "Novo").get_by_role("button", name="Mover Quim Queiroz")).to_be_visible()
        made = api.ok(api.http.get(f"/v1/pipelines/{pipeline['id']}/board"))["columns"][0]["leads"]
        assert [(x["title"], x["value"], x["currency"]) for x in made] == [("Quim Queiroz", "1500.50", "BRL")]

        # WHEN the settings add a stage
        page.get_by_role("link", name="Configurações de funis").click()
        adding = page.get_by_role("form", name="Adicionar etapa")
        adding.get_by_label("Nome da nova etapa").fill("Demonstração")
        adding.get_by_role("button", name="Adicionar etapa").click()
        expect(page.get_by_role("listitem", name="Demonstração", exact=True)).to_be_visible()
        eventually(lambda: "Demonstração" in stage_names())
        # AND rename it
        row = page.get_by_role("listitem", name="Demonstração", exact=True)
        row.get_by_label("Nome", exact=True).fill("Demonstração feita")
        row.get_by_role("button", name="Salvar").click()
        expect(page.get_by_text("Etapa salva")).to_be_visible()
        row = page.get_by_role("listitem", name="Demonstração feita", exact=True)
        expect(row).to_be_visible()
        eventually(lambda: "Demonstração feita" in stage_names())
        before = stage_names()
        # AND move it up one place
        at = before.index("Demonstração feita")
        row.get_by_role("button", name="Subir: Demonstração feita").click()
        expected = [*before[: at - 1], "Demonstração feita", before[at - 1], *before[at + 1 :]]
        eventually(lambda: stage_names() == expected)
        shown = page.locator("ol > li[aria-label]")
        expect(shown.nth(at - 1)).to_have_attribute("aria-label", "Demonstração feita")
        # AND archive "Qualificado", its leads going to the new stage
        page.get_by_role("listitem", name="Qualificado").get_by_role("button", name="Arquivar: Qualificado").click()
        archive = page.get_by_role("dialog", name="Arquivar “Qualificado”?")
        archive.get_by_label("Mover os leads para").select_option(label="Demonstração feita")
        archive.get_by_role("button", name="Arquivar").click()
        expect(page.get_by_text("Etapa arquivada")).to_be_visible()
        expect(page.get_by_role("listitem", name="Qualificado")).to_have_count(0)
        page.get_by_role("listitem", name="Demonstração feita", exact=True).scroll_into_view_if_needed()
        page.mouse.move(0, 0)
        shot(page, "pipelines-settings-edited-pt-BR")
        assert_accessible(page)

        # THEN the API agrees
        expected.remove("Qualificado")
        eventually(lambda: stage_names() == expected)
        new_stage = next(stage for stage in api.pipeline()["stages"] if stage["name"] == "Demonstração feita")
        assert api.ok(api.http.get(f"/v1/leads/{lead['id']}"))["stage_id"] == new_stage["id"]
        # AND so does the board
        page.get_by_role("link", name="Voltar ao quadro").click()
        expect(column(page, "Demonstração feita").get_by_role("button", name="Mover Plano Paula")).to_be_visible()
        expect(column(page, "Qualificado")).to_have_count(0)
        columns = page.locator("section[data-stage]").evaluate_all("items => items.map(s => s.dataset.stage)")
        assert columns == expected
        column(page, "Demonstração feita").scroll_into_view_if_needed()
        shot(page, "pipelines-board-edited-pt-BR")
    finally:
        s.context.close()
    assert not s.errors, s.errors
