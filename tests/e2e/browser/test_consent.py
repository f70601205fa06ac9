"""Consent history in the contact panel, with the demo company: a user opts a contact out with a reason and
back in, and sees both changes in the channel's history, newest first, with who made them (in English and in
Portuguese); a stop keyword the customer sends from the sandbox shows there as the contact's own change."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, expect

from functions.local.sandbox.demo import NUMBER_ID
from tests.e2e.browser.conftest import assert_accessible, log_in, new_session, shot
from tests.runtime import Runtime

WORDS = {
    "en": {
        "form": "Change WhatsApp consent",
        "record": "Record for WhatsApp",
        "opt_out": "Opt out",
        "reason": "Reason",
        "source": "Source",
        "submit": "Record WhatsApp consent",
        "saved": "WhatsApp consent recorded",
        "history": "WhatsApp consent history",
        "opted_in": "Opted in",
        "opted_out": "Opted out",
        "by": "by {}",
        "keyword": "by the contact, replying with a keyword",
        "wrote": "Wrote “{}”",
        "said_reason": "Reason: {}",
        "said_source": "Source: {}",
        "more": "Load more",
    },
    "pt-BR": {
        "form": "Alterar consentimento no WhatsApp",
        "record": "Registrar no WhatsApp",
        "opt_out": "Descadastrar",
        "reason": "Motivo",
        "source": "Origem",
        "submit": "Registrar consentimento no WhatsApp",
        "saved": "Consentimento no WhatsApp registrado",
        "history": "Histórico de consentimento no WhatsApp",
        "opted_in": "Autorizou",
        "opted_out": "Descadastrou-se",
        "by": "por {}",
        "keyword": "pelo próprio contato, respondendo com uma palavra-chave",
        "wrote": "Escreveu “{}”",
        "said_reason": "Motivo: {}",
        "said_source": "Origem: {}",
        "more": "Carregar mais",
    },
}


def _api(runtime: Runtime) -> httpx.Client:
    """The demo owner's API, for setup (a contact, the company's keywords), as the README's curl does."""
    login = httpx.post(
        f"{runtime.url}/v1/auth/login", json={"email": runtime.email, "password": runtime.password}, timeout=60
    )
    login.raise_for_status()
    token = login.json()["access_token"]
    return httpx.Client(base_url=runtime.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _phone(n: int) -> str:
    return f"55219{os.getpid() % 10_000:04d}{n:04d}"  # area code 21: no other browser test writes from these


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_a_user_opts_a_contact_out_and_back_in_and_sees_both_in_the_history(
    browser: Browser, runtime: Runtime, locale: str
) -> None:
    w = WORDS[locale]
    with _api(runtime) as api:
        me: dict[str, Any] = api.get("/v1/me").json()["user"]
        created = api.post(
            "/v1/contacts", json={"phone": f"+{_phone(1 if locale == 'en' else 2)}", "name": f"Consent {locale}"}
        )
        assert created.status_code == 201, created.text
        contact = created.json()
        for status in ("opted_out", "opted_in", "opted_out", "opted_in"):  # earlier changes, through the API
            changed = api.put(f"/v1/contacts/{contact['id']}/consent/whatsapp", json={"status": status})
            assert changed.status_code == 200, changed.text
    s = new_session(browser, runtime, locale=locale)
    try:
        # GIVEN the demo owner, signed in, on a contact opted in to WhatsApp after four earlier changes
        log_in(s, runtime.email, runtime.password)
        page = s.goto(f"/contacts/{contact['id']}")
        panel = page.get_by_role("dialog", name=contact["name"])
        whatsapp = panel.get_by_role("form", name=w["form"])
        expect(whatsapp).to_be_visible()

        # WHEN they opt the contact out of WhatsApp with a reason
        whatsapp.get_by_label(w["record"]).select_option(label=w["opt_out"])
        whatsapp.get_by_label(w["reason"]).fill("asked on the phone")
        whatsapp.get_by_role("button", name=w["submit"]).click()
        expect(page.get_by_text(w["saved"])).to_be_visible()
        history = panel.get_by_role("list", name=w["history"])
        entries = history.get_by_role("listitem")
        # THEN the history shows it at once, first (after the change, without a reload; five at a time)
        expect(entries.nth(0)).to_contain_text(w["said_reason"].format("asked on the phone"))
        expect(entries).to_have_count(5)
        expect(entries.nth(0)).to_contain_text(w["opted_out"])

        # WHEN they opt the contact back in, saying where
        expect(whatsapp.get_by_label(w["source"])).to_be_visible()  # the form offers the opposite next
        whatsapp.get_by_label(w["source"]).fill("call centre")
        whatsapp.get_by_role("button", name=w["submit"]).click()
        # THEN both are there, newest first, each by the owner and with its date; the oldest behind "load more"
        expect(entries.nth(0)).to_contain_text(w["said_source"].format("call centre"))
        expect(entries).to_have_count(5)
        _expect_entry(entries.nth(0), w["opted_in"], w["by"].format(me["name"]), w["said_source"].format("call centre"))
        _expect_entry(
            entries.nth(1), w["opted_out"], w["by"].format(me["name"]), w["said_reason"].format("asked on the phone")
        )
        more = panel.get_by_role("button", name=w["more"])
        more.click()
        expect(entries).to_have_count(6)
        expect(more).to_be_hidden()
        entries.nth(0).scroll_into_view_if_needed()
        shot(page, f"contacts-consent-history-{locale}")
        assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"


def _expect_entry(entry: Locator, what: str, who: str, detail: str) -> None:
    expect(entry).to_contain_text(what)
    expect(entry).to_contain_text(who)
    expect(entry).to_contain_text(detail)
    expect(entry.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))


def test_a_stop_keyword_from_the_customer_shows_as_the_contacts_own_change(browser: Browser, runtime: Runtime) -> None:
    w = WORDS["pt-BR"]
    phone = _phone(3)
    with _api(runtime) as api:
        keyword = api.get("/v1/contacts/settings").json()["stop_keywords"][0]
        # GIVEN a customer writes the demo company's first stop keyword to its sandbox number
        sent = api.post(f"/sandbox/numbers/{NUMBER_ID}/inbound", json={"from": phone, "name": "Rita", "text": keyword})
        assert sent.status_code < 300, sent.text
        contact_id = _wait_for_contact(api, phone)
    s = new_session(browser, runtime, locale="pt-BR", viewport={"width": 360, "height": 800})
    try:
        # WHEN the owner opens the contact, in Portuguese on a phone
        log_in(s, runtime.email, runtime.password)
        page = s.goto(f"/contacts/{contact_id}")
        panel = page.get_by_role("dialog", name="Rita")
        # THEN WhatsApp says opted out, and its history has the customer's own change, with what they wrote
        entries = panel.get_by_role("list", name=w["history"]).get_by_role("listitem")
        expect(entries).to_have_count(1)
        _expect_entry(entries.nth(0), w["opted_out"], w["keyword"], w["wrote"].format(keyword))
        expect(panel.get_by_text("Descadastrado", exact=True)).to_be_visible()  # the WhatsApp badge
        entries.nth(0).scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        assert panel.evaluate("panel => panel.scrollWidth <= panel.clientWidth")  # nor inside the panel
        shot(page, "contacts-consent-keyword-pt-BR")
        assert_accessible(page)
    finally:
        s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"


def _wait_for_contact(api: httpx.Client, phone: str) -> str:
    """The inbound processor runs from a queue: the customer's contact appears within seconds."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = api.get("/v1/contacts", params={"q": phone}).json()["items"]
        consents = items[0]["consents"] if items else []
        if consents and consents[0]["status"] == "opted_out":
            contact_id: str = items[0]["id"]
            return contact_id
        time.sleep(0.5)
    raise AssertionError(f"no opted-out contact for {phone} after 30 s")
