"""SMS in the dashboard: whoever writes a text that goes out as SMS sees, as they type, how it travels (GSM-7 or
UCS-2), in how many segments, and which characters force UCS-2 (an emoji, an accent outside the GSM alphabet)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Session, assert_accessible, shot, sign_up

LONG = "Sua encomenda chegou na loja do centro. Retire ate sexta com documento. " * 2  # 144 GSM-7 characters


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
