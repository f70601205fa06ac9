from playwright.sync_api import Browser, expect
from tests.e2e.browser.conftest import new_session, sign_up
from tests.runtime import Runtime


def test_debug(browser: Browser, runtime: Runtime) -> None:
    s = new_session(browser, runtime, locale="pt-BR", viewport={"width": 360, "height": 740})
    sign_up(s)
    page = s.goto("/personas/new")
    expect(page.get_by_role("heading", name="Nova persona")).to_be_visible()
    page.get_by_role("radio", name="Somente nestes horários").check()
    out = page.evaluate("""() => { const m = document.querySelector('main'); const w = m.clientWidth; const r = m.getBoundingClientRect();
      return [m.scrollWidth, w, [...m.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > r.right + 1).slice(0, 12).map(e => e.tagName + '.' + (e.className.baseVal ?? e.className).slice(0, 90) + ' ' + Math.round(e.getBoundingClientRect().right))] }""")
    print(out)
    page.screenshot(path="/tmp/d1-debug.png")
    s.context.close()
