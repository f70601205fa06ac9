"""The dashboard checks Meta's template limits as the user types (web/src/features/templates/lib/meta-limits.ts):
its numbers must be the ones the API enforces, or the form would accept what the API refuses (or the reverse)."""

from __future__ import annotations

import re
from pathlib import Path

from masteria.templates import whatsapp

LIMITS_TS = Path(__file__).resolve().parents[2] / "web" / "src" / "features" / "templates" / "lib" / "meta-limits.ts"
# the dashboard's name → the backend's constant
PAIRS = {
    "headerText": whatsapp.HEADER_TEXT_MAX,
    "bodyText": whatsapp.BODY_TEXT_MAX,
    "footerText": whatsapp.FOOTER_TEXT_MAX,
    "buttons": whatsapp.BUTTONS_MAX,
    "urlButtons": whatsapp.URL_BUTTONS_MAX,
    "phoneButtons": whatsapp.PHONE_BUTTONS_MAX,
    "buttonText": whatsapp.BUTTON_TEXT_MAX,
    "buttonUrl": whatsapp.BUTTON_URL_MAX,
    "buttonPhone": whatsapp.BUTTON_PHONE_MAX,
}


def test_the_dashboards_template_limits_are_the_apis() -> None:
    # GIVEN the dashboard's META_LIMITS object
    block = re.search(r"META_LIMITS = \{(.*?)\} as const", LIMITS_TS.read_text(), re.S)
    assert block, "META_LIMITS not found in meta-limits.ts"
    shown = {name: int(value) for name, value in re.findall(r"(\w+): (\d+)", block.group(1))}
    # THEN every limit the API checks has the same number there
    assert {name: shown.get(name) for name in PAIRS} == PAIRS
