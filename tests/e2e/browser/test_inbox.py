"""The inbox: a customer writes on the sandbox and the message appears live; the agent opens it, replies and
watches the tick go sent → delivered → read, sends an approved template after its preview, adds a note, closes and
reopens; in Portuguese too; on a 360-px phone one pane at a time."""

from __future__ import annotations

import base64
import itertools
import os
import re
import struct
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.e2e.browser.conftest import PASSWORD, Session, assert_accessible, log_in, new_session, shot
from tests.e2e.waits import eventually
from tests.runtime import Runtime

MESSAGE_PAGE = 100  # the thread's page (web/src/features/inbox/api/inbox.ts)
NUMBER_ID = "100000000000001"  # the demo company's sandbox number (README)
_phones = itertools.count(1)


def _png(width: int = 160, height: int = 100, rgb: tuple[int, int, int] = (16, 122, 110)) -> str:
    """A solid-colour PNG, base64 (a customer's photo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def _phone() -> str:
    return f"55119{os.getpid() % 10000:04d}{next(_phones):04d}"


class Api:
    """The API as the demo company's owner, for what a customer (or the setup) does."""

    def __init__(self, runtime: Runtime) -> None:
        self.http = httpx.Client(base_url=runtime.url, timeout=30)
        tokens = self.http.post("/v1/auth/login", json={"email": runtime.email, "password": runtime.password})
        tokens.raise_for_status()
        self.http.headers["authorization"] = f"Bearer {tokens.json()['access_token']}"

    def number(self) -> tuple[str, str]:
        """(connection id, phone_number_id) of the demo company's sandbox number."""
        items = self.http.get("/v1/connections", params={"limit": 200}).raise_for_status().json()["items"]
        sandbox = next(c for c in items if c["phone_number_id"] == NUMBER_ID)
        return sandbox["id"], sandbox["phone_number_id"]

    def customer_writes(self, number_id: str, phone: str, name: str, text: str) -> None:
        sent = self.http.post(f"/sandbox/numbers/{number_id}/inbound", json={"from": phone, "name": name, "text": text})
        assert sent.status_code < 300, sent.text

    def customer_sends_photo(self, number_id: str, phone: str, name: str, caption: str) -> None:
        media = {"type": "image", "mime_type": "image/png", "data_base64": _png(), "caption": caption}
        body = {"from": phone, "name": name, "media": media}
        sent = self.http.post(f"/sandbox/numbers/{number_id}/inbound", json=body)
        assert sent.status_code < 300, sent.text

    def sandbox_delay(self, seconds: float | None) -> None:
        """Slow the sandbox's status webhooks down (None: back to its defaults)."""
        body = {} if seconds is None else {"delay_seconds": seconds}
        self.http.put("/sandbox/settings", json=body).raise_for_status()

    def agent(self, email: str) -> None:
        """Invite an agent and accept the invitation with the test password."""
        invited = self.http.post("/v1/users", json={"email": email, "name": "Ana Agente", "role": "agent"})
        assert invited.status_code == 201, invited.text
        token = invited.json()["invite_token"]
        accepted = self.http.post("/v1/auth/accept-invite", json={"token": token, "password": PASSWORD})
        assert accepted.status_code < 300, accepted.text

    def approved_template(self, connection_id: str, name: str) -> dict[str, Any]:
        """A WhatsApp template submitted to the sandbox's "Meta", once it is approved."""
        created = self.http.post(
            f"/v1/connections/{connection_id}/templates",
            json={
                "name": name, "language": "pt_BR", "category": "UTILITY",
                "components": [{"type": "BODY", "text": "Olá {{1}}, seu pedido está a caminho!",
                                "example": {"body_text": [["Carla"]]}}],
                "parameters": {"body.1": "first_name"}, "defaults": {"body.1": "cliente"},
            },
        )  # fmt: skip
        assert created.status_code < 300, created.text
        template = created.json()
        deadline = time.monotonic() + 15
        while template["status"] != "APPROVED" and time.monotonic() < deadline:
            time.sleep(0.2)
            template = self.http.get(f"/v1/whatsapp-templates/{template['id']}").raise_for_status().json()
        assert template["status"] == "APPROVED", template
        return template

    def newest_text(self, conversation_id: str) -> str:
        page = self.http.get(f"/v1/conversations/{conversation_id}/messages", params={"limit": 1}).raise_for_status()
        return str(page.json()["items"][0]["text"])

    def texts(self, conversation_id: str) -> list[str]:
        """The texts of a conversation's messages, newest first (as the API gives them)."""
        cursor, texts = None, []
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = self.http.get(f"/v1/conversations/{conversation_id}/messages", params=params).raise_for_status()
            body = page.json()
            texts += [str(m["text"]) for m in body["items"]]
            cursor = body.get("next_cursor")
            if not cursor:
                return texts

    def oldest_text(self, conversation_id: str) -> str:
        """The text of a conversation's first message."""
        return self.texts(conversation_id)[-1]

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def demo_api(runtime: Runtime) -> Iterator[Api]:
    api = Api(runtime)
    yield api
    api.close()


def _conversation(page: Page, name: str) -> Locator:
    conversations = page.get_by_role("list", name=re.compile("^(Conversations|Conversas)$"))
    return conversations.get_by_role("link", name=re.compile(name))


def _no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_a_customer_message_arrives_live_and_is_answered(session: Session, runtime: Runtime, demo_api: Api) -> None:
    connection_id, number_id = demo_api.number()
    template = demo_api.approved_template(connection_id, f"pedido_a_caminho_{os.getpid()}")
    # GIVEN the demo company's owner on the inbox
    log_in(session, runtime.email, runtime.password)
    page = session.goto("/inbox")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_text("Live", exact=True)).to_be_visible()
    # WHEN a customer writes to the number on the sandbox
    phone, name = _phone(), f"Carla {os.getpid()}"
    demo_api.customer_writes(number_id, phone, name, "Oi! Vocês entregam no sábado?")
    # THEN the conversation shows up without a reload, with its unread badge
    row = _conversation(page, name)
    expect(row).to_be_visible()
    expect(row).to_contain_text("1 unread message")
    shot(page, "inbox-list-en")
    assert_accessible(page)

    # WHEN the agent opens it THEN the thread shows the message, and it is marked read
    row.click()
    expect(page).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}"))
    thread = page.get_by_role("log", name="Messages")
    expect(thread.get_by_text("Oi! Vocês entregam no sábado?")).to_be_visible()
    expect(row).not_to_contain_text("unread")

    # WHEN they reply with text THEN the bubble's tick advances (the sandbox posts sent → delivered → read, a
    # second apart here)
    demo_api.sandbox_delay(1.0)
    try:
        page.get_by_label("Message", exact=True).fill("Entregamos sim! Qual o seu CEP?")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(thread.get_by_text("Entregamos sim! Qual o seu CEP?")).to_be_visible()
        expect(thread.get_by_role("img", name="Sent")).to_be_visible()
        expect(thread.get_by_role("img", name="Delivered")).to_be_visible()
        tick = thread.get_by_role("img", name="Read")
        expect(tick).to_be_visible()
    finally:
        demo_api.sandbox_delay(None)
    tick.focus()
    expect(page.get_by_role("tooltip")).to_have_text("Read")
    shot(page, "inbox-thread-en")
    assert_accessible(page)

    # WHEN the customer writes again THEN it appears in the open thread live
    demo_api.customer_writes(number_id, phone, name, "01310-100")
    expect(thread.get_by_text("01310-100")).to_be_visible()

    # WHEN the customer sends a photo THEN the thread previews it (the stored file, from its media_url)
    demo_api.customer_sends_photo(number_id, phone, name, "Foto da fachada")
    photo = thread.get_by_role("img", name="Foto da fachada")
    expect(photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 160", arg=photo.element_handle())

    # WHEN they answer that message quoting it THEN the new bubble shows the quote
    page.get_by_role("button", name="Reply to “01310-100”").click()
    expect(page.get_by_text("Replying to:", exact=True)).to_be_visible()
    page.get_by_label("Message", exact=True).fill("Anotado, obrigado!")
    page.get_by_label("Message", exact=True).press("Enter")
    expect(thread.get_by_role("blockquote").filter(has_text="01310-100")).to_be_visible()

    # WHEN they send an image by its link THEN the bubble previews it with its caption
    page.get_by_role("tab", name="Media").click()
    page.get_by_label("File link (https)").fill("https://cdn.example.com/catalogo.jpg")
    page.get_by_label("Caption").fill("Nosso catálogo")
    page.get_by_role("button", name="Send media").click()
    expect(thread.get_by_text("Nosso catálogo", exact=True)).to_be_visible()
    # (a link this machine cannot load: the bubble offers to open it instead of a broken image)
    expect(thread.get_by_role("link", name="The image could not be shown here: open it")).to_be_visible()

    # WHEN they send an approved template, after its preview filled in for the contact
    page.get_by_role("tab", name="Template").click()
    page.get_by_role("combobox", name="Template").select_option(label=f"{template['name']} (pt_BR)")
    preview = page.get_by_role("region", name="Preview for this contact")
    expect(preview).to_contain_text("Olá Carla, seu pedido está a caminho!")
    shot(page, "inbox-template-en")
    page.get_by_role("button", name="Send template").click()
    expect(thread.get_by_text(f"Template {template['name']}")).to_be_visible()

    # WHEN they add a note THEN it is listed apart from the messages
    page.get_by_label("New note").fill("Cliente quer entrega no sábado")
    page.get_by_role("button", name="Add note").click()
    notes = page.get_by_role("list", name="Notes")
    expect(notes.get_by_text("Cliente quer entrega no sábado")).to_be_visible()
    expect(thread.get_by_text("Cliente quer entrega no sábado")).to_have_count(0)

    # WHEN they close it and reopen it
    page.get_by_role("button", name="Close", exact=True).click()
    header = page.get_by_role("heading", name=name, exact=True).locator("..")
    expect(header.get_by_text("Closed", exact=True)).to_be_visible()
    shot(page, "inbox-closed-en")
    page.get_by_role("button", name="Reopen").click()
    expect(header.get_by_text("Open", exact=True)).to_be_visible()
    # the list followed, and its filters live in the URL
    expect(row).not_to_contain_text("Closed")
    page.get_by_label("Status").select_option(label="Closed")
    expect(page).to_have_url(re.compile(r"status=closed"))
    expect(row).to_have_count(0)
    page.get_by_label("Status").select_option(label="Open")
    expect(row).to_be_visible()


def test_portuguese(session_pt: Session, runtime: Runtime, demo_api: Api) -> None:
    _, number_id = demo_api.number()
    log_in(session_pt, runtime.email, runtime.password)
    page = session_pt.goto("/inbox")
    expect(page.get_by_role("heading", name="Caixa de entrada")).to_be_visible()
    phone, name = _phone(), f"João {os.getpid()}"
    demo_api.customer_writes(number_id, phone, name, "Bom dia, qual o horário de vocês?")
    row = _conversation(page, name)
    expect(row).to_contain_text("1 mensagem não lida")
    row.click()
    thread = page.get_by_role("log", name="Mensagens")
    expect(thread.get_by_text("Bom dia, qual o horário de vocês?")).to_be_visible()
    page.get_by_label("Mensagem", exact=True).fill("Das 8h às 18h!")
    page.get_by_label("Mensagem", exact=True).press("Enter")
    expect(thread.get_by_role("img", name="Lida")).to_be_visible()
    page.get_by_label("Nova nota").fill("Perguntou o horário")
    page.get_by_role("button", name="Adicionar nota").click()
    expect(page.get_by_role("list", name="Notas").get_by_text("Perguntou o horário")).to_be_visible()
    page.get_by_role("button", name="Encerrar").click()
    expect(page.get_by_role("button", name="Reabrir")).to_be_visible()
    shot(page, "inbox-thread-pt-BR")
    assert_accessible(page)


def test_a_phone_shows_one_pane_at_a_time(browser: Browser, runtime: Runtime, demo_api: Api) -> None:
    _, number_id = demo_api.number()
    s = new_session(browser, runtime, viewport={"width": 360, "height": 740})
    try:
        log_in(s, runtime.email, runtime.password)
        page = s.goto("/inbox")
        name = f"Bia {os.getpid()}"
        demo_api.customer_writes(number_id, _phone(), name, "Vocês têm o tamanho M?")
        row = _conversation(page, name)
        expect(row).to_be_visible()
        expect(page.get_by_role("region", name="Conversation")).to_be_hidden()
        _no_horizontal_scroll(page)
        shot(page, "inbox-list-360")
        assert_accessible(page)
        # WHEN a conversation is opened THEN the thread takes the screen, with a way back
        row.click()
        thread = page.get_by_role("log", name="Messages")
        expect(thread.get_by_text("Vocês têm o tamanho M?")).to_be_visible()
        expect(page.get_by_role("heading", name="Inbox")).to_be_hidden()
        _no_horizontal_scroll(page)
        shot(page, "inbox-thread-360")
        assert_accessible(page)
        # the notes are behind the details button
        page.get_by_role("button", name="Show the details and notes").click()
        expect(page.get_by_role("dialog", name="Details")).to_be_visible()
        shot(page, "inbox-details-360")
        page.keyboard.press("Escape")
        page.get_by_role("link", name="Back to the conversations").click()
        expect(page).to_have_url(re.compile(r"/inbox$"))
        expect(row).to_be_visible()
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"


def test_an_agent_takes_and_releases_a_conversation(browser: Browser, runtime: Runtime, demo_api: Api) -> None:
    # GIVEN an agent (who may not list the company's users: no "Assign" to others, only take and release)
    _, number_id = demo_api.number()
    email = f"agente.{os.getpid()}@demo.example.com"
    demo_api.agent(email)
    s = new_session(browser, runtime)
    refused: list[str] = []
    s.page.on("response", lambda r: refused.append(r.url) if r.status == 403 else None)
    try:
        log_in(s, email, PASSWORD)
        page = s.goto("/inbox")
        expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
        name = f"Davi {os.getpid()}"
        demo_api.customer_writes(number_id, _phone(), name, "Preciso de ajuda com meu pedido")
        row = _conversation(page, name)
        row.click()
        expect(page.get_by_role("log", name="Messages").get_by_text("Preciso de ajuda com meu pedido")).to_be_visible()
        expect(page.get_by_role("button", name="Assign")).to_have_count(0)
        # WHEN they take it THEN it is theirs, and the "Me" filter finds it
        page.get_by_role("button", name="Take").click()
        expect(page.get_by_role("button", name="Release")).to_be_visible()
        details = page.get_by_role("complementary", name="Details")
        expect(details.get_by_text("You", exact=True)).to_be_visible()
        page.get_by_role("button", name="More filters").click()
        page.get_by_label("Assignee").select_option(label="Me")
        expect(page).to_have_url(re.compile(r"assignee=me"))
        page.keyboard.press("Escape")
        expect(row).to_be_visible()
        shot(page, "inbox-agent-en")
        assert_accessible(page)
        # WHEN they release it THEN it leaves "Me" and can be taken again
        page.get_by_role("button", name="Release").click()
        expect(page.get_by_role("button", name="Take")).to_be_visible()
        expect(row).to_have_count(0)
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"
    assert not refused, f"the agent was offered what it may not do: {refused}"


def test_a_long_thread_loads_older_messages_as_you_scroll_up(session: Session, runtime: Runtime, demo_api: Api) -> None:
    # GIVEN a customer who wrote 250 messages (the thread comes 100 at a time, newest first)
    _, number_id = demo_api.number()
    phone, name = _phone(), f"Eva {os.getpid()}"
    for n in range(1, 251):
        demo_api.customer_writes(number_id, phone, name, f"Mensagem {n:03d}")
    log_in(session, runtime.email, runtime.password)
    page = session.goto("/inbox")
    _conversation(page, name).click()
    expect(page).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
    thread = page.get_by_role("log", name="Messages")
    conversation_id = page.url.rsplit("/", 1)[-1]
    # (the runtime takes the 250 in one after the other: the thread is opened again once they are all in)
    eventually(lambda: len(demo_api.texts(conversation_id)) >= 250, seconds=120)
    page.reload()
    # (messages of one second have no order of their own: the newest is what the API says it is)
    expect(thread.get_by_text(demo_api.newest_text(conversation_id), exact=True)).to_be_visible(timeout=30_000)
    # THEN only a window of the thread is in the page (virtualized), and the oldest is not loaded yet
    assert thread.get_by_text(re.compile(r"^Mensagem \d{3}$")).count() < 60
    expect(thread.get_by_text("Mensagem 001", exact=True)).to_have_count(0)
    # WHEN they scroll to the top, page after page, and each time the customer writes again while the older page
    # is on its way (held until the new message is in the thread) THEN older messages come in above without
    # moving the view (the list stays off the top), until the start of the conversation, with its oldest message
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(lambda url: "/messages?" in url and "cursor=" in url and f"limit={MESSAGE_PAGE}" in url, hold)
    start = thread.get_by_text("The start of the conversation")
    for n in range(1, 6):
        with page.expect_request(lambda r: "cursor=" in r.url and "/messages?" in r.url):
            thread.evaluate("el => { el.scrollTop = 0; }")
        with page.expect_response(lambda r: "/messages?" in r.url and "cursor=" not in r.url and r.ok):
            demo_api.customer_writes(number_id, phone, name, f"Mais uma {n}")
        assert len(held) == 1, held
        held.pop().continue_()
        page.wait_for_function(
            "el => el.scrollTop > 0 || el.textContent.includes('The start of the conversation')",
            arg=thread.element_handle(),
            timeout=30_000,  # a page of older messages on a busy machine (the rest of the suite runs beside it)
        )
        if start.count():
            break
    page.unroute_all()
    thread.evaluate("el => { el.scrollTop = 0; }")
    expect(start).to_be_in_viewport()
    expect(thread.get_by_text(demo_api.oldest_text(conversation_id), exact=True)).to_be_visible()
    shot(page, "inbox-long-thread-en")
    # AND what the customer wrote meanwhile is all there at the bottom (no older page dropped it)
    thread.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(thread.get_by_text(demo_api.newest_text(conversation_id), exact=True)).to_be_visible(timeout=30_000)


def test_notes_come_a_page_at_a_time_with_older_ones_above(session: Session, runtime: Runtime, demo_api: Api) -> None:
    # GIVEN a conversation with 53 notes, written through the API (the pane asks for 50 at a time, newest first)
    _, number_id = demo_api.number()
    phone, name = _phone(), f"Nina {os.getpid()}"
    demo_api.customer_writes(number_id, phone, name, "Oi")
    log_in(session, runtime.email, runtime.password)
    page = session.goto("/inbox")
    _conversation(page, name).click()
    expect(page).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
    conversation_id = page.url.rsplit("/", 1)[-1]
    for n in range(1, 54):
        note = demo_api.http.post(f"/v1/conversations/{conversation_id}/notes", json={"body": f"Nota {n:02d}"})
        assert note.status_code == 201, note.text
    page.reload()
    notes = page.get_by_role("list", name="Notes")
    # THEN the newest 50 are shown oldest first, as a thread, and "Load older notes" brings the first three above
    expect(notes.get_by_role("listitem")).to_have_count(50)
    expect(notes.get_by_role("listitem").first).to_contain_text("Nota 04")
    expect(notes.get_by_role("listitem").last).to_contain_text("Nota 53")
    page.get_by_role("button", name="Load older notes").scroll_into_view_if_needed()
    shot(page, "inbox-notes-older-en")
    page.get_by_role("button", name="Load older notes").click()
    expect(notes.get_by_role("listitem")).to_have_count(53)
    expect(notes.get_by_role("listitem").first).to_contain_text("Nota 01")
    expect(page.get_by_role("button", name="Load older notes")).to_have_count(0)
    # a new note goes at the bottom
    page.get_by_label("New note").fill("Nota nova")
    page.get_by_role("button", name="Add note").click()
    expect(notes.get_by_role("listitem").last).to_contain_text("Nota nova")
    assert not session.errors, session.errors
