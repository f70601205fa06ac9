"""The dashboard's shell: sign up, stay signed in across a reload, sign out everywhere, both languages,
a phone-sized screen, the offline state, and the security headers a browser relies on."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Session, assert_accessible, log_in, new_session, shot, sign_up
from tests.runtime import Runtime


def test_sign_up_reload_and_sign_out(session: Session) -> None:
    # GIVEN a new visitor WHEN they sign up
    owner = sign_up(session)
    page = session.page
    shot(page, "home-en")
    assert_accessible(page)
    # THEN the refresh token is an HttpOnly cookie scoped to the auth routes, invisible to script
    cookies = {c["name"]: c for c in session.context.cookies()}
    refresh = cookies["masteria_refresh"]
    assert refresh["httpOnly"] and refresh["secure"] and refresh["sameSite"] == "Strict"
    assert refresh["path"].startswith("/v1/auth")
    assert "masteria_refresh" not in page.evaluate("document.cookie")
    # WHEN they reload THEN they are still signed in
    page.reload()
    expect(page.get_by_role("button", name="Account menu")).to_be_visible()
    # WHEN they sign out THEN the login screen shows and a reload stays signed out
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    log_in(session, owner.email, owner.password)


def test_signing_out_in_one_tab_signs_out_the_others(session: Session) -> None:
    sign_up(session)
    other = session.context.new_page()
    other.goto(session.base_url + "/")
    expect(other.get_by_role("button", name="Account menu")).to_be_visible()
    session.page.get_by_role("button", name="Account menu").click()
    session.page.get_by_role("menuitem", name="Sign out").click()
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_reused_refresh_cookie_signs_out_every_tab(browser: Browser, runtime: Runtime) -> None:
    s = new_session(browser, runtime)
    try:
        sign_up(s)
        stolen = [c for c in s.context.cookies() if c["name"] == "masteria_refresh"]
        # the tab rotates its refresh cookie (a reload signs in again with it)
        s.page.reload()
        expect(s.page.get_by_role("button", name="Account menu")).to_be_visible()
        # WHEN the old cookie is used again (a thief replaying it) THEN the whole sign-in is revoked
        with httpx.Client(base_url=runtime.url) as http:
            reused = http.post(
                "/v1/auth/refresh", headers={"Origin": runtime.url, "X-Refresh-Cookie": "1"},
                cookies={"masteria_refresh": stolen[0]["value"]},
            )  # fmt: skip
        assert reused.status_code == 401
        s.page.reload()
        expect(s.page.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        s.context.close()


def test_portuguese_and_the_language_switch(session_pt: Session) -> None:
    sign_up(session_pt)
    page = session_pt.page
    nav = page.get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("link", name="Caixa de entrada", exact=True)).to_be_visible()
    shot(page, "home-pt-BR")
    page.get_by_role("button", name="Menu da conta").click()
    page.get_by_role("menuitemradio", name="English").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"


def test_a_phone_sized_screen_has_the_menu_behind_a_button(browser: Browser, runtime: Runtime) -> None:
    s = new_session(browser, runtime, viewport={"width": 360, "height": 740})
    try:
        sign_up(s)
        page = s.page
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        page.get_by_role("button", name="Open the menu").click()
        page.get_by_role("dialog").get_by_role("link", name="Inbox", exact=True).click()
        expect(page.get_by_role("dialog")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "mobile-360-menu")
    finally:
        s.context.close()


def test_offline_shows_a_clear_state(session: Session) -> None:
    sign_up(session)
    session.context.set_offline(True)
    expect(session.page.get_by_role("alert").filter(has_text="You are offline")).to_be_visible()
    shot(session.page, "offline")
    session.context.set_offline(False)
    expect(session.page.get_by_role("alert").filter(has_text="You are offline")).to_be_hidden()


def test_the_app_opens_offline_from_its_service_worker_and_signs_back_in_online(session: Session) -> None:
    sign_up(session)
    page = session.page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    session.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("alert").filter(has_text="opens once the connection is back")).to_be_visible()
    shot(page, "offline-start")
    session.context.set_offline(False)
    expect(page.get_by_role("button", name="Account menu")).to_be_visible(timeout=15_000)


def test_the_app_is_served_with_a_strict_content_security_policy(runtime: Runtime) -> None:
    with httpx.Client(base_url=runtime.url) as http:
        for path in ("/", "/inbox/some-conversation"):
            page = http.get(path, headers={"Accept": "text/html"})
            assert page.status_code == 200 and '<div id="root">' in page.text
            csp = page.headers["content-security-policy"]
            script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
            assert "'self'" in script and "unsafe-inline" not in script
        manifest = http.get("/manifest.webmanifest")
        assert manifest.status_code == 200 and manifest.json()["icons"]
        assert http.get("/sw.js").status_code == 200
