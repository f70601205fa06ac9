"""The campaign wizard's "open a lead when a contact replies", in Portuguese: ticked on the schedule step with a
pipeline and a stage, saved with the draft (read back through the API), cleared when unticked."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, shot
from tests.e2e.browser.test_campaigns import Demo, _draft, _tagged_contacts, demo  # noqa: F401 (demo: a fixture)
from tests.runtime import Runtime


def test_a_draft_opens_leads_on_replies_in_the_chosen_stage(session_pt: Session, runtime: Runtime, demo: Demo) -> None:  # noqa: F811
    # GIVEN a draft of the demo company, and its first pipeline
    draft = _draft(demo, _tagged_contacts(demo.http, 1), "Respostas viram leads")
    pipeline = demo.http.get("/v1/pipelines").json()[0]
    stage = next(s for s in pipeline["stages"][1:] if s["semantic_type"] not in ("won", "lost"))
    log_in(session_pt, runtime.email, runtime.password)
    page = session_pt.goto(f"/campaigns/new?draft={draft['id']}")
    expect(page.get_by_role("heading", name=re.compile("Passo 4 de 6"))).to_be_visible()
    page.get_by_role("button", name="Avançar").click()
    expect(page.get_by_role("heading", name=re.compile("Passo 5 de 6"))).to_be_visible()
    # WHEN the admin ticks the option and picks the pipeline's second open stage
    page.get_by_role("checkbox", name="Abrir um lead quando um contato responder").click()
    expect(page.get_by_label("Funil")).to_have_value(pipeline["id"])
    expect(page.get_by_label("Etapa")).to_have_value("")  # the first open stage unless one is chosen
    page.get_by_label("Etapa").select_option(label=stage["name"])
    page.get_by_role("group", name="Leads a partir de respostas").scroll_into_view_if_needed()
    shot(page, "campaigns-wizard-5-reply-lead-pt-BR")
    assert_accessible(page)
    page.get_by_role("button", name="Avançar").click()
    expect(page.get_by_role("heading", name=re.compile("Passo 6 de 6"))).to_be_visible()
    # THEN the draft opens leads there
    saved = demo.http.get(f"/v1/campaigns/{draft['id']}").json()["reply_lead"]
    assert saved == {"pipeline_id": pipeline["id"], "stage_id": stage["id"], "owner_id": None}
    # WHEN it is unticked THEN replies open no lead
    page.get_by_role("button", name=re.compile("Agendamento|Quando")).first.click()
    page.get_by_role("checkbox", name="Abrir um lead quando um contato responder").click()
    page.get_by_role("button", name="Avançar").click()
    expect(page.get_by_role("heading", name=re.compile("Passo 6 de 6"))).to_be_visible()
    assert demo.http.get(f"/v1/campaigns/{draft['id']}").json()["reply_lead"] is None
