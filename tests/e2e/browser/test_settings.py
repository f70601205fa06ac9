"""Settings and notifications in the browser, in Portuguese: an owner edits the opt-out and opt-in keywords and
the company's defaults and saves them; a webhook endpoint that answers 410 is disabled, and the bell's unread
count rises live, the notification is marked read from its popover, and the notifications screen lists it."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Session, assert_accessible, new_session, shot, sign_up
from tests.runtime import Runtime
from tests.sink import Answer, sink


def test_keywords_and_company_defaults_are_edited_and_saved(session_pt: Session) -> None:
    # GIVEN an owner, in Portuguese, on the settings screen with the default keywords
    sign_up(session_pt)
    page = session_pt.page
    page.get_by_role("link", name="Configurações", exact=True).click()
    stop = page.get_by_role("textbox", name="Palavras de descadastro")
    expect(page.get_by_role("button", name="Remover DESCADASTRAR")).to_be_visible()
    shot(page, "settings-pt-BR")
    assert_accessible(page)
    # WHEN they add words (Enter, a comma), a repeat that differs only by case and accent, and remove one
    stop.fill("chega")
    stop.press("Enter")
    stop.fill("pára, Sair,")
    expect(page.get_by_role("button", name="Remover chega")).to_be_visible()
    expect(page.get_by_role("button", name="Remover pára")).to_be_visible()
    expect(page.get_by_role("button", name="Remover Sair", exact=True)).to_have_count(0)  # SAIR is there already
    page.get_by_role("button", name="Remover UNSUBSCRIBE").click()
    page.get_by_role("textbox", name="Palavras de retorno").fill("quero voltar")
    page.get_by_role("textbox", name="Palavras de retorno").press("Enter")
    # AND a word longer than the API takes: its error sits next to the field
    stop.fill("x" * 41)
    stop.press("Enter")
    page.get_by_role("button", name="Salvar palavras").click()
    expect(stop).to_have_attribute("aria-invalid", "true")
    # in Portuguese, from the API's code and params (its English message is not shown)
    expect(page.get_by_text("No máximo 40 caractere(s).")).to_be_visible()
    expect(page.get_by_text("String should have at most 40 characters")).to_have_count(0)
    shot(page, "settings-field-error-pt-BR")
    page.get_by_role("button", name=f"Remover {'x' * 41}").click()
    page.get_by_role("button", name="Salvar palavras").click()
    expect(page.get_by_text("Palavras salvas")).to_be_visible()
    # THEN a reload shows what was saved
    page.reload()
    expect(page.get_by_role("button", name="Remover chega")).to_be_visible()
    expect(page.get_by_role("button", name="Remover quero voltar")).to_be_visible()
    expect(page.get_by_role("button", name="Remover UNSUBSCRIBE")).to_have_count(0)
    # WHEN they change the company's name, timezone and default country
    page.get_by_label("Nome da empresa").fill("Padaria Pão Quente")
    page.get_by_label("Fuso horário").select_option("America/Manaus")
    page.get_by_label("País padrão dos telefones").select_option("PT")
    page.get_by_role("button", name="Salvar empresa").click()
    expect(page.get_by_text("Empresa salva")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Nome da empresa")).to_have_value("Padaria Pão Quente")
    expect(page.get_by_label("Fuso horário")).to_have_value("America/Manaus")
    expect(page.get_by_label("País padrão dos telefones")).to_have_value("PT")
    page.mouse.move(0, 0)
    shot(page, "settings-saved-pt-BR")
    assert_accessible(page)


def test_the_bell_counts_a_new_notification_live(session_pt: Session, runtime: Runtime) -> None:
    owner = sign_up(session_pt)
    page = session_pt.page
    bell = page.get_by_role("button", name="Notificações", exact=True)
    expect(bell).to_be_visible()
    page.get_by_role("link", name="Notificações", exact=True).click()
    expect(page.get_by_text("Nenhuma notificação")).to_be_visible()
    shot(page, "notifications-empty-pt-BR")
    with sink() as receiver, httpx.Client(base_url=runtime.url) as http:
        # GIVEN an endpoint whose receiver answers 410 Gone
        receiver.script.append(Answer(status=410, body=b"gone"))
        tokens = http.post("/v1/auth/login", json={"email": owner.email, "password": owner.password}).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        endpoint = http.post(
            "/v1/webhooks/endpoints", headers=headers, json={"url": receiver.url, "event_types": ["contact.created"]}
        ).json()
        # WHEN a delivery to it is answered 410 (the endpoint is disabled, the company notified)
        sent = http.post(
            f"/v1/webhooks/endpoints/{endpoint['id']}/test", headers=headers, json={"event_type": "contact.created"}
        )
        assert sent.status_code == 202
        # THEN the bell shows one unread without a reload, and so does the screen's list
        expect(page.get_by_role("button", name="Notificações, 1 não lida")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("article", name="Um endpoint de webhook foi desativado")).to_be_visible()
    shot(page, "notifications-pt-BR")
    assert_accessible(page)
    # WHEN they open the bell THEN the latest shows, and "mark read" clears the count
    page.get_by_role("button", name="Notificações, 1 não lida").click()
    popover = page.get_by_role("dialog", name="Notificações")
    item = popover.get_by_role("article", name="Um endpoint de webhook foi desativado")
    expect(item).to_contain_text("410")
    shot(page, "notifications-bell-pt-BR")
    assert_accessible(page)
    item.get_by_role("button", name="Marcar como lida").click()
    expect(page.get_by_role("button", name="Notificações", exact=True)).to_be_visible()
    # AND the notification leads to the endpoint, shown disabled with the reason
    item.get_by_role("link", name="Um endpoint de webhook foi desativado").click()
    expect(page.get_by_text("the endpoint answered 410 Gone")).to_be_visible()
    expect(page.get_by_text("Desativado").first).to_be_visible()
    shot(page, "webhooks-detail-disabled-pt-BR")
    assert_accessible(page)
    # AND the notifications screen's unread tab is empty
    page.goto(session_pt.base_url + "/notifications?filter=unread")
    expect(page.get_by_text("Nada por ler")).to_be_visible()


def test_the_admin_screens_fit_a_phone(browser: Browser, runtime: Runtime) -> None:
    s = new_session(browser, runtime, viewport={"width": 360, "height": 740})
    try:
        sign_up(s)
        page = s.page
        with sink() as receiver:
            page.goto(s.base_url + "/webhook-endpoints")
            page.get_by_role("button", name="Add endpoint").first.click()
            form = page.get_by_role("dialog", name="Add a webhook endpoint")
            form.get_by_label("Endpoint URL").fill(receiver.url)
            form.get_by_role("checkbox", name="Contacts", exact=True).check()
            form.get_by_role("button", name="Add endpoint").click()
            page.get_by_role("button", name="I have stored it").click()
            expect(page.get_by_role("heading", name="Webhook endpoint")).to_be_visible()
            page.reload()  # a deep link to the screen is the dashboard's, not the API's /webhooks/…
            expect(page.get_by_role("heading", name="Webhook endpoint")).to_be_visible()
        screens = {
            "webhooks-detail": "",
            "webhooks-list": "/webhook-endpoints",
            "users-list": "/users",
            "audit-log-empty": "/audit-log",
            "settings": "/settings",
            "notifications-empty": "/notifications",
        }
        for name, path in screens.items():
            if name != "webhooks-detail":
                s.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
            shot(page, f"{name}-360-en")
            assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, s.errors
