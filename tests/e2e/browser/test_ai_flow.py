"""The AI in the inbox and on the board, end to end on the local runtime's sandboxes: a company whose WhatsApp number
has an active persona with a knowledge base. A customer asks a question and the AI's answer appears in the thread,
marked as the AI's; asking for a person hands the conversation over, its reason shown to the agent, who hands it back
to the AI; naming a time makes the AI propose the meeting stage on a pipeline that trusts it less than that, a
suggestion on the card, accepted with the appointment asked for: the card moves. In Portuguese: a person's reply
stops the AI, a pause says so, a suggestion is rejected, and the pipeline's AI thresholds are on its settings."""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser.conftest import PASSWORD, Session, assert_accessible, log_in, new_session, shot
from tests.e2e.browser.test_connections import register, sandbox_number
from tests.runtime import Runtime

READY = 90_000  # ms: the FAQ read, embedded and stored by the runtime's worker
# ms: the AI's answer — no debounce here, then the humanized delay (reading and typing, at most 12 s a part)
ANSWERED = 45_000

FAQ = """# Perguntas frequentes da Loja Aurora

## Formas de pagamento
Aceitamos Pix, boleto e cartão de crédito em até 10 vezes sem juros.

## Entrega
Entregamos em todo o Brasil; o frete é grátis para compras acima de R$ 200.
"""


class Api:
    """The company's owner on the API, for the setup an admin would have done on other screens, and the customer
    on the sandbox."""

    def __init__(self, runtime: Runtime, email: str) -> None:
        self.runtime = runtime
        self.http = httpx.Client(base_url=runtime.url, timeout=60)
        body = {"company_name": f"Loja Aurora {random.randrange(10**6)}", "name": "Olga Owner", "email": email,
                "password": PASSWORD, "default_region": "BR"}  # fmt: skip
        created = self.http.post("/v1/auth/signup", json=body)
        assert created.status_code == 201, created.text
        self.http.headers["Authorization"] = f"Bearer {created.json()['access_token']}"
        self.number: dict[str, str] = {}

    def ok(self, response: httpx.Response) -> Any:
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def connect_number(self) -> dict[str, Any]:
        """A number on the sandbox, connected, its webhook registered so the customer's messages come in."""
        self.number = sandbox_number(self.runtime)
        number = self.number
        body = {"name": "Vendas", "phone_number_id": number["phone_number_id"], "waba_id": number["waba_id"],
                "access_token": number["token"], "app_secret": number["app_secret"]}  # fmt: skip
        connection = self.ok(self.http.post("/v1/connections", json=body))
        register(self.runtime, {**self.number, "webhook_url": connection["webhook_url"]})
        return connection  # type: ignore[no-any-return]

    def knowledge_base_with_faq(self) -> dict[str, Any]:
        kb = self.ok(self.http.post("/v1/knowledge-bases", json={"name": "FAQ Aurora"}))
        files = {"file": ("faq-aurora.md", FAQ.encode(), "text/markdown")}
        document = self.ok(self.http.post(f"/v1/knowledge-bases/{kb['id']}/documents", files=files))
        deadline = time.monotonic() + READY / 1000
        while document["status"] not in ("ready", "failed") and time.monotonic() < deadline:
            time.sleep(0.3)
            document = self.ok(self.http.get(f"/v1/knowledge-bases/{kb['id']}/documents/{document['id']}"))
        assert document["status"] == "ready", document
        return kb  # type: ignore[no-any-return]

    def persona(self, connection: dict[str, Any], kb: dict[str, Any]) -> dict[str, Any]:
        """Aurora, active on the number: answers from the FAQ at once (no debounce), may hand over and propose."""
        body = {
            "name": "Aurora", "role": "atendente da loja", "tone": "simpática", "language": "pt-BR",
            "knowledge_base_ids": [kb["id"]], "tools": ["handoff", "propose_stage"],
            "connection_ids": [connection["id"]], "debounce_seconds": 0, "is_active": True,
        }  # fmt: skip
        return self.ok(self.http.post("/v1/personas", json=body))  # type: ignore[no-any-return]

    def pipeline(self) -> dict[str, Any]:
        return self.ok(self.http.get("/v1/pipelines"))[0]  # type: ignore[no-any-return]

    def lead(self, pipeline: dict[str, Any], phone: str, name: str, title: str) -> dict[str, Any]:
        contact = self.ok(self.http.post("/v1/contacts", json={"phone": f"+{phone}", "name": name}))
        body = {"pipeline_id": pipeline["id"], "contact_id": contact["id"], "title": title}
        return self.ok(self.http.post("/v1/leads", json=body))  # type: ignore[no-any-return]

    def customer_writes(self, phone: str, name: str, text: str) -> None:
        inbound = f"/sandbox/numbers/{self.number['phone_number_id']}/inbound"
        sent = self.http.post(inbound, json={"from": phone, "name": name, "text": text})
        assert sent.status_code < 300, sent.text


@dataclass
class Shop:
    api: Api
    email: str
    pipeline: dict[str, Any]
    phone: str
    customer: str
    title: str


@pytest.fixture
def shop(runtime: Runtime) -> Iterator[Shop]:
    """A company (Brazilian: its pipeline's stages in Portuguese) with its number, FAQ and persona; a lead for the
    customer who is about to write, on a pipeline that moves a lead alone only from 95% (moves back: 99%)."""
    email = f"owner.ai.{random.randrange(10**9)}@browser.example.com"
    api = Api(runtime, email)
    connection = api.connect_number()
    api.persona(connection, api.knowledge_base_with_faq())
    pipeline = api.pipeline()
    patched = {"ai_auto_apply_threshold": 0.95, "ai_backward_threshold": 0.99}
    pipeline = api.ok(api.http.patch(f"/v1/pipelines/{pipeline['id']}", json=patched))
    phone, customer = f"55119{random.randrange(10**7, 10**8)}", "Carla Mendes"
    title = "Carla — cadeiras"
    api.lead(pipeline, phone, customer, title)
    yield Shop(api, email, pipeline, phone, customer, title)
    api.http.close()


def _shot(page: Page, name: str) -> Path:
    """The screenshot as an artifact, and a copy in the temporary folder (/tmp) to look at."""
    path = shot(page, name)
    shutil.copy(path, Path(tempfile.gettempdir()) / path.name)
    return path


def _quiet(page: Page) -> None:
    """The toasts gone (top right, over the header's buttons; a mouse resting on them keeps them)."""
    page.mouse.move(300, 700)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)


def _row(page: Page, name: str) -> Locator:
    conversations = page.get_by_role("list", name=re.compile("^(Conversations|Conversas)$"))
    return conversations.get_by_role("link", name=re.compile(name))


def _card(page: Page, stage: str, title: str) -> Locator:
    column = page.locator(f'section[data-stage="{stage}"]')
    return column.locator("li[data-lead]").filter(has=page.get_by_role("button", name=re.compile(re.escape(title))))


def test_the_ai_answers_hands_over_and_proposes_a_stage_accepted_on_the_board(session: Session, shop: Shop) -> None:
    # GIVEN the owner on the inbox
    log_in(session, shop.email, PASSWORD)
    page = session.goto("/inbox")
    expect(page.get_by_text("Live", exact=True)).to_be_visible(timeout=30_000)  # the socket, on a busy machine

    # WHEN the customer asks something the FAQ answers
    shop.api.customer_writes(shop.phone, shop.customer, "Oi! Vocês aceitam Pix?")
    row = _row(page, shop.customer)
    row.click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread.get_by_text("Oi! Vocês aceitam Pix?")).to_be_visible()
    # THEN the AI's answer comes into the thread by itself, marked as the AI's (its persona named)
    answer = thread.get_by_text("Aceitamos Pix, boleto e cartão de crédito em até 10 vezes sem juros.")
    expect(answer).to_be_visible(timeout=ANSWERED)
    expect(thread.get_by_text("AI · Aurora")).to_be_visible()
    header = page.get_by_role("heading", name=shop.customer, exact=True).locator("..")
    expect(header.get_by_text("AI answering")).to_be_visible()
    expect(page.get_by_role("button", name="Pause AI")).to_be_visible()
    expect(row.get_by_role("img", name="AI answering")).to_be_visible()
    details = page.get_by_role("complementary", name="Details").get_by_role("region", name="AI", exact=True)
    expect(details).to_contain_text("Aurora")
    _shot(page, "ai-flow-reply-en")
    assert_accessible(page)

    # WHEN the customer asks for a person
    shop.api.customer_writes(shop.phone, shop.customer, "quero falar com um atendente")
    # THEN the AI says so, hands the conversation over (to the owner: the only user) and the agent sees why
    notice = page.get_by_role("region", name="The AI handed this conversation to a person")
    expect(notice).to_be_visible(timeout=ANSWERED)
    expect(notice).to_contain_text("The AI chose to hand the conversation to a person.")
    expect(notice).to_contain_text("In its words: “customer asked for a person”")
    expect(notice).to_contain_text("Handed to You")
    expect(header.get_by_text("Handed off by the AI")).to_be_visible()
    expect(thread.get_by_text(re.compile("Vou te passar para um atendente"))).to_be_visible(timeout=ANSWERED)
    expect(row.get_by_role("img", name="Handed off by the AI")).to_be_visible()
    _shot(page, "ai-flow-handoff-en")
    assert_accessible(page)

    # WHEN the agent hands it back THEN the AI answers here again
    _quiet(page)
    page.get_by_role("button", name="Hand back to AI").click()
    expect(page.get_by_text("The AI answers this conversation again")).to_be_visible()
    expect(header.get_by_text("AI answering")).to_be_visible()
    expect(notice).to_have_count(0)

    # WHEN, with the board open, the customer names a time
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipelines").click()
    expect(page.get_by_role("heading", name="Vendas", level=1)).to_be_visible()
    card = _card(page, "Novo", shop.title)
    expect(card).to_be_visible()
    shop.api.customer_writes(shop.phone, shop.customer, "pode ser amanhã às 15h?")
    # THEN the AI's proposal (90%, below the pipeline's 95%) waits on the card live, quoting the customer
    suggestion = card.get_by_role("region", name=f"AI suggestion for {shop.title}: Reunião agendada · 90%")
    expect(suggestion).to_be_visible(timeout=ANSWERED)
    expect(suggestion).to_contain_text("“pode ser amanhã às 15h?”")
    expect(suggestion).to_contain_text("No time agreed: accepting asks for the appointment.")
    _quiet(page)
    _shot(page, "ai-flow-suggestion-en")
    assert_accessible(page)

    # WHEN the owner accepts THEN the meeting's appointment is asked for, and once given the card moves
    suggestion.get_by_role("button", name="Accept").click()
    dialog = page.get_by_role("dialog", name="Schedule the meeting")
    expect(dialog).to_be_visible()
    _shot(page, "ai-flow-accept-appointment-en")
    dialog.get_by_role("button", name="Schedule and move").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"“{shop.title}” moved to Reunião agendada")).to_be_visible()
    moved = _card(page, "Reunião agendada", shop.title)
    expect(moved).to_be_visible()
    expect(_card(page, "Novo", shop.title)).to_have_count(0)
    expect(moved.get_by_role("region")).to_have_count(0)  # the suggestion is decided
    _shot(page, "ai-flow-moved-en")
    # and it stays so on a reload (the server's board)
    page.reload()
    expect(_card(page, "Reunião agendada", shop.title)).to_be_visible()
    moves = shop.api.ok(shop.api.http.get(f"/v1/pipelines/{shop.pipeline['id']}/suggestions"))
    assert moves["items"] == []


def test_in_portuguese_a_reply_and_a_pause_stop_the_ai_and_a_suggestion_is_rejected(
    browser: Browser, runtime: Runtime, shop: Shop
) -> None:
    s = new_session(browser, runtime, locale="pt-BR")
    try:
        log_in(s, shop.email, PASSWORD)
        page = s.goto("/inbox")
        shop.api.customer_writes(shop.phone, shop.customer, "Vocês entregam em todo o Brasil?")
        _row(page, shop.customer).click()
        thread = page.get_by_role("log", name="Mensagens")
        expect(thread.get_by_text(re.compile("Entregamos em todo o Brasil"))).to_be_visible(timeout=ANSWERED)
        expect(thread.get_by_text("IA · Aurora")).to_be_visible()
        header = page.get_by_role("heading", name=shop.customer, exact=True).locator("..")
        expect(header.get_by_text("IA respondendo")).to_be_visible()
        _shot(page, "ai-flow-reply-pt-BR")
        assert_accessible(page)

        # WHEN a person replies THEN the AI stops there, and the inbox says why
        page.get_by_label("Mensagem", exact=True).fill("Oi Carla, aqui é a Olga!")
        page.get_by_label("Mensagem", exact=True).press("Enter")
        notice = page.get_by_role("region", name="A IA não está respondendo aqui")
        expect(notice).to_contain_text("Uma pessoa respondeu aqui, então a IA parou.")
        expect(header.get_by_text("IA pausada")).to_be_visible()
        _shot(page, "ai-flow-human-reply-pt-BR")

        # WHEN they hand it back, then pause it THEN each is said
        _quiet(page)
        page.get_by_role("button", name="Devolver para a IA").click()
        expect(header.get_by_text("IA respondendo")).to_be_visible()
        _quiet(page)
        page.get_by_role("button", name="Pausar IA").click()
        expect(notice).to_contain_text("Pausada por um usuário.")
        # (on a phone: the thread alone, its header's buttons as icons with their names, nothing sideways)
        page.set_viewport_size({"width": 360, "height": 740})
        expect(page.get_by_role("button", name="Devolver para a IA")).to_be_visible()
        expect(notice).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        _shot(page, "ai-flow-phone-pt-BR")
        page.set_viewport_size({"width": 1280, "height": 800})
        _quiet(page)
        page.get_by_role("button", name="Devolver para a IA").click()
        expect(header.get_by_text("IA respondendo")).to_be_visible()

        # WHEN the customer names a time, on the board THEN the suggestion shows, and rejecting it keeps the lead
        page.get_by_role("navigation", name="Principal").get_by_role("link", name="Funis").click()
        card = _card(page, "Novo", shop.title)
        expect(card).to_be_visible()
        shop.api.customer_writes(shop.phone, shop.customer, "Sexta às 10h fica bom pra mim")
        suggestion = card.get_by_role("region", name=f"Sugestão da IA para {shop.title}: Reunião agendada · 90%")
        expect(suggestion).to_be_visible(timeout=ANSWERED)
        expect(suggestion).to_contain_text("“Sexta às 10h fica bom pra mim”")
        _quiet(page)
        _shot(page, "ai-flow-suggestion-pt-BR")
        assert_accessible(page)
        suggestion.get_by_role("button", name="Recusar").click()
        dialog = page.get_by_role("dialog", name=f"Recusar a sugestão da IA para “{shop.title}”?")
        dialog.get_by_label("Motivo (opcional)").fill("Ela ainda vai confirmar")
        _shot(page, "ai-flow-reject-pt-BR")
        dialog.get_by_role("button", name="Recusar").click()
        expect(page.get_by_text(f"Sugestão para “{shop.title}” recusada")).to_be_visible()
        expect(suggestion).to_have_count(0)
        expect(card).to_be_visible()
        lead = shop.api.ok(shop.api.http.get(f"/v1/pipelines/{shop.pipeline['id']}/board"))
        (column,) = [c for c in lead["columns"] if c["stage"]["name"] == "Novo"]
        assert [(item["title"], item["suggestion"]) for item in column["leads"]] == [(shop.title, None)]

        # THEN the pipeline's settings show how far it trusts the AI, and change it
        page.get_by_role("link", name="Configurações de funis").click()
        form = page.get_by_role("form", name="Avanço de leads pela IA")
        expect(form.get_by_label("Mover na hora a partir de (%)")).to_have_value("95")
        expect(form.get_by_label("Voltar na hora a partir de (%)")).to_have_value("99")
        form.get_by_label("Voltar na hora a partir de (%)").fill("90")
        expect(form.get_by_text("No mínimo o limite para avançar.")).to_be_visible()
        expect(form.get_by_role("button", name="Salvar configurações da IA")).to_be_disabled()
        form.get_by_label("Voltar na hora a partir de (%)").fill("98")
        form.get_by_label("A IA pode encerrar leads como ganhos ou perdidos").check()
        form.get_by_role("button", name="Salvar configurações da IA").click()
        expect(page.get_by_text("Configurações da IA salvas")).to_be_visible()
        _shot(page, "ai-flow-settings-pt-BR")
        assert_accessible(page)
        saved = shop.api.ok(shop.api.http.get(f"/v1/pipelines/{shop.pipeline['id']}"))
        assert (saved["ai_auto_apply_threshold"], saved["ai_backward_threshold"], saved["ai_may_close"]) == (
            0.95, 0.98, True,
        )  # fmt: skip
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"


def test_the_ai_state_changed_elsewhere_shows_live_in_an_open_inbox(
    browser: Browser, runtime: Runtime, shop: Shop
) -> None:
    """Another user pauses the AI, hands the conversation back, then replies to the customer himself: the inbox of
    an admin who has the conversation open follows each change as it happens, with no reload."""
    # GIVEN an admin of the company with the conversation open, the AI answering in it
    email = f"admin.ai.{random.randrange(10**9)}@browser.example.com"
    invited = shop.api.ok(shop.api.http.post("/v1/users", json={"email": email, "name": "Ana Admin", "role": "admin"}))
    accepted = httpx.post(
        f"{runtime.url}/v1/auth/accept-invite", json={"token": invited["invite_token"], "password": PASSWORD}
    )
    assert accepted.status_code < 300, accepted.text
    s = new_session(browser, runtime)
    try:
        log_in(s, email, PASSWORD)
        page = s.goto("/inbox")
        expect(page.get_by_text("Live", exact=True)).to_be_visible(timeout=30_000)
        shop.api.customer_writes(shop.phone, shop.customer, "Oi! Vocês aceitam Pix?")
        _row(page, shop.customer).click()
        thread = page.get_by_role("log", name="Messages")
        answer = thread.get_by_text("Aceitamos Pix, boleto e cartão de crédito em até 10 vezes sem juros.")
        expect(answer).to_be_visible(timeout=ANSWERED)
        header = page.get_by_role("heading", name=shop.customer, exact=True).locator("..")
        expect(header.get_by_text("AI answering")).to_be_visible()
        (conversation,) = shop.api.ok(shop.api.http.get("/v1/conversations"))["items"]
        on_api = f"/v1/conversations/{conversation['id']}"
        notice = page.get_by_role("region", name="The AI is not answering here")
        live = 15_000  # ms: the event, its push, on a busy machine

        # WHEN the owner pauses the AI there (on another screen: the API) THEN this inbox says so at once
        shop.api.ok(shop.api.http.post(f"{on_api}/ai/pause"))
        expect(notice).to_contain_text("Paused by a user.", timeout=live)
        expect(header.get_by_text("AI paused")).to_be_visible()
        expect(page.get_by_role("button", name="Hand back to AI")).to_be_visible()
        _shot(page, "ai-flow-paused-elsewhere-en")

        # WHEN they hand it back THEN it answers here again, the pause gone
        shop.api.ok(shop.api.http.post(f"{on_api}/ai/resume"))
        expect(header.get_by_text("AI answering")).to_be_visible(timeout=live)
        expect(notice).to_have_count(0)

        # WHEN the owner replies to the customer THEN the AI stops (on the API's side) and this inbox says why
        shop.api.ok(shop.api.http.post(f"{on_api}/messages", json={"text": "Oi Carla, aqui é a Olga!"}))
        expect(thread.get_by_text("Oi Carla, aqui é a Olga!")).to_be_visible(timeout=live)
        expect(notice).to_contain_text("A person replied here, so the AI stopped.", timeout=live)
        expect(header.get_by_text("AI paused")).to_be_visible()
        _shot(page, "ai-flow-stopped-by-a-reply-en")
        assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"
