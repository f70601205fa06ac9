"""Automation rules in the browser: a new company's owner creates "a message with preço → tag + assign" in the
editor, sees it in the run order, moves it above another rule, turns that one off, and watches the run of a
customer's "preço" (written on the WhatsApp sandbox) appear live in the rule's run log; then the same screens in
Portuguese. Screenshots of each screen in both languages go to /tmp/shots/automations-*.png."""

from __future__ import annotations

import random
import re

from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Session, assert_accessible, no_toasts, pane_shot, sign_up
from tests.e2e.browser.owner_api import Api
from tests.e2e.browser.pickers import pick
from tests.runtime import Runtime

RULE = "Preço no WhatsApp"
OTHER = "Boas-vindas"


def _names(page: Page) -> list[str]:
    table = page.get_by_role("table", name=re.compile("^(Automation rules in run order|Regras de automação)"))
    return table.locator("tbody tr td:nth-child(2) a").all_inner_texts()


def test_a_keyword_rule_in_run_order_runs_live_in_its_log_in_both_languages(session: Session, runtime: Runtime) -> None:
    # GIVEN a new company with a WhatsApp number, a tag, and a rule made before ("conversation created → tag")
    owner = sign_up(session)
    api = Api(runtime, owner.email, owner.password)
    api.connect_number()
    tag = api.ok(api.http.post("/v1/tags", json={"name": "Orçamento", "color": "#f59e0b"}))
    welcome = {"name": OTHER, "trigger": {"type": "conversation_created"},
               "actions": [{"type": "add_tag", "tag_id": tag["id"]}]}  # fmt: skip
    api.ok(api.http.post("/v1/automations", json=welcome))
    page = session.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Automations").click()
    expect(page.get_by_role("heading", name="Automations")).to_be_visible()
    expect(page.get_by_role("link", name=OTHER)).to_be_visible()

    # WHEN the owner writes a rule: a message with "preço" tags the contact and assigns the conversation to them
    page.get_by_role("link", name="New rule").click()
    form = page.get_by_role("form", name="Automation rule")
    form.get_by_label("Name", exact=True).fill(RULE)
    expect(form.get_by_label("Trigger")).to_have_value("message_received")
    # nothing missing is sent: the marked fields say what to fill in
    form.get_by_role("button", name="Create rule").click()
    expect(form.get_by_text("Give at least one keyword.")).to_be_visible()
    # an expression the API refuses (it could take forever) is marked next to its field
    form.get_by_label("Which messages").select_option(label="Matching a regular expression")
    form.get_by_label("Regular expression").fill("(a+)+$")
    pick(page, form.get_by_role("list", name="Actions").get_by_label("Tag", exact=True), "Orçamento")
    form.get_by_role("button", name="Create rule").click()
    expect(form.get_by_label("Regular expression")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Regular expression")).to_have_accessible_description(
        "This expression is not allowed: it is invalid or could be slow (nested repetitions, backreferences, too long)."
    )
    form.get_by_label("Which messages").select_option(label="With one of these keywords")
    form.get_by_label("Keywords").fill("preço, orçamento")
    actions = form.get_by_role("list", name="Actions")
    form.get_by_role("button", name="Add an action").click()
    page.get_by_role("menuitem", name="Assign to a user").click()
    actions.get_by_label("User", exact=True).select_option(label=owner.name)
    pane_shot(page, "automations-editor-en")
    assert_accessible(page)
    form.get_by_role("button", name="Create rule").click()
    expect(page).to_have_url(re.compile(r"/automations/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name=RULE)).to_be_visible()
    rule_url = page.url

    # THEN it is listed last in the run order; moved up, it runs first; the other one turned off stays off
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Automations").click()
    expect(page.get_by_role("link", name=RULE)).to_be_visible()
    assert _names(page) == [OTHER, RULE]
    page.get_by_role("button", name=f"Move {RULE} up").click()
    expect(page.get_by_role("button", name=f"Move {RULE} down")).to_be_focused()  # the focus follows the row
    expect(page.get_by_text(f"{RULE} now runs in position 1")).to_be_visible()
    assert _names(page) == [RULE, OTHER]
    switch = page.get_by_role("switch", name=f"Rule {OTHER} on")
    switch.click()
    expect(switch).not_to_be_checked()
    expect(page.get_by_text(f"{OTHER} is off")).to_be_visible()
    by_name = {r["name"]: r for r in api.rules()}
    assert [r["name"] for r in api.rules()] == [RULE, OTHER]
    assert by_name[OTHER]["enabled"] is False and by_name[RULE]["enabled"] is True
    page.reload()
    expect(page.get_by_role("switch", name=f"Rule {OTHER} on")).not_to_be_checked()
    assert _names(page) == [RULE, OTHER]
    pane_shot(page, "automations-list-en")
    assert_accessible(page)

    # WHEN a customer writes "preço" while the rule's run log is open
    page.goto(rule_url + "?tab=runs")
    runs = page.get_by_role("region", name="Run log")
    expect(runs.get_by_text("No runs yet")).to_be_visible()
    expect(runs.get_by_text("Updating live")).to_be_visible()  # following the rule: no run is missed
    phone = f"5511{random.randrange(10**8, 10**9)}"
    api.customer_writes(phone, "Carla Cliente", "Oi! Qual o PRECO do plano?")

    # THEN the run appears without a reload: the keyword matched, the tag added and the conversation assigned
    run = runs.get_by_role("list", name="Run log").get_by_role("listitem").first
    expect(run).to_contain_text("Succeeded")
    expect(run).to_contain_text("Matched the keyword preço")
    done = run.get_by_role("list", name="Actions").get_by_role("listitem")
    expect(done.nth(0)).to_contain_text("Add a tag")
    expect(done.nth(0)).to_contain_text("done")
    expect(done.nth(1)).to_contain_text("Assign to a user")
    expect(done.nth(1)).to_contain_text("done")
    conversations = api.ok(api.http.get("/v1/conversations", params={"limit": 20}))["items"]
    conversation = next(c for c in conversations if c["contact"]["phone"].endswith(phone))
    assert conversation["assignee_id"] == api.ok(api.http.get("/v1/me"))["user"]["id"]
    pane_shot(page, "automations-runs-en")
    assert_accessible(page)

    # WHEN the owner switches to Portuguese THEN the run log, the editor and the list read in Portuguese
    no_toasts(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitemradio", name="Português (Brasil)").click()
    runs = page.get_by_role("region", name="Execuções")
    expect(runs.get_by_role("list", name="Execuções").get_by_role("listitem").first).to_contain_text("Concluída")
    expect(runs).to_contain_text("Casou com a palavra-chave preço")
    expect(runs).to_contain_text("Adicionar etiqueta")
    pane_shot(page, "automations-runs-pt-BR")
    page.get_by_role("tab", name="Regra").click()
    form = page.get_by_role("form", name="Regra de automação")
    expect(form.get_by_label("Palavras-chave")).to_have_value("preço, orçamento")
    expect(form.get_by_role("list", name="Ações")).to_contain_text("Atribuir a um usuário")
    pane_shot(page, "automations-editor-pt-BR")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Automações").click()
    expect(page.get_by_role("heading", name="Automações")).to_be_visible()
    expect(page.get_by_role("switch", name=f"Regra {OTHER} ativa")).not_to_be_checked()
    expect(page.get_by_role("cell", name="Mensagem com preço, orçamento")).to_be_visible()
    pane_shot(page, "automations-list-pt-BR")
    assert_accessible(page)
