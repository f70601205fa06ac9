"""What Meta says about a conversation's messages, posted by the sandbox as Meta's webhooks (the demo company's
sandbox number) and seen live in the open thread: an edited message with its mark, a deleted one, a reaction
under our reply, a message of a kind WhatsApp does not support, and calls (missed, answered with their
duration) as rows of their own; in English, then in Portuguese."""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, shot
from tests.e2e.browser.test_inbox import NUMBER_ID, Api
from tests.e2e.waits import eventually
from tests.meta_webhooks import call, edit, message, reaction, revoke
from tests.runtime import Runtime

LIVE = 30_000  # ms
_phones = itertools.count(1)


def _phone() -> str:
    return f"55319{os.getpid() % 10000:04d}{7000 + next(_phones):04d}"  # +55 31 9…: no other test's numbers


class KindsApi(Api):
    def writes(self, phone: str, name: str, text: str) -> str:
        """The customer writes on the sandbox; the wamid Meta gave the message."""
        sent = self.http.post(f"/sandbox/numbers/{NUMBER_ID}/inbound", json={"from": phone, "name": name, "text": text})
        assert sent.status_code == 200 and sent.json()["webhook_status"] == 200, sent.text
        return str(sent.json()["wamid"])

    def meta_posts(self, field: str, value: dict[str, Any]) -> None:
        posted = self.http.post(f"/sandbox/numbers/{NUMBER_ID}/changes", json={"field": field, "value": value})
        assert posted.status_code == 200 and posted.json()["webhook_status"] == 200, posted.text

    def messages(self, phone: str, *items: dict[str, Any]) -> None:
        self.meta_posts("messages", {"contacts": [{"profile": {"name": "x"}, "wa_id": phone}], "messages": list(items)})

    def thread(self, name: str) -> list[dict[str, Any]]:
        found = self.http.get("/v1/conversations", params={"limit": 50}).raise_for_status().json()["items"]
        conversation = next(c for c in found if c["contact"]["name"] == name)
        page = self.http.get(f"/v1/conversations/{conversation['id']}/messages", params={"limit": 50})
        items: list[dict[str, Any]] = page.raise_for_status().json()["items"]
        return items


@pytest.fixture
def kinds_api(runtime: Runtime) -> Iterator[KindsApi]:
    api = KindsApi(runtime)
    yield api
    api.close()


def _open(page: Page, name: str) -> None:
    conversations = page.get_by_role("list", name=re.compile("^(Conversations|Conversas)$"))
    conversations.get_by_role("link", name=re.compile(name)).click()
    expect(page).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}"))


def test_edits_deletions_reactions_unsupported_messages_and_calls_show_live(
    session: Session, runtime: Runtime, kinds_api: KindsApi
) -> None:
    api = kinds_api
    phone, name = _phone(), f"Renata {os.getpid()}"
    first = api.writes(phone, name, "Quero 2 pizzas")
    wrong = api.writes(phone, name, "Mensagem para outra pessoa")
    # GIVEN the owner with the conversation open, having replied
    log_in(session, runtime.email, runtime.password)
    page = session.goto("/inbox")
    _open(page, name)
    thread = page.get_by_role("log", name="Messages")
    expect(thread.get_by_text("Quero 2 pizzas")).to_be_visible()
    page.get_by_label("Message", exact=True).fill("Anotado!")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(thread.get_by_text("Anotado!")).to_be_visible()
    ours = eventually(lambda: next((m for m in api.thread(name) if m["direction"] == "out"), None))
    now = int(time.time())
    # WHEN the customer edits their first message, deletes the second and reacts to our reply
    api.messages(phone, edit(phone, f"wamid.e{now}", now, first, kind="text", body={"body": "Quero 3 pizzas"}))
    api.messages(phone, revoke(phone, f"wamid.r{now}", now, wrong))
    api.messages(phone, reaction(phone, f"wamid.x{now}", now, ours["wamid"], "❤️"))
    # THEN the thread shows each on its message, without a reload
    expect(thread.get_by_text("Quero 3 pizzas")).to_be_visible(timeout=LIVE)
    expect(thread.get_by_text("Quero 2 pizzas")).to_have_count(0)
    expect(thread.locator("[data-edited]")).to_have_text("edited")
    expect(thread.get_by_text("This message was deleted")).to_be_visible(timeout=LIVE)
    expect(thread.get_by_text("Mensagem para outra pessoa")).to_have_count(0)
    reactions = thread.get_by_role("list", name="Reactions")
    expect(reactions.get_by_role("img", name="Reaction ❤️")).to_be_visible(timeout=LIVE)
    # WHEN they send a kind WhatsApp does not support, then call: once missed, once answered for 95 seconds
    unknown = {"code": 131051, "title": "Message type unknown", "error_data": {"details": "Not supported."}}
    unsupported = {"from": phone, "id": f"wamid.u{now}", "timestamp": str(now + 1), "type": "unsupported"}
    api.messages(phone, {**unsupported, "errors": [unknown]})
    ago = now - 200  # Meta tells of a call as it ends: the calls were made a few minutes ago
    calls = [
        call(phone, f"wacid.m{now}", ago, "terminate", status="FAILED"),
        call(phone, f"wacid.a{now}", ago + 10, "connect"),
        call(
            phone,
            f"wacid.a{now}",
            ago + 110,
            "terminate",
            status="COMPLETED",
            start_time=str(ago + 15),
            end_time=str(ago + 110),
            duration=95,
        ),
    ]
    api.meta_posts("calls", {"contacts": [{"profile": {"name": name}, "wa_id": phone}], "calls": calls})
    # THEN each is a row of its own
    expect(thread.get_by_text(re.compile("WhatsApp does not support yet"))).to_be_visible(timeout=LIVE)
    expect(thread.get_by_text("Missed call")).to_be_visible(timeout=LIVE)
    expect(thread.get_by_text("Call answered · 1:35")).to_be_visible(timeout=LIVE)
    # and none of the edit, deletion and reaction is a message of its own
    assert sorted(m["type"] for m in api.thread(name)) == ["call", "call", "text", "text", "text", "unsupported"]
    shot(page, "inbox-kinds-en")
    assert_accessible(page)


def test_in_portuguese(session_pt: Session, runtime: Runtime, kinds_api: KindsApi) -> None:
    api = kinds_api
    phone, name = _phone(), f"Tiago {os.getpid()}"
    first = api.writes(phone, name, "Bom dia, tem mesa para 4?")
    log_in(session_pt, runtime.email, runtime.password)
    page = session_pt.goto("/inbox")
    _open(page, name)
    thread = page.get_by_role("log", name="Mensagens")
    expect(thread.get_by_text("Bom dia, tem mesa para 4?")).to_be_visible()
    now = int(time.time())
    api.messages(
        phone, edit(phone, f"wamid.e{now}", now, first, kind="text", body={"body": "Bom dia, tem mesa para 6?"})
    )
    api.messages(phone, message(phone, f"wamid.p{now}", now + 1, "text", {"body": "Vou ligar"}))
    api.meta_posts("calls", {"calls": [call(phone, f"wacid.m{now}", now, "terminate", status="FAILED")]})
    later = api.writes(phone, name, "Esquece")
    api.messages(phone, revoke(phone, f"wamid.r{now}", now + 9, later))
    expect(thread.get_by_text("Bom dia, tem mesa para 6?")).to_be_visible(timeout=LIVE)
    expect(thread.locator("[data-edited]")).to_have_text("editada")
    expect(thread.get_by_text("Chamada perdida")).to_be_visible(timeout=LIVE)
    expect(thread.get_by_text("Esta mensagem foi apagada")).to_be_visible(timeout=LIVE)
    shot(page, "inbox-kinds-pt-BR")
    assert_accessible(page)
