"""Users in the browser: an owner invites an agent with the screen and copies the invitation link; the agent opens
it in another browser, sets a password and signs in, and sees only what an agent may. The owner then renames the
agent, changes the role, deactivates them (which signs them out), and reads the audit log."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import PASSWORD, Session, assert_accessible, log_in, new_session, shot, sign_up
from tests.runtime import Runtime


def test_invite_an_agent_who_signs_in_and_sees_only_what_an_agent_may(
    session: Session, browser: Browser, runtime: Runtime
) -> None:
    # GIVEN an owner on the users screen
    owner = sign_up(session)
    page = session.page
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=session.base_url)
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("cell", name=re.compile(owner.name))).to_be_visible()
    shot(page, "users-list-en")
    assert_accessible(page)
    # WHEN they invite an agent
    page.get_by_role("button", name="Invite user").click()
    dialog = page.get_by_role("dialog", name="Invite a user")
    expect(dialog.get_by_label("Role")).to_have_value("agent")
    assert dialog.get_by_label("Role").locator("option").all_inner_texts() == ["Agent", "Admin", "Owner"]
    dialog.get_by_label("Name").fill("Bruno Agent")
    dialog.get_by_label("Email").fill("not-an-email")
    dialog.get_by_role("button", name="Create invitation").click()
    expect(dialog.get_by_label("Email")).to_have_attribute("aria-invalid", "true")  # the API's 422, next to the field
    email = f"bruno.{owner.email}"
    dialog.get_by_label("Email").fill(email)
    page.mouse.move(0, 0)  # no button left in its hover colour for axe
    shot(page, "users-invite-en")
    assert_accessible(page)
    dialog.get_by_role("button", name="Create invitation").click()
    # THEN a copyable invitation link is shown, once
    link_dialog = page.get_by_role("dialog", name="Invitation link")
    expect(link_dialog.get_by_text("the link is shown only once")).to_be_visible()
    link = link_dialog.get_by_role("textbox", name="Invitation link").input_value()
    assert link.startswith(f"{session.base_url}/accept-invite#token=")
    link_dialog.get_by_role("button", name=re.compile(r"^Copy\b")).click()
    assert page.evaluate("navigator.clipboard.readText()") == link
    shot(page, "users-invitation-link-en")
    assert_accessible(page)
    link_dialog.get_by_role("button", name="Done").click()
    agent_row = page.get_by_role("row").filter(has_text="Bruno Agent")
    expect(agent_row).to_contain_text("Invitation pending")

    # WHEN the agent opens the link in another browser and sets a password
    agent = new_session(browser, runtime)
    try:
        agent.page.goto(link)
        agent.page.get_by_label("Password").fill(PASSWORD)
        agent.page.get_by_role("button", name=re.compile("Accept|Join|Create|Set", re.I)).click()
        expect(agent.page.get_by_role("button", name="Account menu")).to_be_visible()
        # THEN they are signed in, and the navigation has no administration screens
        nav = agent.page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
        expect(nav.get_by_role("link", name="Users")).to_have_count(0)
        expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
        # AND the webhooks and settings screens offer no admin action
        nav.get_by_role("link", name="Webhooks").click()
        expect(agent.page.get_by_text("An administrator can add endpoints here.")).to_be_visible()
        expect(agent.page.get_by_role("button", name="Add endpoint")).to_have_count(0)
        with httpx.Client(base_url=runtime.url) as http:  # the owner adds an endpoint meanwhile
            tokens = http.post("/v1/auth/login", json={"email": owner.email, "password": owner.password}).json()
            created = http.post(
                "/v1/webhooks/endpoints", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                json={"url": "http://127.0.0.1:9/hook", "event_types": ["contact.created"], "description": "ERP"},
            )  # fmt: skip
            assert created.status_code == 201, created.text
        agent.page.reload()
        agent.page.get_by_role("link", name="http://127.0.0.1:9/hook").click()
        expect(agent.page.get_by_role("heading", name="ERP")).to_be_visible()
        expect(agent.page.get_by_role("heading", name="Delivery log")).to_be_visible()
        for action in ("Send test", "Replay failed", "Edit", "Rotate secret", "Delete"):
            expect(agent.page.get_by_role("button", name=action, exact=True)).to_have_count(0)
        expect(agent.page.get_by_role("switch")).to_have_count(0)
        shot(agent.page, "webhooks-agent-en")
        assert_accessible(agent.page)
        nav.get_by_role("link", name="Settings", exact=True).click()
        expect(agent.page.get_by_text("Only administrators change these settings")).to_be_visible()
        expect(agent.page.get_by_text("STOP", exact=True)).to_be_visible()
        expect(agent.page.get_by_role("button", name="Save keywords")).to_have_count(0)
        expect(agent.page.get_by_role("button", name="Remove STOP")).to_have_count(0)
        expect(agent.page.get_by_label("Timezone")).to_be_disabled()
        shot(agent.page, "settings-agent-en")
        assert_accessible(agent.page)
        # AND the users screen, opened by its address, says it is for administrators
        agent.goto("/users")
        expect(agent.page.get_by_text("Only administrators see this screen")).to_be_visible()
        shot(agent.page, "users-agent-forbidden-en")

        # WHEN the owner sees the agent active, renames them and makes them an admin
        page.reload()
        agent_row = page.get_by_role("row").filter(has_text="Bruno Agent")
        expect(agent_row).to_contain_text("Active")
        agent_row.get_by_role("button", name="Rename Bruno Agent").click()
        rename = page.get_by_role("dialog", name="Rename the user")
        rename.get_by_label("Name").fill("Bruno Lima")
        rename.get_by_role("button", name="Save").click()
        agent_row = page.get_by_role("row").filter(has_text="Bruno Lima")
        expect(agent_row).to_be_visible()
        agent_row.get_by_label("Role of Bruno Lima").select_option("admin")
        expect(page.get_by_text("Bruno Lima is now Admin")).to_be_visible()
        agent_row.get_by_label("Role of Bruno Lima").select_option("agent")
        expect(page.get_by_text("Bruno Lima is now Agent")).to_be_visible()
        # AND deactivates them, confirming: the agent is signed out
        agent_row.get_by_role("button", name="Deactivate Bruno Lima").click()
        confirm = page.get_by_role("alertdialog", name="Deactivate Bruno Lima?")
        shot(page, "users-deactivate-confirm-en")
        confirm.get_by_role("button", name="Deactivate").click()
        expect(agent_row).to_contain_text("Deactivated")
        agent.page.reload()
        expect(agent.page.get_by_role("heading", name="Sign in")).to_be_visible()
        # AND reactivated, they can sign in again
        agent_row.get_by_role("button", name="Reactivate Bruno Lima").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Reactivate").click()
        expect(agent_row).to_contain_text("Active")
        log_in(agent, email, PASSWORD)
    finally:
        agent.context.close()
    assert not agent.errors, agent.errors


def test_the_audit_log_says_who_did_what_when_and_how_many(session: Session, runtime: Runtime) -> None:
    owner = sign_up(session)
    page = session.page
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_text("Nothing recorded yet")).to_be_visible()
    shot(page, "audit-log-empty-en")
    # GIVEN an export, which is audited
    with httpx.Client(base_url=runtime.url) as http:
        token = http.post("/v1/auth/login", json={"email": owner.email, "password": owner.password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        assert http.get("/v1/contacts/export.csv", headers=headers).status_code == 200
    # WHEN the owner opens the audit log THEN it names them, the action and how many
    page.reload()
    row = page.get_by_role("row").filter(has_text="Exported contacts")
    expect(row).to_contain_text(owner.name)
    expect(row).to_contain_text("contacts.export")
    shot(page, "audit-log-en")
    assert_accessible(page)
