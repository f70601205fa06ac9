"""Connections in the browser: a new company registers a number on the sandbox, adds it through the screen
(with a field error from Meta's check first), copies the webhook URL and the once-shown verify token, tests it,
sees a refusal's reason and fixes it by replacing the token, and deletes it; adds an SMS sender (a sender ID
Brazil's carriers refuse first, in Portuguese too) and sees it listed with its settings."""

from __future__ import annotations

import random
import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, new_session, shot, sign_up
from tests.runtime import Runtime


def accessible(page: Page) -> None:
    """axe on the page at rest: the mouse off the last button clicked and its colour transition over."""
    page.mouse.move(1, 790)
    # allSettled: a transition cancelled midway (the element changed again) rejects its `finished`
    page.evaluate(
        "Promise.allSettled(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished))"
    )
    assert_accessible(page)


def demo_agent(runtime: Runtime) -> tuple[str, str]:
    """An agent of the demo company (invited by its owner, invitation accepted): their email and password."""
    with httpx.Client(base_url=runtime.url, timeout=30) as http:
        login = http.post("/v1/auth/login", json={"email": runtime.email, "password": runtime.password})
        assert login.status_code == 200, login.text
        email = f"agent.{random.randint(10**8, 10**9)}@browser.example.com"
        invited = http.post(
            "/v1/users", headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            json={"email": email, "name": "Agente", "role": "agent"},
        )  # fmt: skip
        assert invited.status_code == 201, invited.text
        password = "agent password for the browser"
        accepted = http.post(
            "/v1/auth/accept-invite", json={"token": invited.json()["invite_token"], "password": password}
        )
        assert accepted.status_code == 200, accepted.text
    return email, password


def sandbox_number(runtime: Runtime, **setup: str) -> dict[str, str]:
    """Register a number on the sandbox (Meta's stand-in) and return what to type into the screen."""
    digits = "".join(random.choices("0123456789", k=12))
    number = {
        "phone_number_id": f"10{digits}",
        "waba_id": f"20{digits}",
        "token": f"sandbox-token-{digits}",
        "app_secret": f"sandbox-secret-{digits}",
        **setup,
    }
    register(runtime, number)
    return number


def register(runtime: Runtime, number: dict[str, str]) -> None:
    body = {k: v for k, v in number.items() if k != "phone_number_id"}
    body.setdefault("display_phone_number", "+55 11 4000-1234")
    body.setdefault("verified_name", "Loja Browser")
    response = httpx.put(f"{runtime.url}/sandbox/numbers/{number['phone_number_id']}", json=body)
    assert response.status_code == 200, response.text


def test_add_test_and_fix_a_cloud_api_number(session: Session, runtime: Runtime) -> None:
    # GIVEN a fresh company and a number registered on the sandbox
    sign_up(session)
    number = sandbox_number(runtime)
    page = session.page
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=runtime.url)
    page.get_by_role("link", name="Connections").click()
    expect(page.get_by_text("No number connected")).to_be_visible()
    shot(page, "connections-empty-en")
    accessible(page)

    # WHEN the owner adds it with a token Meta does not know THEN Meta's refusal sits next to that field
    page.get_by_role("button", name="Add number").first.click()
    dialog = page.get_by_role("dialog", name="Add a Cloud API number")
    dialog.get_by_label("Name").fill("Vendas")
    dialog.get_by_label("Phone number ID").fill(number["phone_number_id"])
    dialog.get_by_label("WhatsApp Business Account ID").fill(number["waba_id"])
    dialog.get_by_label("Access token").fill("EAAG-a-mistyped-token")
    dialog.get_by_label("App secret").fill(number["app_secret"])
    dialog.get_by_role("button", name="Connect number").click()
    expect(dialog.get_by_label("Access token")).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("alert")).to_contain_text("Meta refused these credentials")  # the code, in words
    shot(page, "connections-add-error-en")
    accessible(page)

    # WHEN the token is corrected THEN the number connects and the webhook URL and verify token are shown once
    dialog.get_by_label("Access token").fill(number["token"])
    dialog.get_by_role("button", name="Connect number").click()
    expect(dialog.get_by_text("shown only this once")).to_be_visible()
    webhook_url = dialog.get_by_role("textbox", name="Webhook URL").input_value()
    assert webhook_url.startswith(f"{runtime.url}/webhooks/meta/"), webhook_url
    verify_token = dialog.get_by_role("textbox", name="Verify token").input_value()
    assert len(verify_token) >= 8
    dialog.get_by_role("button", name="Copy Verify token").click()
    expect(page.get_by_text("Verify token copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == verify_token
    shot(page, "connections-created-en")
    accessible(page)
    # Meta's handshake with what the screen showed works
    handshake = httpx.get(
        webhook_url,
        params={"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": "4242"},
    )
    assert handshake.text == "4242", handshake.text
    dialog.get_by_role("button", name="Done").click()

    # THEN the card shows Meta's facts, and the webhook URL stays there to copy
    card = page.get_by_role("region", name="Vendas")
    expect(card.get_by_text("Active")).to_be_visible()
    expect(card.get_by_text("+55 11 4000-1234 · Loja Browser")).to_be_visible()
    expect(card.get_by_text("High")).to_be_visible()  # quality GREEN
    expect(card.get_by_text("Standard · 80 msg/s")).to_be_visible()
    expect(card.get_by_text("1,000 customers / 24 h")).to_be_visible()
    expect(card.get_by_text("Never (system user)")).to_be_visible()
    expect(card.get_by_role("textbox", name="Webhook URL")).to_have_value(webhook_url)

    # WHEN it is tested THEN Meta is asked again
    card.get_by_role("button", name="Test Vendas").click()
    expect(page.get_by_text("Vendas works: Meta's details refreshed")).to_be_visible()
    expect(card.get_by_text("Last checked")).to_be_visible()
    shot(page, "connections-list-en")
    accessible(page)

    # WHEN Meta stops accepting the token (revoked) THEN a test marks it failing, with the reason
    number["token"] = number["token"] + "-rotated"
    register(runtime, number)
    card.get_by_role("button", name="Test Vendas").click()
    expect(card.get_by_text("Failing")).to_be_visible()
    expect(card.get_by_role("alert")).to_contain_text("Meta refused the last check")
    shot(page, "connections-failing-en")
    # the search and the status filter ask the server: the failing number by its phone's digits, none active
    search = page.get_by_role("searchbox", name="Search")
    with page.expect_request(lambda r: "/v1/connections?" in r.url and "q=11400" in r.url):
        search.fill("11400")
    expect(card).to_be_visible()
    page.get_by_label("Status").select_option("active")
    expect(page.get_by_text("No number matches this search.")).to_be_visible()
    page.get_by_label("Status").select_option("")
    search.fill("")
    expect(card).to_be_visible()

    # WHEN the owner renames it and replaces the token THEN a new test passes
    card.get_by_role("button", name="Edit Vendas").click()
    edit = page.get_by_role("dialog", name="Edit Vendas")
    edit.get_by_label("Name").fill("Vendas SP")
    edit.get_by_label("New access token").fill(number["token"])
    shot(page, "connections-edit-en")
    accessible(page)
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Connection saved")).to_be_visible()
    card = page.get_by_role("region", name="Vendas SP")
    card.get_by_role("button", name="Test Vendas SP").click()
    expect(card.get_by_text("Active")).to_be_visible()
    expect(card.get_by_role("alert")).to_have_count(0)

    # WHEN it is deleted (after a confirmation) THEN the empty state is back
    card.get_by_role("button", name="Delete Vendas SP").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete Vendas SP?")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No number connected")).to_be_visible()


def test_connections_on_a_phone_and_in_portuguese(browser: Browser, runtime: Runtime) -> None:
    # GIVEN the demo company's owner (a sandbox number already connected) on a 360-px-wide phone, in Portuguese
    s = new_session(browser, runtime, locale="pt-BR", viewport={"width": 360, "height": 740})
    try:
        log_in(s, runtime.email, runtime.password)
        page = s.goto("/connections")
        expect(page.get_by_role("heading", name="Conexões")).to_be_visible()
        expect(page.get_by_text("Classificação de qualidade").first).to_be_visible()
        expect(page.get_by_role("textbox", name="URL do webhook").first).to_have_value(re.compile(r"/webhooks/meta/"))
        # THEN nothing scrolls sideways, and the screen passes axe
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "connections-list-pt-BR-mobile")
        accessible(page)
        assert not s.errors, s.errors
    finally:
        s.context.close()


def test_an_agent_sees_the_numbers_but_may_not_change_them(browser: Browser, runtime: Runtime) -> None:
    # GIVEN an agent of the demo company
    email, password = demo_agent(runtime)
    s = new_session(browser, runtime)
    try:
        log_in(s, email, password)
        page = s.goto("/connections")
        card = page.get_by_role("region").first
        expect(card.get_by_role("button", name=re.compile("^Test "))).to_be_visible()
        # THEN adding, editing and deleting are not offered
        expect(page.get_by_role("button", name="Add number")).to_have_count(0)
        expect(card.get_by_role("button", name=re.compile("^(Edit|Delete) "))).to_have_count(0)
        shot(page, "connections-list-en-agent")
        accessible(page)
        assert not s.errors, s.errors
    finally:
        s.context.close()


def test_add_an_sms_sender_and_see_it_listed(session: Session, runtime: Runtime) -> None:
    # GIVEN a fresh company on the connections screen
    sign_up(session)
    page = session.page
    page.get_by_role("link", name="Connections").click()
    page.get_by_role("button", name="Add number").first.click()
    dialog = page.get_by_role("dialog", name="Add a Cloud API number")
    # WHEN the owner picks SMS and enters a sender ID for Brazil THEN Brazil's carrier rule sits next to the field
    dialog.get_by_role("radio", name=re.compile("^SMS")).check()
    dialog = page.get_by_role("dialog", name="Add an SMS sender")
    dialog.get_by_label("Name").fill("SMS Vendas")
    dialog.get_by_label("Phone number or sender ID").fill("LOJA ANA")
    expect(dialog.get_by_label("Country")).to_have_value("BR")
    dialog.get_by_role("button", name="Add sender").click()
    origination = dialog.get_by_label("Phone number or sender ID")
    expect(origination).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("alert")).to_contain_text("Carriers in BR accept no sender ID")
    shot(page, "connections-sms-add-error-en")
    accessible(page)

    # WHEN a Brazilian number is given, with its rate and price THEN it is added, its webhook URL shown
    number = f"+55 31 9{random.randint(1000, 9999)}-{random.randint(1000, 9999)}"
    origination.fill(number)
    dialog.get_by_label("Messages per second").fill("20")
    dialog.get_by_label("Cost per segment").fill("0.045")
    dialog.get_by_role("button", name="Add sender").click()
    expect(dialog.get_by_text("subscribe this URL")).to_be_visible()
    webhook_url = dialog.get_by_role("textbox", name="Webhook URL").input_value()
    assert webhook_url.startswith(f"{runtime.url}/webhooks/sms/"), webhook_url
    shot(page, "connections-sms-created-en")
    dialog.get_by_role("button", name="Done").click()

    # THEN the list shows it as SMS with its settings, offers no Meta test, and the channel filter finds it
    card = page.get_by_role("region", name="SMS Vendas")
    digits = "+" + "".join(c for c in number if c.isdigit())
    expect(card.get_by_role("definition").filter(has_text=digits)).to_be_visible()
    for text in ("SMS", "Brazil", "20 msg/s", "R$0.045", "Transactional", "Not set up (send only)"):
        expect(card.get_by_text(text, exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Test SMS Vendas")).to_have_count(0)
    page.get_by_label("Channel").select_option("whatsapp")
    expect(page.get_by_text("No number matches this search.")).to_be_visible()
    page.get_by_label("Channel").select_option("sms")
    expect(card).to_be_visible()
    shot(page, "connections-sms-list-en")
    accessible(page)

    # WHEN its rate is changed THEN the card follows
    card.get_by_role("button", name="Edit SMS Vendas").click()
    edit = page.get_by_role("dialog", name="Edit SMS Vendas")
    edit.get_by_label("Messages per second").fill("50")
    edit.get_by_role("button", name="Save").click()
    expect(card.get_by_text("50 msg/s", exact=True)).to_be_visible()
    assert not session.errors, session.errors


def test_an_sms_sender_in_portuguese(browser: Browser, runtime: Runtime) -> None:
    # GIVEN a fresh company in Portuguese on a phone-sized screen
    s = new_session(browser, runtime, locale="pt-BR", viewport={"width": 360, "height": 740})
    try:
        sign_up(s)
        page = s.goto("/connections")
        page.get_by_role("button", name="Adicionar número").first.click()
        page.get_by_role("radio", name=re.compile("^SMS")).check()
        dialog = page.get_by_role("dialog", name="Adicionar um remetente de SMS")
        # WHEN a US number is given for Brazil THEN the rule is said in Portuguese, next to the field
        dialog.get_by_label("Nome").fill("SMS Loja")
        dialog.get_by_label("Número de telefone ou remetente alfanumérico").fill("+1 202 555 0143")
        dialog.get_by_role("button", name="Adicionar remetente").click()
        expect(dialog.get_by_role("alert")).to_contain_text("só aceitam um número de telefone de BR")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "connections-sms-add-error-pt-BR-mobile")
        accessible(page)
        assert not s.errors, s.errors
    finally:
        s.context.close()
