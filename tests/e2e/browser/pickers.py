"""The dashboard's searchable picker (components/ui/combobox): a button that opens a search box and the
options the server found for it."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

SEARCH_BOX = re.compile(r"^(Search|Buscar) ")


def pick(page: Page, picker: Locator, name: str, *, search: str | None = None) -> None:
    """Open ``picker``, search for ``name`` (or ``search``) and choose the option whose label starts with it."""
    picker.click()
    box = page.get_by_role("combobox", name=SEARCH_BOX)
    expect(box).to_be_focused()
    box.fill(search if search is not None else name)
    # (the rows of the search before stay until the typed one has come: a click then may land on a row that goes)
    expect(page.get_by_role("listbox", name=SEARCH_BOX)).to_have_attribute("aria-busy", "false")
    page.get_by_role("option", name=re.compile(rf"^{re.escape(name)}\b")).first.click()
    expect(box).to_be_hidden()
