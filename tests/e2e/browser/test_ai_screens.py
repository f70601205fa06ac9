"""The AI screens in the browser, on the local runtime with its AI sandbox and local embedder: a knowledge base gets
a Markdown FAQ that is read live to "ready" and searched; a document that cannot be read says why; a persona that
uses the knowledge base is created with its hours, tested with a question and answers with a source; a second save
from another tab makes the first one's save a clear "reload" (409); the AI settings save a budget and the
connection check reports ok against the sandbox; the Portuguese screens, and a phone-sized one."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.conftest import (
    Owner,
    Session,
    assert_accessible,
    log_in,
    new_session,
    no_sideways_scroll,
    shot,
    sign_up,
)
from tests.e2e.browser.pickers import pick
from tests.runtime import Runtime

READY = 90_000  # ms: a small document queued, read, embedded and stored by the runtime's worker

FAQ = """# Perguntas frequentes da Loja Aurora

## Horário de funcionamento
A Loja Aurora abre de segunda a sexta, das 9h às 18h, e aos sábados das 9h às 13h.

## Formas de pagamento
Aceitamos Pix, boleto e cartão de crédito em até 10 vezes sem juros.

## Trocas e devoluções
Você pode trocar qualquer produto em até 30 dias após a compra, com a nota fiscal.

## Entrega
Entregamos em todo o Brasil; o frete é grátis para compras acima de R$ 200.
"""


def _shot(page: Page, name: str) -> Path:
    """The screenshot as an artifact, and a copy in the temporary folder (/tmp) to look at while working on the
    screens."""
    path = shot(page, name)
    shutil.copy(path, Path(tempfile.gettempdir()) / path.name)
    return path


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def _keep_progress(frames: list[dict[str, Any]], payload: str | bytes) -> None:
    frame = json.loads(payload)
    if isinstance(frame, dict) and frame.get("type") == "knowledge.document.progress":
        frames.append(frame)


def _token(runtime: Runtime, owner: Owner) -> str:
    response = httpx.post(
        f"{runtime.url}/v1/auth/login", json={"email": owner.email, "password": owner.password}, timeout=60
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _knowledge_base_with_faq(page: Page, name: str) -> None:
    """Create a knowledge base through the screen and upload the FAQ; returns on its detail page once ready."""
    _nav(page, "Knowledge bases")
    page.get_by_role("button", name="New knowledge base").first.click()
    dialog = page.get_by_role("dialog", name="New knowledge base")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Description (optional)").fill("Store FAQ for the personas")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.get_by_label("File to upload").set_input_files(
        {"name": "faq-aurora.md", "mimeType": "text/markdown", "buffer": FAQ.encode()}
    )
    page.get_by_label("Title (optional)").fill("FAQ Aurora")
    page.get_by_role("button", name="Upload", exact=True).click()
    row = page.get_by_role("list", name="Documents").get_by_role("listitem", name="FAQ Aurora")
    expect(row.get_by_text("Ready", exact=True)).to_be_visible(timeout=READY)


def test_a_knowledge_base_reads_a_faq_live_and_searches_it(session: Session) -> None:
    # GIVEN a new company's owner on the knowledge bases screen, which has none yet
    page = session.page
    frames: list[dict[str, Any]] = []  # the progress frames the page's socket receives
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: _keep_progress(frames, payload)))
    sign_up(session)
    _nav(page, "Knowledge bases")
    expect(page.get_by_text("No knowledge bases yet")).to_be_visible()
    _shot(page, "ai-kb-list-empty-en")
    assert_accessible(page)
    # WHEN they create one and upload a Markdown FAQ
    page.get_by_role("button", name="New knowledge base").first.click()
    dialog = page.get_by_role("dialog", name="New knowledge base")
    dialog.get_by_label("Name").fill("FAQ da loja")
    _shot(page, "ai-kb-create-en")
    assert_accessible(page)
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="FAQ da loja")).to_be_visible()
    expect(page.get_by_text("No documents yet")).to_be_visible()
    page.get_by_label("File to upload").set_input_files(
        {"name": "faq-aurora.md", "mimeType": "text/markdown", "buffer": FAQ.encode()}
    )
    expect(page.get_by_text("faq-aurora.md ·")).to_be_visible()
    page.get_by_role("button", name="Upload", exact=True).click()
    # THEN its row appears at once and reaches "ready" without a reload, with its passages counted
    row = page.get_by_role("list", name="Documents").get_by_role("listitem", name="faq-aurora")
    expect(row).to_be_visible()
    expect(row.get_by_text("Ready", exact=True)).to_be_visible(timeout=READY)
    expect(row.get_by_text(re.compile(r"\d+ passages?, searchable since"))).to_be_visible()
    expect(row.get_by_role("progressbar")).to_have_count(0)
    # (live: the document's ingestion came as frames over the page's WebSocket, up to "ready")
    assert [f["data"]["status"] for f in frames][-1] == "ready", frames
    # WHEN they try a search THEN the passage that answers comes first, with its document, heading and score
    page.get_by_label("Question", exact=True).fill("Quais formas de pagamento vocês aceitam?")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("region", name="Search results")
    first = results.get_by_role("listitem").first
    expect(first).to_contain_text("Pix, boleto e cartão de crédito")
    expect(first).to_contain_text("faq-aurora")
    expect(first).to_contain_text("Formas de pagamento")
    expect(first).to_contain_text(re.compile(r"score \d"))
    _shot(page, "ai-kb-detail-en")
    assert_accessible(page)
    # WHEN a document has no text THEN its row says so plainly, and it can be deleted (asked first)
    page.get_by_label("File to upload").set_input_files(
        {"name": "vazio.txt", "mimeType": "text/plain", "buffer": b"   \n\n   \n"}
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    empty = page.get_by_role("list", name="Documents").get_by_role("listitem", name="vazio")
    expect(empty.get_by_text("Failed", exact=True)).to_be_visible(timeout=READY)
    expect(empty.get_by_role("alert")).to_contain_text("The document is empty")
    empty.scroll_into_view_if_needed()
    _shot(page, "ai-kb-failed-en")
    empty.get_by_role("button", name="Delete vazio").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(empty).to_have_count(0)
    expect(row).to_be_visible()


def test_a_persona_with_the_knowledge_answers_with_a_source(session: Session) -> None:
    # GIVEN a company whose knowledge base holds the FAQ
    sign_up(session)
    page = session.page
    _knowledge_base_with_faq(page, "Base Aurora")
    # WHEN the owner creates a persona that uses it, active on weekdays in São Paulo's time
    _nav(page, "Personas")
    expect(page.get_by_text("No personas yet")).to_be_visible()
    page.get_by_role("link", name="New persona").first.click()
    expect(page.get_by_role("heading", name="New persona")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Aurora")
    page.get_by_label("Role").fill("atendente da loja")
    page.get_by_label("Tone").fill("cordial e objetivo")
    page.get_by_label("Instructions").fill("Responda somente com base nas perguntas frequentes.")
    pick(page, page.get_by_role("button", name="Add a knowledge base"), "Base Aurora")
    expect(page.get_by_role("list", name="Chosen: Knowledge bases")).to_contain_text("Base Aurora")
    expect(page.get_by_role("checkbox", name="Hand over to a person")).to_be_checked()
    page.get_by_role("radio", name="Only at these hours").check()
    page.get_by_label("Timezone").select_option("America/Sao_Paulo")
    page.get_by_role("checkbox", name="Saturday").check()
    saturday_end = page.get_by_label("Saturday, end of range 1")
    saturday_end.fill("08:00")
    page.get_by_label("Blocked topics").fill("política, religião,")
    expect(page.get_by_role("button", name="Remove the topic religião")).to_be_visible()
    page.get_by_label("Reply length limit (characters)").fill("10")
    # the form says what is wrong before sending: a range that ends before it starts, a length out of bounds
    page.get_by_role("button", name="Create persona").click()
    expect(saturday_end).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Reply length limit (characters)")).to_have_attribute("aria-invalid", "true")
    _shot(page, "ai-persona-create-errors-en")
    saturday_end.fill("13:00")
    page.get_by_label("Reply length limit (characters)").fill("500")
    page.get_by_label("Temperature").fill("0.2")
    page.get_by_role("button", name="Create persona").click()
    # THEN it opens at version 1, inactive
    expect(page.get_by_role("heading", name="Aurora")).to_be_visible()
    expect(page.get_by_text("Version 1.")).to_be_visible()
    expect(page.get_by_role("switch", name="Answers customers")).not_to_be_checked()
    expect(page.get_by_label("Saturday, end of range 1")).to_have_value("13:00")
    _shot(page, "ai-persona-settings-en")
    assert_accessible(page)
    # WHEN they test it with a question THEN the answer comes from the FAQ, with the passage as its source
    page.get_by_role("tab", name="Test").click()
    page.get_by_label("Question", exact=True).fill("Vocês parcelam no cartão de crédito?")
    page.get_by_role("button", name="Ask").click()
    exchange = page.get_by_role("article", name=re.compile("Vocês parcelam"))
    expect(exchange).to_contain_text("cartão de crédito em até 10 vezes", timeout=30_000)
    sources = exchange.get_by_role("list", name="Sources")
    expect(sources.get_by_role("listitem").first).to_contain_text("FAQ Aurora")
    expect(sources.get_by_role("listitem").first).to_contain_text("Formas de pagamento")
    expect(exchange).to_contain_text("tokens")
    _shot(page, "ai-persona-test-en")
    assert_accessible(page)
    # WHEN they turn it on and change its tone THEN a version 2 is saved, and version 1 is kept as it was
    page.get_by_role("switch", name="Answers customers").click()
    expect(page.get_by_text("The persona now answers customers")).to_be_visible()
    page.get_by_role("tab", name="Settings").click()
    page.get_by_label("Tone").fill("descontraído")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    page.get_by_role("tab", name="Versions").click()
    history = page.get_by_role("table", name="Version history")
    expect(history.get_by_role("row")).to_have_count(3)  # the header, versions 2 and 1
    history.get_by_role("button", name="View version 1").click()
    version = page.get_by_role("dialog", name="Version 1")
    expect(version).to_contain_text("cordial e objetivo")
    expect(version).to_contain_text("Base Aurora")
    _shot(page, "ai-persona-version-en")
    assert_accessible(page)
    version.get_by_role("button", name="Close", exact=True).first.click()
    # AND the list shows it active at version 2
    page.get_by_role("link", name="All personas").click()
    listed = page.get_by_role("table", name="Personas").get_by_role("row").filter(has_text="Aurora")
    expect(listed).to_contain_text("Active")
    expect(listed).to_contain_text("v2")


def test_a_save_after_someone_elses_is_a_clear_reload(browser: Browser, runtime: Runtime) -> None:
    # GIVEN a persona open in two tabs of its owner
    first = new_session(browser, runtime)
    second = new_session(browser, runtime)
    try:
        owner = sign_up(first)
        auth = {"Authorization": f"Bearer {_token(runtime, owner)}"}
        with httpx.Client(base_url=runtime.url, headers=auth, timeout=60) as http:
            created = http.post("/v1/personas", json={"name": "Bia", "tone": "formal"})
            assert created.status_code == 201, created.text
            persona_id = created.json()["id"]
        log_in(second, owner.email, owner.password)
        page = first.goto(f"/personas/{persona_id}")
        other = second.goto(f"/personas/{persona_id}")
        expect(page.get_by_label("Tone")).to_have_value("formal")
        # WHEN the second tab saves a change, then the first saves its own
        other.get_by_label("Tone").fill("amigável")
        other.get_by_role("button", name="Save as a new version").click()
        expect(other.get_by_text("Saved as version 2")).to_be_visible()
        page.get_by_label("Role").fill("vendedora")
        page.get_by_role("button", name="Save as a new version").click()
        # THEN the first is told someone saved in between, and reloading shows version 2 (nothing overwritten)
        stale = page.get_by_role("alert").filter(has_text="Someone saved this persona after you opened it")
        expect(stale).to_be_visible()
        _shot(page, "ai-persona-stale-en")
        assert_accessible(page)
        stale.get_by_role("button", name="Reload the persona").click()
        expect(page.get_by_text("Version 2.")).to_be_visible()
        expect(page.get_by_label("Tone")).to_have_value("amigável")
        expect(page.get_by_label("Role")).to_have_value("")
    finally:
        first.context.close()
        second.context.close()
    assert not first.errors and not second.errors


def test_ai_settings_save_a_budget_and_check_the_sandbox(session: Session) -> None:
    # GIVEN a new company's owner on the AI settings, on the platform's endpoint (the runtime's AI sandbox)
    sign_up(session)
    page = session.page
    _nav(page, "AI settings & usage")
    expect(page.get_by_role("heading", name="AI settings & usage")).to_be_visible()
    expect(page.get_by_text("Using the platform's endpoint")).to_be_visible()
    expect(page.get_by_text("No monthly budget set.")).to_be_visible()
    # WHEN they check the connection THEN the sandbox answers: ok
    page.get_by_role("button", name="Check connection").click()
    outcome = page.get_by_role("status").filter(has_text="Connection works")
    expect(outcome).to_be_visible(timeout=30_000)
    expect(outcome).to_contain_text("answered with the model")
    # WHEN they type a budget with three decimals THEN the field says why; a good one is saved
    budget = page.get_by_label("Budget (US$ per month)")
    budget.fill("12.345")
    page.get_by_role("button", name="Save budget").click()
    expect(budget).to_have_attribute("aria-invalid", "true")
    budget.fill("25.50")
    page.get_by_role("button", name="Save budget").click()
    expect(page.get_by_text("Budget saved")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Share of the monthly budget spent")).to_be_visible()
    expect(page.get_by_text(re.compile(r"of \$25\.50"))).to_be_visible()
    page.reload()
    expect(page.get_by_label("Budget (US$ per month)")).to_have_value("25.5")
    expect(page.get_by_role("table", name="Usage by persona")).to_be_visible()  # the check itself was a call
    _shot(page, "ai-settings-en")
    assert_accessible(page)
    # WHEN they point it at an address that is not an http(s) API THEN the field says so
    base_url = page.get_by_label("Base URL")
    base_url.fill("ftp://models.example.com/v1")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(base_url).to_have_attribute("aria-invalid", "true")
    # WHEN they save an endpoint nothing answers at and check it THEN the check says it is unavailable
    base_url.fill("http://127.0.0.1:9/v1")
    page.get_by_label("API key").fill("sk-test-1234567890abcd")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("AI settings saved")).to_be_visible()
    expect(page.get_by_text("A key ending in abcd is saved.")).to_be_visible()
    expect(page.get_by_label("API key")).to_have_value("")
    page.get_by_role("button", name="Check connection").click()
    failed = page.get_by_role("alert").filter(has_text="The endpoint is unavailable")
    expect(failed).to_be_visible(timeout=60_000)
    expect(failed).to_contain_text("127.0.0.1 could not be reached")
    _shot(page, "ai-settings-check-failed-en")
    assert_accessible(page)
    # WHEN they go back to the platform's endpoint THEN the saved key must go too (it never goes to another host)
    page.get_by_label("Base URL").fill("")
    expect(page.get_by_text("A new base URL needs its API key again")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("API key")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Remove the key").click()
    expect(page.get_by_text("No key of your own: the platform's key is used.")).to_be_visible()
    expect(page.get_by_label("Base URL")).to_have_value("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Using the platform's endpoint")).to_be_visible()
    # AND the check is ok again
    page.get_by_role("button", name="Check connection").click()
    expect(page.get_by_role("status").filter(has_text="Connection works")).to_be_visible(timeout=30_000)


def test_the_ai_screens_in_portuguese_on_a_phone(browser: Browser, runtime: Runtime) -> None:
    s = new_session(browser, runtime, locale="pt-BR", viewport={"width": 360, "height": 740})
    try:
        sign_up(s)
        page = s.page
        # the menu is behind a button on a phone, with the AI section in Portuguese
        page.get_by_role("button", name="Abrir o menu").click()
        menu = page.get_by_role("dialog")
        expect(menu.get_by_text("IA", exact=True)).to_be_visible()
        menu.get_by_role("link", name="Bases de conhecimento", exact=True).click()
        expect(page.get_by_text("Nenhuma base de conhecimento ainda")).to_be_visible()
        page.get_by_role("button", name="Nova base de conhecimento").first.click()
        dialog = page.get_by_role("dialog", name="Nova base de conhecimento")
        dialog.get_by_label("Nome").fill("Perguntas")
        dialog.get_by_role("button", name="Criar").click()
        expect(page.get_by_role("heading", name="Perguntas")).to_be_visible()
        expect(page.get_by_text("Adicionar documento")).to_be_visible()
        no_sideways_scroll(page)
        _shot(page, "ai-kb-detail-pt-BR-360")
        assert_accessible(page)
        s.goto("/personas/new")
        expect(page.get_by_role("heading", name="Nova persona")).to_be_visible()
        page.get_by_role("radio", name="Somente nestes horários").check()
        expect(page.get_by_role("checkbox", name="Segunda-feira")).to_be_checked()
        expect(page.get_by_label("Segunda-feira, início do intervalo 1")).to_have_value("09:00")
        no_sideways_scroll(page)
        _shot(page, "ai-persona-create-pt-BR-360")
        assert_accessible(page)
        s.goto("/ai-settings")
        expect(page.get_by_role("heading", name="IA: configurações e uso")).to_be_visible()
        expect(page.get_by_role("heading", name="Orçamento mensal")).to_be_visible()
        no_sideways_scroll(page)
        _shot(page, "ai-settings-pt-BR-360")
        assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, s.errors


def test_an_agent_reads_and_tests_but_is_not_offered_changes(browser: Browser, runtime: Runtime) -> None:
    # GIVEN a company with a knowledge base and a persona, and an agent of it
    owner_session = new_session(browser, runtime)
    agent_session = new_session(browser, runtime)
    try:
        owner = sign_up(owner_session)
        auth = {"Authorization": f"Bearer {_token(runtime, owner)}"}
        email = f"ai-agent.{owner.email}"
        with httpx.Client(base_url=runtime.url, headers=auth, timeout=60) as http:
            kb = http.post("/v1/knowledge-bases", json={"name": "Base da equipe"}).json()
            persona = http.post(
                "/v1/personas", json={"name": "Caio", "tone": "direto", "knowledge_base_ids": [kb["id"]]}
            ).json()
            invited = http.post("/v1/users", json={"email": email, "name": "Agent", "role": "agent"}).json()
            accepted = http.post(
                "/v1/auth/accept-invite", json={"token": invited["invite_token"], "password": owner.password}
            )
            assert accepted.status_code == 200, accepted.text
        log_in(agent_session, email, owner.password)
        # WHEN the agent opens the persona THEN they read it, but nothing offers to change it
        page = agent_session.goto(f"/personas/{persona['id']}")
        expect(page.get_by_role("heading", name="Caio")).to_be_visible()
        expect(page.get_by_text("Inactive", exact=True)).to_be_visible()
        expect(page.get_by_role("switch")).to_have_count(0)
        expect(page.get_by_role("button", name="Archive")).to_have_count(0)
        expect(page.get_by_role("button", name="Save as a new version")).to_have_count(0)
        expect(page.get_by_label("Tone")).to_have_attribute("readonly", "")
        expect(page.get_by_role("list", name="Chosen: Knowledge bases")).to_contain_text("Base da equipe")
        expect(page.get_by_role("button", name="Add a knowledge base")).to_have_count(0)
        # AND they may still try it out
        page.get_by_role("tab", name="Test").click()
        expect(page.get_by_role("button", name="Ask")).to_be_visible()
        _shot(page, "ai-persona-agent-en")
        assert_accessible(page)
        # AND the knowledge base can be searched, not changed; the AI settings are shown without their controls
        page = agent_session.goto(f"/knowledge-bases/{kb['id']}")
        expect(page.get_by_role("heading", name="Try a search")).to_be_visible()
        expect(page.get_by_role("heading", name="Add a document")).to_have_count(0)
        expect(page.get_by_role("button", name="Delete")).to_have_count(0)
        page = agent_session.goto("/ai-settings")
        expect(page.get_by_text("An administrator can change these settings.")).to_be_visible()
        expect(page.get_by_role("button", name="Check connection")).to_have_count(0)
        expect(page.get_by_role("button", name="Save budget")).to_have_count(0)
        expect(page.get_by_label("API key")).to_have_count(0)
    finally:
        owner_session.context.close()
        agent_session.context.close()
    assert not owner_session.errors and not agent_session.errors
