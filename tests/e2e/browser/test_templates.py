"""Templates in the browser, in Portuguese: a new company with a sandbox number syncs its WhatsApp templates
from Meta, creates one through the form (a limit broken as it types, then fixed), sees Meta approve it, maps its
parameters to contact fields and sees it on a phone as a contact would; then writes a local template with
variables and previews it (a missing value first, then with a default)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.conftest import Owner, Session, assert_accessible, log_in, new_session, shot, sign_up
from tests.e2e.browser.test_connections import accessible, demo_agent, register, sandbox_number
from tests.runtime import Runtime

APPROVAL_SECONDS = 20  # the sandbox approves after its status delay; the screen asks again every 3 s


def api_token(runtime: Runtime, owner: Owner) -> dict[str, str]:
    response = httpx.post(f"{runtime.url}/v1/auth/login", json={"email": owner.email, "password": owner.password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def post(runtime: Runtime, auth: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{runtime.url}{path}", headers=auth, json=body, timeout=30)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def connected_company(session: Session, runtime: Runtime) -> tuple[Owner, dict[str, str]]:
    """A fresh company whose sandbox number is connected (the connections screen's own test adds one by
    hand), with its webhook URL registered on the sandbox so Meta's template verdicts come back, a template
    already at Meta to sync, and two contacts."""
    owner = sign_up(session)
    auth = api_token(runtime, owner)
    number = sandbox_number(runtime)
    connection = post(
        runtime, auth, "/v1/connections",
        {"name": "Vendas", "phone_number_id": number["phone_number_id"], "waba_id": number["waba_id"],
         "access_token": number["token"], "app_secret": number["app_secret"]},
    )  # fmt: skip
    register(runtime, {**number, "webhook_url": connection["webhook_url"]})
    seeded = httpx.post(
        f"{runtime.url}/sandbox/v23.0/{number['waba_id']}/message_templates",
        headers={"Authorization": f"Bearer {number['token']}"},
        json={"name": "boas_vindas", "language": "pt_BR", "category": "UTILITY",
              "components": [{"type": "BODY", "text": "Bem-vindo à nossa loja!"}]},
    )  # fmt: skip
    assert seeded.status_code == 200, seeded.text
    post(runtime, auth, "/v1/contacts", {"name": "Ana Souza", "phone": "+5511987650101", "email": "ana@example.com"})
    post(runtime, auth, "/v1/contacts", {"name": "Bruno Lima", "phone": "+5511987650102"})
    return owner, auth


def test_whatsapp_and_local_templates_in_portuguese(session_pt: Session, runtime: Runtime) -> None:
    # the sandbox's default settings: its template verdict comes after a short delay
    assert httpx.put(f"{runtime.url}/sandbox/settings", json={}).status_code == 200
    connected_company(session_pt, runtime)
    page = session_pt.page
    page.get_by_role("link", name="Modelos").click()
    expect(page.get_by_text("Nenhum modelo do WhatsApp para este número")).to_be_visible()
    shot(page, "templates-whatsapp-empty-pt-BR")
    accessible(page)

    # WHEN the owner syncs from Meta THEN the toast counts what came, and the template is listed with its status
    page.get_by_role("button", name="Sincronizar com a Meta").click()
    expect(
        page.get_by_text("Sincronizado com a Meta — novos: 1, atualizados: 0, removidos: 0, total: 1")
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="boas_vindas")
    expect(row.get_by_text("Aprovado")).to_be_visible()

    # WHEN they write a new template and the footer passes Meta's 60 characters THEN it is said as they type
    page.get_by_role("button", name="Novo modelo do WhatsApp").click()
    form = page.get_by_role("dialog", name="Novo modelo do WhatsApp")
    form.get_by_label("Nome", exact=True).fill("promo_primavera")
    form.get_by_label("Tipo de cabeçalho").select_option("TEXT")
    form.get_by_label("Texto do cabeçalho").fill("Promoção de primavera")
    form.get_by_label("Corpo").fill("Oi {{1}}! Seu cupom {{2}} vale até domingo.")
    form.get_by_label("Exemplo para {{1}}").fill("Ana")
    form.get_by_label("Exemplo para {{2}}").fill("PRIMA10")
    footer = "Responda SAIR para não receber mais mensagens desta loja, ok?"
    form.get_by_label("Rodapé").fill(footer + " Obrigado")
    expect(form.get_by_text(f"Longo demais: {len(footer) + 9} caracteres, a Meta permite 60.")).to_be_visible()
    expect(form.get_by_label("Rodapé")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_text(f"{len(footer) + 9}/60")).to_be_visible()
    form.get_by_role("button", name="Botão de link").click()
    form.get_by_label("Texto do botão 1").fill("Ver as ofertas da primavera agora")  # 33 > 25
    expect(form.get_by_text("Longo demais: 33 caracteres, a Meta permite 25.")).to_be_visible()
    shot(page, "templates-whatsapp-limits-pt-BR")
    accessible(page)
    # THEN fixing both clears the errors, and the phone preview shows the message with the examples
    form.get_by_label("Rodapé").fill("Responda SAIR para sair")
    form.get_by_label("Texto do botão 1").fill("Ver ofertas")
    form.get_by_label("Link do botão 1").fill("https://loja.example.com/ofertas/{{1}}")
    form.get_by_label("Valor de exemplo do botão 1").fill("primavera")
    expect(form.get_by_text("Longo demais")).to_have_count(0)
    live = form.get_by_role("figure", name="Como vai ficar")
    expect(live).to_contain_text("Oi Ana! Seu cupom PRIMA10 vale até domingo.")
    expect(live).to_contain_text("Ver ofertas")
    shot(page, "templates-whatsapp-form-pt-BR")
    form.get_by_role("button", name="Enviar para a Meta").click()
    expect(page.get_by_text("“promo_primavera” enviado para análise da Meta")).to_be_visible()

    # THEN Meta approves it, and the list shows it without a reload
    row = page.get_by_role("row").filter(has_text="promo_primavera")
    expect(row.get_by_text("Aprovado")).to_be_visible(timeout=APPROVAL_SECONDS * 1000)
    shot(page, "templates-whatsapp-list-pt-BR")
    accessible(page)
    # the filters and the search ask the server: by category, then by a part of the name
    page.get_by_label("Categoria").select_option("UTILITY")
    expect(page.get_by_role("row").filter(has_text="boas_vindas")).to_be_visible()
    expect(row).to_have_count(0)
    page.get_by_label("Categoria").select_option("")
    with page.expect_request(lambda r: "/templates?" in r.url and "q=promo" in r.url):
        page.get_by_label("Buscar pelo nome").fill("promo")
    expect(page.get_by_role("row").filter(has_text="boas_vindas")).to_have_count(0)
    expect(row).to_be_visible()
    page.get_by_label("Buscar pelo nome").fill("")
    expect(page.get_by_role("row").filter(has_text="boas_vindas")).to_be_visible()

    # WHEN a preview is asked before the parameters are mapped THEN it lists what has no value
    row.get_by_role("button", name="Prévia de promo_primavera").click()
    preview = page.get_by_role("dialog", name="Prévia de promo_primavera")
    preview.get_by_label("Buscar um contato").fill("Ana")
    expect(preview.get_by_label("Contato", exact=True).locator("option")).to_have_text(["Ana Souza · +5511987650101"])
    preview.get_by_role("button", name="Mostrar prévia").click()
    expect(preview.get_by_role("alert")).to_contain_text("Corpo {{1}}")
    preview.get_by_role("button", name="Mapear os parâmetros").click()

    # WHEN the parameters are mapped to contact fields (and defaults)
    mapping = page.get_by_role("dialog", name="Parâmetros de promo_primavera")
    mapping.get_by_label("Campo do contato para Corpo {{1}}").select_option("first_name")
    mapping.get_by_label("Padrão para Corpo {{1}}").fill("cliente")
    mapping.get_by_label("Padrão para Corpo {{2}}").fill("PRIMA10")
    mapping.get_by_label("Padrão para Link do botão 1 {{1}}").fill("primavera")
    shot(page, "templates-whatsapp-mapping-pt-BR")
    accessible(page)
    mapping.get_by_role("button", name="Salvar mapeamento").click()
    expect(page.get_by_text("Mapeamento de parâmetros salvo")).to_be_visible()

    # THEN the phone-like preview shows the message as Ana would see it
    row.get_by_role("button", name="Prévia de promo_primavera").click()
    preview = page.get_by_role("dialog", name="Prévia de promo_primavera")
    preview.get_by_label("Buscar um contato").fill("Ana")
    expect(preview.get_by_label("Contato", exact=True).locator("option")).to_have_text(["Ana Souza · +5511987650101"])
    preview.get_by_role("button", name="Mostrar prévia").click()
    phone = preview.get_by_role("figure", name="Prévia para o contato escolhido")
    expect(phone).to_contain_text("Promoção de primavera")
    expect(phone).to_contain_text("Oi Ana! Seu cupom PRIMA10 vale até domingo.")
    expect(phone).to_contain_text("Responda SAIR para sair")
    expect(phone).to_contain_text("Ver ofertas")
    shot(page, "templates-whatsapp-preview-pt-BR")
    accessible(page)
    page.keyboard.press("Escape")

    # WHEN the synced template is deleted (confirmed) THEN it is gone here and at Meta
    page.get_by_role("button", name="Excluir boas_vindas").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Excluir “boas_vindas”?")
    confirm.get_by_role("button", name="Excluir").click()
    expect(page.get_by_text("Modelo do WhatsApp excluído")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="boas_vindas")).to_have_count(0)
    page.get_by_role("button", name="Sincronizar com a Meta").click()
    expect(
        page.get_by_text("Sincronizado com a Meta — novos: 0, atualizados: 0, removidos: 0, total: 1")
    ).to_be_visible()

    # WHEN they write a local template with variables inserted by the buttons
    page.get_by_role("link", name="Modelos locais").click()
    expect(page.get_by_text("Nenhum modelo local ainda")).to_be_visible()
    shot(page, "templates-local-empty-pt-BR")
    accessible(page)
    page.get_by_role("button", name="Novo modelo local").first.click()
    local = page.get_by_role("dialog", name="Novo modelo local")
    local.get_by_label("Nome").fill("Retorno de contato")
    text = local.get_by_label("Texto")
    text.fill("Olá ")
    local.get_by_role("button", name="Inserir a variável first_name").click()
    text.press("End")
    text.press_sequentially(", respondemos no seu e-mail ")
    local.get_by_role("button", name="Inserir a variável email").click()
    expect(text).to_have_value("Olá {{first_name}}, respondemos no seu e-mail {{email}}")
    expect(local.get_by_label("Padrão para {{email}}")).to_be_visible()
    shot(page, "templates-local-form-pt-BR")
    accessible(page)
    local.get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("Modelo local criado")).to_be_visible()

    # THEN a preview for a contact without an email says which variable has no value
    page.get_by_role("button", name="Prévia de Retorno de contato").click()
    preview = page.get_by_role("dialog", name="Prévia de Retorno de contato")
    preview.get_by_label("Buscar um contato").fill("Bruno")
    expect(preview.get_by_label("Contato", exact=True).locator("option")).to_have_text(["Bruno Lima · +5511987650102"])
    preview.get_by_role("button", name="Mostrar prévia").click()
    expect(preview.get_by_role("alert")).to_contain_text("{{email}}")
    shot(page, "templates-local-preview-missing-pt-BR")
    page.keyboard.press("Escape")

    # WHEN a default is given THEN the preview fills it in
    page.get_by_role("button", name="Editar Retorno de contato").click()
    edit = page.get_by_role("dialog", name="Editar modelo local")
    edit.get_by_label("Padrão para {{email}}").fill("cadastrado")
    edit.get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("Modelo local salvo")).to_be_visible()
    page.get_by_role("button", name="Prévia de Retorno de contato").click()
    preview = page.get_by_role("dialog", name="Prévia de Retorno de contato")
    preview.get_by_label("Buscar um contato").fill("Bruno")
    expect(preview.get_by_label("Contato", exact=True).locator("option")).to_have_text(["Bruno Lima · +5511987650102"])
    preview.get_by_role("button", name="Mostrar prévia").click()
    expect(preview.get_by_role("figure")).to_contain_text("Olá Bruno, respondemos no seu e-mail cadastrado")
    shot(page, "templates-local-preview-pt-BR")
    accessible(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Excluir Retorno de contato").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Excluir").click()
    expect(page.get_by_text("Nenhum modelo local ainda")).to_be_visible()


def test_templates_on_a_phone_in_english(browser: Browser, runtime: Runtime) -> None:
    # GIVEN the demo company (its number has templates) on a 360-px-wide phone
    s = new_session(browser, runtime, viewport={"width": 360, "height": 740})
    try:
        log_in(s, runtime.email, runtime.password)
        page: Page = s.goto("/templates")
        expect(page.get_by_role("heading", name="Templates", exact=True)).to_be_visible()
        page.get_by_role("button", name="Sync from Meta").click()
        expect(page.get_by_text("Synced from Meta — added:")).to_be_visible()
        # THEN nothing scrolls sideways, and both tabs pass axe
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "templates-whatsapp-list-en-mobile")
        assert_accessible(page)
        # the creation form fits the phone too, its live preview under the fields
        page.get_by_role("button", name="New WhatsApp template").click()
        form = page.get_by_role("dialog", name="New WhatsApp template")
        form.get_by_label("Body").fill("Hi {{1}}, your order is on its way.")
        form.get_by_role("button", name="Link button").click()
        expect(form.get_by_role("figure", name="How it will look")).to_contain_text(
            "Hi {{1}}, your order is on its way."
        )
        assert form.evaluate("e => e.scrollWidth <= e.clientWidth")
        shot(page, "templates-whatsapp-form-en-mobile")
        assert_accessible(page)
        page.keyboard.press("Escape")
        page.get_by_role("link", name="Local templates").click()
        expect(page.get_by_role("button", name="New local template").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "templates-local-en-mobile")
        assert_accessible(page)
        assert not s.errors, s.errors
    finally:
        s.context.close()


def test_an_agent_maps_and_previews_but_does_not_sync_create_or_delete(browser: Browser, runtime: Runtime) -> None:
    email, password = demo_agent(runtime)
    s = new_session(browser, runtime)
    try:
        log_in(s, email, password)
        page = s.goto("/templates")
        expect(page.get_by_label("Number")).to_be_visible()
        expect(page.get_by_role("button", name="Sync from Meta")).to_have_count(0)
        expect(page.get_by_role("button", name="New WhatsApp template")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^Delete "))).to_have_count(0)
        shot(page, "templates-whatsapp-list-en-agent")
        accessible(page)
        # local templates are for every user
        page.get_by_role("link", name="Local templates").click()
        expect(page.get_by_role("button", name="New local template").first).to_be_visible()
        assert not s.errors, s.errors
    finally:
        s.context.close()


def test_local_templates_come_a_page_at_a_time_and_the_search_asks_the_server(
    session: Session, runtime: Runtime
) -> None:
    # GIVEN a company with more local templates than one page (50), made through the API
    owner = sign_up(session)
    auth = api_token(runtime, owner)
    for n in range(1, 56):
        post(
            runtime, auth, "/v1/templates", {"name": f"Aviso {n:02d}", "body": f"Oi {{{{first_name}}}}, aviso {n:02d}"}
        )
    page = session.goto("/templates/local")
    table = page.get_by_role("table")
    # THEN the first page shows 50, in name order, and Load more brings the other 5
    expect(table.get_by_role("row")).to_have_count(51)  # the header and 50
    expect(table.get_by_text("Aviso 50", exact=True)).to_be_visible()
    expect(table.get_by_text("Aviso 51", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Load more").scroll_into_view_if_needed()
    shot(page, "templates-local-first-page-en")
    page.get_by_role("button", name="Load more").click()
    expect(table.get_by_role("row")).to_have_count(56)
    expect(table.get_by_text("Aviso 55", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    # WHEN they search THEN the server is asked (once typing stops) and only the matches are listed
    page.reload()
    expect(table.get_by_role("row")).to_have_count(51)
    with page.expect_request(
        lambda r: "/v1/templates?" in r.url and re.search(r"q=aviso(\+|%20)54", r.url) is not None
    ):
        page.get_by_role("searchbox", name="Search local templates").fill("aviso 54")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table.get_by_text("Aviso 54", exact=True)).to_be_visible()  # not in the first page: found by the server
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    shot(page, "templates-local-search-en")
    assert_accessible(page)
    page.get_by_role("searchbox", name="Search local templates").fill("nada disso")
    expect(page.get_by_text("No template matches the search.")).to_be_visible()
    assert not session.errors, session.errors
