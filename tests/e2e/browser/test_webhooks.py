"""Webhooks in the browser: add an endpoint pointing at a local sink, pick event types from the catalogue, see the
secret once, send a test and watch its delivery arrive in the log, replay it, rotate the secret, disable, edit,
delete. The test runtime allows http and loopback addresses (WEBHOOKS_ALLOW_HTTP/PRIVATE)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Session, assert_accessible, shot, sign_up
from tests.sink import sink


def test_add_an_endpoint_test_it_see_the_delivery_and_replay_it(session: Session) -> None:
    # GIVEN a new company's owner on the webhooks screen, which has no endpoint yet
    sign_up(session)
    page = session.page
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=session.base_url)
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No webhook endpoints yet")).to_be_visible()
    shot(page, "webhooks-list-empty-en")
    assert_accessible(page)
    with sink() as receiver:
        # WHEN they add an endpoint with an address the API refuses THEN its reason sits next to the URL field
        page.get_by_role("button", name="Add endpoint").first.click()
        form = page.get_by_role("dialog", name="Add a webhook endpoint")
        form.get_by_label("Endpoint URL").fill("not a url")
        form.get_by_role("checkbox", name="message.received", exact=True).check()
        form.get_by_role("button", name="Add endpoint").click()
        expect(form.get_by_label("Endpoint URL")).to_have_attribute("aria-invalid", "true")
        # AND they pick event types from the catalogue: a whole group, and one type with its schema open
        form.get_by_label("Endpoint URL").fill(receiver.url)
        form.get_by_label("Description (optional)").fill("CRM sync")
        form.get_by_role("checkbox", name="Messages", exact=True).check()
        expect(form.get_by_role("checkbox", name="message.status", exact=True)).to_be_checked()
        form.get_by_role("checkbox", name="contact.created", exact=True).check()
        item = form.get_by_role("listitem").filter(has_text="contact.created")
        item.get_by_text("Schema").click()
        expect(item.locator("pre")).to_be_visible()
        expect(item.locator("pre")).to_contain_text('"contact_id"')
        shot(page, "webhooks-create-en")
        assert_accessible(page)
        form.get_by_role("button", name="Add endpoint").click()
        # THEN the secret is shown once, with a warning and a copy button
        secret = page.get_by_role("dialog", name="Signing secret")
        expect(secret.get_by_text("this secret will not be shown again")).to_be_visible()
        value = secret.get_by_role("textbox", name="Signing secret").input_value()
        assert value.startswith("whsec_")
        secret.get_by_role("button", name=re.compile(r"^Copy\b.*Signing secret")).click()
        assert page.evaluate("navigator.clipboard.readText()") == value
        shot(page, "webhooks-secret-en")
        assert_accessible(page)
        secret.get_by_role("button", name="I have stored it").click()
        # AND the endpoint's page shows it, with an empty delivery log
        expect(page.get_by_role("heading", name="CRM sync")).to_be_visible()
        expect(page.get_by_text("No deliveries yet")).to_be_visible()
        # WHEN they send a test event THEN the delivery arrives at the sink and shows in the log, without a reload
        page.get_by_role("button", name="Send test").click()
        test = page.get_by_role("dialog", name="Send a test event")
        test.get_by_label("Event type").select_option("contact.created")
        test.get_by_role("button", name="Send").click()
        log = page.get_by_role("table", name="Delivery log")
        rows = log.get_by_role("row").filter(has_text="contact.created")
        expect(rows).to_have_count(1, timeout=30_000)
        expect(rows.first).to_contain_text("200")
        expect(rows.first).to_contain_text("Delivered")
        assert len(receiver.received) == 1
        first = receiver.received[0]
        assert first.headers["webhook-signature"].startswith("v1,")
        shot(page, "webhooks-detail-en")
        assert_accessible(page)
        # WHEN they replay it THEN the same message (the same webhook-id) is delivered again
        rows.first.get_by_role("button", name=re.compile("^Replay contact.created")).click()
        expect(page.get_by_text("1 delivery queued")).to_be_visible()
        expect(rows).to_have_count(2, timeout=30_000)
        assert len(receiver.received) == 2
        assert receiver.received[1].headers["webhook-id"] == first.headers["webhook-id"]
        # WHEN they rotate the secret (confirming) THEN a new secret is shown once
        page.get_by_role("button", name="Rotate secret").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Rotate").click()
        rotated = page.get_by_role("dialog", name="Signing secret")
        new_value = rotated.get_by_role("textbox", name="Signing secret").input_value()
        assert new_value.startswith("whsec_") and new_value != value
        rotated.get_by_role("button", name="I have stored it").click()
        expect(page.get_by_text("Deliveries carry both signatures until")).to_be_visible()
        # AND they can disable and enable it again
        switch = page.get_by_role("switch", name="Enabled")
        switch.click()
        expect(page.get_by_text("Endpoint disabled")).to_be_visible()
        expect(switch).not_to_be_checked()
        switch.click()
        expect(switch).to_be_checked()
        # AND edit it
        page.get_by_role("button", name="Edit").click()
        edit = page.get_by_role("dialog", name="Edit the webhook endpoint")
        expect(edit.get_by_role("checkbox", name="contact.created", exact=True)).to_be_checked()
        edit.get_by_label("Description (optional)").fill("CRM sync v2")
        edit.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="CRM sync v2")).to_be_visible()
        # WHEN they delete it (confirming) THEN the list is empty again
        page.get_by_role("button", name="Delete").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(page.get_by_text("No webhook endpoints yet")).to_be_visible()
