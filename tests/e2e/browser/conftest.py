"""Browser tests: the dashboard in Debian's Chromium (``/usr/bin/chromium``, never a browser Playwright
downloads), driven by Playwright against a real ``masteria dev`` (embedded PostgreSQL, the WhatsApp sandbox).

Screenshots of every screen go to ``.artifacts/screenshots`` (``shot``); ``axe`` runs axe-core on the page.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, WebSocket, expect, sync_playwright

from tests.runtime import Runtime, data_dir, dev_runtime

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
LOOK = Path(tempfile.gettempdir()) / "shots"  # copies to look at while working on a screen
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
# Chromium's background services reach for Google's hosts, which this machine cannot reach.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
_counter = itertools.count(1)


# Package-scoped: Playwright's sync API keeps an event loop running in this thread until it stops, and the
# tests after this package (Mangum's handler among them) need the thread's loop free.
@pytest.fixture(scope="package")
def runtime() -> Iterator[Runtime]:
    dist = Path(os.environ.get("WEB_DIST_DIR", ROOT / "web" / "dist"))
    assert (dist / "index.html").exists(), f"the dashboard is not built in {dist}: run `make web`"
    with data_dir("browser") as data, dev_runtime(data) as running:
        yield running


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (make test does)"
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield browser
    browser.close()


@dataclass
class Session:
    """One browser context (its own cookies) on the runtime, in one language."""

    context: BrowserContext
    page: Page
    base_url: str
    locale: str
    errors: list[str]
    sockets: list[str]  # the page's WebSockets as they opened, failed and closed (shown when a test fails)

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page


def new_session(
    browser: Browser,
    runtime: Runtime,
    locale: str = "en",
    viewport: dict[str, int] | None = None,
    timezone_id: str | None = None,
) -> Session:
    """A browser context in ``locale`` (and the user's clock in ``timezone_id``, else the machine's)."""
    context = browser.new_context(
        base_url=runtime.url,
        locale=locale,
        viewport=viewport or {"width": 1280, "height": 800},  # type: ignore[arg-type]
        timezone_id=timezone_id,
    )
    context.set_default_timeout(15_000)
    # axe-core rides in every page as an init script (the debugger protocol's, so the page's CSP stays on)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None,
    )
    sockets: list[str] = []
    started = time.monotonic()

    def note(what: str) -> None:
        sockets.append(f"{time.monotonic() - started:7.1f} s  {what}")

    def follow(socket: WebSocket) -> None:
        note(f"opening {socket.url}")
        socket.on("framereceived", lambda _: note("first frame") if not sockets[-1].endswith("frame") else None)
        socket.on("socketerror", lambda error: note(f"error: {error}"))
        socket.on("close", lambda _: note("closed"))

    page.on("websocket", follow)
    return Session(context, page, runtime.url, locale, errors, sockets)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """A failed test's report shows what the runtime printed last and what the page's sockets did."""
    report: pytest.TestReport = yield
    if report.failed and call.when == "call":
        funcargs = getattr(item, "funcargs", {})
        running = funcargs.get("runtime")
        if isinstance(running, Runtime):
            report.sections.append(("the runtime's last lines", "".join(line[:400] for line in running.lines[-60:])))
        for name, value in funcargs.items():
            if isinstance(value, Session) and value.sockets:
                report.sections.append((f"{name}'s sockets", "\n".join(value.sockets[-40:])))
    return report


@pytest.fixture
def session(browser: Browser, runtime: Runtime) -> Iterator[Session]:
    s = new_session(browser, runtime)
    yield s
    s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"


@pytest.fixture
def session_pt(browser: Browser, runtime: Runtime) -> Iterator[Session]:
    s = new_session(browser, runtime, locale="pt-BR")
    yield s
    s.context.close()
    assert not s.errors, f"errors in the page: {s.errors}"


@dataclass
class Owner:
    company: str
    name: str
    email: str
    password: str = PASSWORD


def fresh_owner() -> Owner:
    n = next(_counter)
    pid = os.getpid()
    return Owner(company=f"Browser Co {pid}-{n}", name=f"Owner {n}", email=f"owner{n}.{pid}@browser.example.com")


def sign_up(s: Session, owner: Owner | None = None) -> Owner:
    """Sign up through the screen (English or Portuguese labels) and wait for the home screen."""
    owner = owner or fresh_owner()
    page = s.goto("/signup")
    pt = s.locale.startswith("pt")
    page.get_by_label("Nome da empresa" if pt else "Company name").fill(owner.company)
    page.get_by_label("Seu nome" if pt else "Your name").fill(owner.name)
    page.get_by_label("E-mail" if pt else "Email").fill(owner.email)
    page.get_by_label("Senha" if pt else "Password").fill(owner.password)
    page.get_by_role("button", name="Criar conta" if pt else "Create account").click()
    expect(page.get_by_role("button", name="Menu da conta" if pt else "Account menu")).to_be_visible()
    return owner


def log_in(s: Session, email: str, password: str) -> None:
    page = s.goto("/login")
    pt = s.locale.startswith("pt")
    page.get_by_label("E-mail" if pt else "Email").fill(email)
    page.get_by_label("Senha" if pt else "Password").fill(password)
    page.get_by_role("button", name="Entrar" if pt else "Sign in").click()
    expect(page.get_by_role("button", name="Menu da conta" if pt else "Account menu")).to_be_visible()


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot as a test artifact: ``.artifacts/screenshots/<name>.png``."""
    settled(page)  # a bar or a dialog caught mid-transition would show what is not there
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pane_shot(page: Page, name: str) -> Path:
    """The screen whole, when the shell scrolls inside its main pane (a full-page shot would show only the window):
    the window grows to the pane's content for the shot. Also copied to /tmp/shots to look at."""
    settled(page)
    viewport = page.viewport_size or {"width": 1280, "height": 800}
    height = page.evaluate("() => document.querySelector('#main')?.scrollHeight ?? 0")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(int(height) + 80, 4000))})
    path = shot(page, name)
    page.set_viewport_size(viewport)
    LOOK.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, LOOK / path.name)
    return path


def no_sideways_scroll(page: Page) -> None:
    """Neither the window nor the shell's main pane scrolls sideways."""
    assert page.evaluate(
        "() => { const m = document.querySelector('main'); return m.scrollWidth <= m.clientWidth + 1"
        " && document.documentElement.scrollWidth <= window.innerWidth }"
    ), "the page scrolls sideways"


def axe(page: Page, *, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    result = page.evaluate(
        f"async () => (await axe.run({context}, {{resultTypes: ['violations']}})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return list(result)


def settled(page: Page) -> None:
    """Wait until the finite animations and transitions (a toast fading in, a dialog opening) have ended:
    half-faded text has no contrast to judge. Endless ones (a skeleton's pulse) do not count."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getComputedTiming().iterations === Infinity)"
    )


def no_toasts(page: Page) -> None:
    """Every toast closed by its close button (their timers pause while the page holds them expanded): at the top
    right they lie over the header's account menu."""
    page.mouse.move(1, (page.viewport_size or {"height": 600})["height"] - 1)
    open_toasts = page.locator("[data-sonner-toast][data-removed='false']")
    for _ in range(20):
        if not open_toasts.count():
            break
        open_toasts.first.locator("[data-close-button]").click()
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)


def assert_accessible(page: Page) -> None:
    settled(page)
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)
