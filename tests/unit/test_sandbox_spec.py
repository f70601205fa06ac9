"""The sandbox's validator: Meta's own examples pass (with the documented corrections), broken bodies do not,
and every body our message builders produce is valid per Meta's spec."""

from __future__ import annotations

import json

import pytest

from functions.local.sandbox.spec import SPEC_DIR, message_errors
from tests.unit.test_messages import BUILT

EXAMPLES = sorted((SPEC_DIR / "examples" / "messages" / "post_request").glob("*.json"))
# Examples the v23.0 spec cannot describe at all (the sandbox refuses them, as the spec says).
OUTSIDE_THE_SPEC = {
    "send_multi_product_message": "its header type is the placeholder '<HEADER_TYPE>'",
    "send_order_details_message": "interactive type order_details is not in the spec's InteractiveMessage",
    "send_order_status_message": "interactive type order_status is not in the spec's InteractiveMessage",
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_metas_examples_are_valid(path: object) -> None:
    errors = message_errors(json.loads(path.read_text()))  # type: ignore[attr-defined]
    if path.stem in OUTSIDE_THE_SPEC:  # type: ignore[attr-defined]
        assert errors, "the spec learned this example: take it off OUTSIDE_THE_SPEC"
    else:
        assert errors == []


@pytest.mark.parametrize("name", sorted(BUILT))
def test_what_we_build_is_valid(name: str) -> None:
    assert message_errors(BUILT[name]()) == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"messaging_product": "whatsapp", "to": "1", "type": "text", "text": {"body": "x"}, "extra": 1}, "extra"),
        ({"messaging_product": "whatsapp", "to": "1", "type": "text", "text": {"body": "x", "bold": True}}, "bold"),
        ({"messaging_product": "whatsapp", "to": "1", "type": "fax"}, "type"),
        ({"messaging_product": "whatsapp", "to": "1", "type": "image", "image": {"id": 5}}, "image"),
        ({"messaging_product": "whatsapp", "status": "read"}, "message_id"),
        ([], "object"),
    ],
)
def test_broken_bodies_are_refused(body: object, fragment: str) -> None:
    errors = message_errors(body)
    assert errors and any(fragment in e for e in errors), errors
