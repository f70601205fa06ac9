"""Message bodies built exactly like Meta's own examples (tests/fixtures/meta), Meta's limits enforced, and
the client's send, mark-read and media calls against a Graph transport at the edge."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from functions.local.sandbox.spec import SPEC_DIR
from masteria.channels.providers.meta_cloud import messages
from masteria.channels.providers.meta_cloud.errors import GraphPermanentError
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.channels.providers.meta_cloud.messages import Row, Section
from masteria.errors import Invalid

EXAMPLES = SPEC_DIR / "examples" / "messages"
TO = "{{Recipient-Phone-Number}}"


def example(name: str, part: str = "post_request") -> Any:
    return json.loads((EXAMPLES / part / f"{name}.json").read_text())


def _section(n: int) -> Section:
    rows = [
        Row(f"<LIST_SECTION_{n}_ROW_{r}_ID>", f"<SECTION_{n}_ROW_{r}_TITLE>", f"<SECTION_{n}_ROW_{r}_DESC>")
        for r in (1, 2)
    ]
    return Section(f"<LIST_SECTION_{n}_TITLE>", rows)


BUILT = {
    "send_text_message": lambda: messages.text(TO, "text-message-content"),
    "send_reply_to_text_message": lambda: messages.text(TO, "<TEXT_MSG_CONTENT>", reply_to="<MSGID_OF_PREV_MSG>"),
    "send_image_message_by_id": lambda: messages.media(TO, "image", media_id="<IMAGE_OBJECT_ID>"),
    "send_document_message_by_url": lambda: messages.media(
        TO, "document", link="<http(s)://document-url>", caption="<DOCUMENT-CAPTION-TEXT>"
    ),
    "send_document_message_by_id": lambda: messages.media(
        TO,
        "document",
        media_id="<DOCUMENT_OBJECT_ID>",
        caption="<DOCUMENT_CAPTION_TO_SEND>",
        filename="<DOCUMENT_FILENAME>",
    ),
    "send_sticker_message_by_url": lambda: messages.media(TO, "sticker", link="<http(s)://sticker-url>"),
    "send_reply_button": lambda: messages.buttons(
        TO,
        "<BUTTON_TEXT>",
        [("<UNIQUE_BUTTON_ID_1>", "<BUTTON_TITLE_1>"), ("<UNIQUE_BUTTON_ID_2>", "<BUTTON_TITLE_2>")],
    ),
    "send_list_message": lambda: messages.list_message(
        TO, "<BODY_TEXT>", "<BUTTON_TEXT>", [_section(1), _section(2)], header="<HEADER_TEXT>", footer="<FOOTER_TEXT>"
    ),
    "send_reply_with_reaction_message": lambda: messages.reaction(TO, "wamid.HBgLM...", "😀"),
    "send_typing_indicator_and_read_receipt": lambda: messages.mark_read(
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=", typing=True
    ),
    "send_message_template_text": lambda: messages.template(
        TO,
        "template-name",
        "language-and-locale-code",
        example("send_message_template_text")["template"]["components"],
    ),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_bodies_match_metas_examples(name: str) -> None:
    assert BUILT[name]() == example(name)


@pytest.mark.parametrize(
    ("build", "fields"),
    [
        (lambda: messages.text(TO, "x" * 4097), ["text"]),
        (lambda: messages.text(TO, ""), ["text"]),
        (lambda: messages.media(TO, "image"), ["media"]),
        (lambda: messages.media(TO, "audio", media_id="1", caption="no"), ["caption"]),
        (lambda: messages.media(TO, "image", media_id="1", filename="a.pdf"), ["filename"]),
        (lambda: messages.buttons(TO, "b", [(str(n), f"t{n}") for n in range(4)]), ["buttons"]),
        (lambda: messages.buttons(TO, "b", [("1", "same"), ("2", "same")]), ["buttons"]),
        (lambda: messages.buttons(TO, "b", [("1", "t" * 21)]), ["buttons.0.title"]),
        (lambda: messages.buttons(TO, "b", [("1", "t")], header="h" * 61), ["header"]),
        (
            lambda: messages.list_message(TO, "b", "go", [Section("s", [Row(str(n), "r") for n in range(11)])]),
            ["sections"],
        ),
        (
            lambda: messages.list_message(TO, "b", "go", [Section("s", [Row("1", "r" * 25, "d" * 73)])]),
            ["sections.0.rows.0.title", "sections.0.rows.0.description"],
        ),
    ],
)
def test_limits_are_enforced(build: Any, fields: list[str]) -> None:
    with pytest.raises(Invalid) as refused:
        build()
    assert [e.field for e in refused.value.errors] == fields


def test_send_mark_read_and_media_through_the_graph_api() -> None:
    seen: list[httpx.Request] = []

    def graph(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v23.0/106540352242922/messages":
            body = json.loads(request.content)
            if body.get("status") == "read":
                return httpx.Response(200, json={"success": True})
            return httpx.Response(200, json=example("example_response", "post_response_200"))
        if request.url.path == "/v23.0/106540352242922/media":
            assert b'name="messaging_product"' in request.content and b"%PDF" in request.content
            return httpx.Response(200, json={"id": "4490709327384033"})
        if request.url.path == "/v23.0/4490709327384033":
            return httpx.Response(200, json={"url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"})
        if request.url.host == "lookaside.fbsbx.com":
            assert request.headers["authorization"] == "Bearer t"
            return httpx.Response(200, content=b"%PDF-1.7 ...")
        return httpx.Response(404, json={"error": {"code": 100, "message": "unknown"}})

    client = GraphClient(httpx.MockTransport(graph))
    sent = client.send_message("106540352242922", messages.text("+5511912345678", "Oi!"), token="t")
    assert (sent.wamid, sent.wa_id) == ("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA", "16505551234")
    assert client.mark_read("106540352242922", messages.mark_read(sent.wamid), token="t") is True
    media_id = client.upload_media(
        "106540352242922", b"%PDF-1.7", mime_type="application/pdf", filename="a.pdf", token="t"
    )
    assert media_id == "4490709327384033"
    url = client.media_info(media_id, token="t")["url"]
    assert client.download_media(url, token="t") == b"%PDF-1.7 ..."
    with pytest.raises(GraphPermanentError):  # our token never goes to a host that is not Meta's
        client.download_media("https://attacker.example.com/x", token="t")
    assert all(r.url.host != "attacker.example.com" for r in seen)
