"""SMS in the dashboard: whoever writes a text that goes out as SMS sees, as they type, how it travels (GSM-7 or
UCS-2), in how many segments, and which characters force UCS-2 (an emoji, an accent outside the GSM alphabet)."""

from __future__ import annotations

import os
import random
import re

import httpx
from playwright.sync_api import expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, shot, sign_up
from tests.e2e.browser.test_templates import api_token, post
from tests.runtime import Runtime

DEMO_SMS = "+5511987650000"  # the demo company's SMS sender on the SMS sandbox (masteria dev connects it)

LONG = "Sua encomenda chegou na loja do centro. Retire ate sexta com documento. " * 2  # 144 GSM-7 characters


def _phone() -> str:
    return f"55319{os.getpid() % 10_000:04d}{random.randint(1000, 9999)}"  # +55 31 9…: apart from the other tests


def test_an_sms_reply_in_the_inbox_counts_its_segments_and_is_delivered(session: Session, runtime: Runtime) -> None:
    # GIVEN a customer who wrote to the demo company's SMS number
    phone = _phone()
    wrote = httpx.post(
        f"{runtime.url}/sandbox/sms/numbers/{DEMO_SMS}/inbound", json={"from": phone, "text": "Oi, meu pedido chegou?"}
    )
    assert wrote.status_code in (200, 202), wrote.text
    log_in(session, runtime.email, runtime.password)
    page = session.goto("/inbox")
    conversations = page.get_by_role("list", name="Conversations")
    row = conversations.get_by_role("link", name=re.compile(phone[-8:]))
    expect(row).to_be_visible(timeout=20_000)
    expect(row.get_by_text("SMS", exact=True)).to_be_visible()
    row.click()
    thread = page.get_by_role("log", name="Messages")
    expect(thread.get_by_text("Oi, meu pedido chegou?")).to_be_visible()

    # WHEN the agent writes a plain reply THEN the SMS composer (text only) counts one GSM-7 segment
    expect(page.get_by_role("tab", name="Media")).to_be_hidden()
    box = page.get_by_role("textbox", name="SMS message")
    box.fill("Chegou sim! Pode retirar na loja ate as 18h.")
    expect(box).to_have_accessible_description(re.compile("GSM-7 · 1 segment · 160 per segment"))

    # WHEN an emoji is typed THEN UCS-2, and the emoji is named as what forces it
    box.press_sequentially(" 😊")
    expect(box).to_have_accessible_description(re.compile("UCS-2 · 1 segment · 70 per segment"))
    expect(box).to_have_accessible_description(re.compile("This character sends the SMS as UCS-2"))
    shot(page, "sms-inbox-composer-en")
    assert_accessible(page)

    # WHEN it is sent THEN it goes out as SMS and its delivery reads as WhatsApp's does
    page.get_by_role("button", name="Send", exact=True).click()
    expect(thread.get_by_text("Chegou sim! Pode retirar na loja ate as 18h. 😊")).to_be_visible()
    expect(thread.get_by_role("img", name=re.compile("^Delivered"))).to_be_visible(timeout=20_000)
    # and on a phone's width the composer and its count still fit
    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("textbox", name="SMS message").fill("Obrigado! 🙏")
    expect(page.get_by_role("textbox", name="SMS message")).to_have_accessible_description(re.compile("UCS-2"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "sms-inbox-composer-360-en")


def test_an_sms_campaign_shows_its_text_template_with_segments_and_cost(session_pt: Session, runtime: Runtime) -> None:
    # GIVEN a company with two SMS senders, one at R$ 0,07 a segment, and a local template with an emoji
    owner = sign_up(session_pt)
    auth = api_token(runtime, owner)
    origination = f"+{_phone()}"
    post(runtime, auth, "/v1/connections",
         {"provider": "sms_aws", "name": "SMS Promoções", "origination": origination, "cost_per_segment": "0.07",
          "messages_per_second": 20})  # fmt: skip
    other = {"provider": "sms_aws", "name": "SMS Avisos", "origination": f"+{_phone()}", "messages_per_second": 5}
    post(runtime, auth, "/v1/connections", other)
    text = "Oi {{first_name}}! Semana de ofertas na loja do centro, ate 50% em tudo. 🎉 Responda SAIR para parar."
    post(runtime, auth, "/v1/templates", {"name": "Ofertas da semana", "body": text})
    page = session_pt.goto("/campaigns/new")

    # WHEN the owner picks the SMS sender THEN it is shown as SMS, with its rate and price
    page.get_by_label("Nome da campanha").fill("Ofertas SMS")
    sender = page.get_by_role("radio", name=re.compile("SMS Promoções"))
    choice = page.locator("label", has=sender)
    expect(choice.get_by_text("SMS", exact=True)).to_be_visible()
    expect(choice).to_contain_text("até 20/s")
    expect(choice).to_contain_text("R$ 0,07 por segmento")
    avisos = page.locator("label", has=page.get_by_role("radio", name=re.compile("SMS Avisos")))
    expect(avisos).to_contain_text("até 5/s")
    shot(page, "sms-campaign-number-pt-BR")
    sender.check()
    page.get_by_role("button", name="Avançar").click()

    # THEN the message is a local text template, its SMS counted in UCS-2 segments (the emoji) with the cost
    page.get_by_role("radio", name=re.compile("Ofertas da semana")).check()
    preview = page.get_by_role("figure", name="O SMS")
    expect(preview).to_contain_text("UCS-2 · 2 segmentos · 67 por segmento · ~R$ 0,14")
    expect(preview.get_by_text("Este caractere faz o SMS ir em UCS-2")).to_be_visible()
    shot(page, "sms-campaign-template-pt-BR")
    assert_accessible(page)


def test_a_local_template_counts_its_sms_segments_as_one_types(session: Session) -> None:
    # GIVEN a new company's owner writing a local template
    sign_up(session)
    page = session.page
    page.get_by_role("link", name="Templates").click()
    page.get_by_role("link", name="Local templates").click()
    page.get_by_role("button", name="New local template").first.click()
    form = page.get_by_role("dialog", name="New local template")
    form.get_by_role("textbox", name="Name").fill("Pickup notice")
    text = form.get_by_role("textbox", name="Text")
    counted = form.locator("#local-template-sms")

    # WHEN the text is plain GSM-7 THEN one segment of 160
    text.fill(LONG)
    expect(counted).to_contain_text("GSM-7")
    expect(counted).to_contain_text("1 segment")
    expect(counted).to_contain_text("160 per segment")
    expect(counted).not_to_contain_text("UCS-2")

    # WHEN an emoji is typed THEN the text goes UCS-2 (67 a part), takes 3 segments, and the emoji is named
    text.press_sequentially(" 🚚")
    expect(counted).to_contain_text("UCS-2")
    expect(counted).to_contain_text("3 segments")
    expect(counted).to_contain_text("67 per segment")
    expect(counted.get_by_text("This character sends the SMS as UCS-2, which fits fewer")).to_be_visible()
    expect(counted.locator("kbd", has_text="🚚")).to_be_visible()
    shot(page, "sms-local-template-ucs2-en")
    assert_accessible(page)

    # WHEN the emoji is taken out again THEN back to GSM-7, one segment
    text.fill(LONG)
    expect(counted).to_contain_text("GSM-7")
    expect(counted).to_contain_text("1 segment")


def test_in_portuguese_an_accent_outside_the_gsm_alphabet_is_named(session_pt: Session) -> None:
    # GIVEN a Brazilian owner writing a local template
    sign_up(session_pt)
    page = session_pt.page
    page.get_by_role("link", name="Modelos").click()
    page.get_by_role("link", name="Modelos locais").click()
    page.get_by_role("button", name="Novo modelo local").first.click()
    form = page.get_by_role("dialog", name="Novo modelo local")
    form.get_by_role("textbox", name="Nome").fill("Aviso de retirada")
    text = form.get_by_role("textbox", name="Texto")
    counted = form.locator("#local-template-sms")

    # WHEN the text has only letters of the GSM alphabet (é and à are in it, á and ó are not) THEN GSM-7
    text.fill("Oi! Seu pedido chegou à loja às 10h. Retire até sexta.")
    expect(counted).to_contain_text("GSM-7 · 1 segmento · 160 por segmento")

    # WHEN "ã" and "ç" are typed THEN UCS-2, and both are named
    text.press_sequentially(" Não esqueça!")
    expect(counted).to_contain_text("UCS-2 · 1 segmento · 70 por segmento")
    expect(counted.get_by_text("Estes caracteres fazem o SMS ir em UCS-2")).to_be_visible()
    expect(counted.locator("kbd", has_text="ã")).to_be_visible()
    expect(counted.locator("kbd", has_text="ç")).to_be_visible()
    shot(page, "sms-local-template-ucs2-pt-BR")
    assert_accessible(page)
