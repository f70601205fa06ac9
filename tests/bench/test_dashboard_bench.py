"""The dashboard's figures (issue 14): the initial JavaScript a first visit downloads (gzipped), and, in
headless Chromium against ``masteria dev``, the time from navigation to the first rendered rows of the inbox
with 10,000 conversations, of a thread of 2,000 messages, and of the contacts table at 100,000 contacts.

Two navigations are timed for each screen: *in the app* (a click in the sidebar, the usual way a user moves;
the goal) and *a cold load* of the screen's URL (a new tab: the HTML, every script, the sign-in refresh, then
the data). The rows are seeded in SQL, as the superuser of the runtime's embedded PostgreSQL."""

from __future__ import annotations

import gzip
import os
import re
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pg8000.native
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from masteria.adapters.local import embedded_pg
from tests.bench.results import machine_busy_seconds, report
from tests.runtime import Runtime, data_dir, dev_runtime

ROOT = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("WEB_DIST_DIR", ROOT / "web" / "dist"))
CONVERSATIONS = 10_000
THREAD = 2_000
CONTACTS = 100_000
RUNS = 5
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip


def initial_javascript(dist: Path) -> tuple[int, list[str]]:
    """Gzipped bytes of the scripts index.html loads before the first screen: its module scripts and
    their modulepreloads (lazy screens are not counted: they load when opened)."""
    html = (dist / "index.html").read_text()
    sources = re.findall(r'<script[^>]+src="([^"]+\.js)"', html) + re.findall(
        r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"', html
    )
    total = sum(len(gzip.compress((dist / s.lstrip("/")).read_bytes(), compresslevel=9)) for s in sources)
    return total, sources


@pytest.mark.bench
def test_initial_javascript_size() -> None:
    assert (DIST / "index.html").exists(), f"the dashboard is not built in {DIST}: run `make web`"
    total, sources = initial_javascript(DIST)
    print(f"\ninitial scripts: {', '.join(sources)}")
    report("dashboard_initial_js_gzip_kb", total / 1024, "KB", "<= 200")


def _seed(data_dir: Path, email: str) -> None:
    """100,000 contacts for the demo company, 10,000 of them with a conversation on its number, and one
    conversation of 2,000 messages, the most recent."""
    pg = embedded_pg.start(data_dir, stop_on_exit=False)
    db = pg8000.native.Connection("postgres", unix_sock=pg.socket, database="masteria")
    try:
        (company, connection), = db.run(
            "SELECT u.company_id, c.id FROM users u JOIN channel_connections c ON c.company_id = u.company_id"
            " WHERE u.email = :e LIMIT 1", e=email,
        )  # fmt: skip
        db.run(
            "INSERT INTO contacts (id, company_id, phone, name, created_at, updated_at)"
            " SELECT gen_random_uuid(), :c, '+5511' || lpad((900000000 + n)::text, 9, '0'),"
            " 'Cliente ' || lpad(n::text, 6, '0'), now() - n * interval '1 second', now()"
            " FROM generate_series(1, :n) n",
            c=company, n=CONTACTS,
        )  # fmt: skip
        db.run(
            "INSERT INTO conversations (id, company_id, connection_id, contact_id, status, last_message_at,"
            " last_inbound_at, window_expires_at, unread_count, created_at, updated_at)"
            " SELECT gen_random_uuid(), :c, :k, id, 'open', now() - (row_number() OVER ()) * interval '1 minute',"
            " now() - interval '1 hour', now() + interval '20 hours', 1, now(), now()"
            " FROM (SELECT id FROM contacts WHERE company_id = :c ORDER BY created_at DESC LIMIT :n) picked",
            c=company, k=connection, n=CONVERSATIONS,
        )  # fmt: skip
        (conversation, contact), = db.run(
            "UPDATE conversations SET last_message_at = now() WHERE id = (SELECT id FROM conversations"
            " WHERE company_id = :c ORDER BY last_message_at DESC LIMIT 1) RETURNING id, contact_id", c=company,
        )  # fmt: skip
        db.run(
            "INSERT INTO messages (id, company_id, connection_id, conversation_id, contact_id, direction, wamid,"
            " type, text, status, sent_at, created_at)"
            " SELECT gen_random_uuid(), :c, :k, :v, :ct, CASE WHEN n % 2 = 0 THEN 'in' ELSE 'out' END,"
            " 'wamid.bench.' || n, 'text', 'mensagem ' || lpad(n::text, 4, '0'), 'read',"
            " now() - (:t - n) * interval '1 second', now() FROM generate_series(1, :t) n",
            c=company, k=connection, v=conversation, ct=contact, t=THREAD,
        )  # fmt: skip
        db.run("ANALYZE")
    finally:
        db.close()


@pytest.fixture(scope="module")
def seeded() -> Iterator[Runtime]:
    with data_dir("bench-dashboard") as data, dev_runtime(data) as runtime:
        _seed(data, runtime.email)
        yield runtime


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        yield browser
        browser.close()


def _signed_in(browser: Browser, runtime: Runtime) -> Page:
    page = browser.new_context(base_url=runtime.url, viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(runtime.email)
    page.get_by_label("Password").fill(runtime.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu")).to_be_visible(timeout=30_000)
    return page


def _median_ms(runs: list[float]) -> float:
    return statistics.median(runs) * 1000


def _time(navigate: Callable[[], None], first_row: Callable[[], None], reset: Callable[[], None]) -> float:
    reset()
    started = time.perf_counter()
    navigate()
    first_row()
    return time.perf_counter() - started


def _screen(browser: Browser, runtime: Runtime, *, name: str, path: str, link: str, row: str) -> None:
    page = _signed_in(browser, runtime)
    home = lambda: (page.goto("/"), expect(page.get_by_role("link", name="Home")).to_be_visible())  # noqa: E731
    seen = lambda: expect(page.get_by_text(re.compile(row)).first).to_be_visible(timeout=30_000)  # noqa: E731
    click = lambda: page.get_by_role("link", name=link, exact=True).click()  # noqa: E731
    _time(click, seen, home)  # warm: the screen's chunk and the database's caches
    busy, began = machine_busy_seconds(), time.perf_counter()
    in_app = [_time(click, seen, home) for _ in range(RUNS)]
    cold = [_time(lambda: page.goto(path), seen, lambda: page.goto("about:blank")) for _ in range(RUNS)]
    report(f"dashboard_{name}_first_rows_in_app_ms", _median_ms(in_app), "ms", "<= 500")
    report(f"dashboard_{name}_first_rows_cold_load_ms", _median_ms(cold), "ms", "")
    cores = (machine_busy_seconds() - busy) / (time.perf_counter() - began)
    report(f"dashboard_{name}_machine_busy_cores", cores, "cores", "")
    page.context.close()


@pytest.mark.bench
def test_inbox_first_rows_with_10000_conversations(seeded: Runtime, browser: Browser) -> None:
    with httpx.Client(base_url=seeded.url) as http:
        tokens = http.post("/v1/auth/login", json={"email": seeded.email, "password": seeded.password}).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        first = http.get("/v1/conversations", headers=auth, params={"limit": 1}).json()["items"][0]
    _screen(browser, seeded, name="inbox_10k", path="/inbox", link="Inbox", row=r"Cliente \d{6}")
    # the thread of 2,000 messages (the most recent conversation): its newest message, opened from the list
    # (in the app) and from its URL (a cold load)
    page = _signed_in(browser, seeded)
    name = first["contact"]["name"]
    newest = lambda: expect(page.get_by_text("mensagem 2000").first).to_be_visible(timeout=30_000)  # noqa: E731
    inbox = lambda: (page.goto("/inbox"), expect(page.get_by_role("link", name=name).first).to_be_visible())  # noqa: E731
    open_it = page.get_by_role("link", name=name).first.click
    _time(open_it, newest, inbox)
    busy, began = machine_busy_seconds(), time.perf_counter()
    in_app = [_time(open_it, newest, inbox) for _ in range(RUNS)]
    cold = [
        _time(lambda: page.goto(f"/inbox/{first['id']}"), newest, lambda: page.goto("about:blank")) for _ in range(RUNS)
    ]
    report("dashboard_thread_2000_first_rows_in_app_ms", _median_ms(in_app), "ms", "<= 500")
    report("dashboard_thread_2000_first_rows_cold_load_ms", _median_ms(cold), "ms", "")
    cores = (machine_busy_seconds() - busy) / (time.perf_counter() - began)
    report("dashboard_thread_2000_machine_busy_cores", cores, "cores", "")
    page.context.close()


@pytest.mark.bench
def test_contacts_first_rows_with_100000_contacts(seeded: Runtime, browser: Browser) -> None:
    _screen(browser, seeded, name="contacts_100k", path="/contacts", link="Contacts", row=r"Cliente \d{6}")
