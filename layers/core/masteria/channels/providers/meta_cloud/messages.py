"""Bodies of ``POST /<PHONE_NUMBER_ID>/messages`` (META.md §3.1), shaped exactly like Meta's examples and
checked against Meta's limits before anything is sent: text ≤ 4096; reply buttons: at most 3, titles ≤ 20
and unique, ids ≤ 256; lists: ≤ 10 sections and ≤ 10 rows in all, row titles ≤ 24, descriptions ≤ 72,
ids ≤ 200, section titles ≤ 24, the button ≤ 20; header and footer texts ≤ 60; interactive body ≤ 1024
(buttons) or 4096 (lists)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from masteria.errors import FieldError, Invalid

MediaKind = Literal["image", "document", "audio", "video", "sticker"]
TEXT_MAX = 4096
CAPTION_MAX = 1024
BUTTONS_MAX, BUTTON_TITLE_MAX, BUTTON_ID_MAX, BUTTON_BODY_MAX = 3, 20, 256, 1024
LIST_ROWS_MAX, LIST_SECTIONS_MAX, ROW_TITLE_MAX, ROW_DESCRIPTION_MAX, ROW_ID_MAX = 10, 10, 24, 72, 200
LIST_BUTTON_MAX, SECTION_TITLE_MAX, LIST_BODY_MAX = 20, 24, 4096
HEADER_MAX = FOOTER_MAX = 60


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    rows: Sequence[Row]


def _check(errors: list[FieldError]) -> None:
    if errors:
        raise Invalid("the message breaks WhatsApp's limits", errors)


def _limit(errors: list[FieldError], field: str, value: str | None, limit: int, *, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            errors.append(FieldError(field, "must not be empty", code="required"))
    elif len(value) > limit:
        errors.append(FieldError(field, f"at most {limit} characters", code="text_too_long", params={"max": limit}))


def _envelope(to: str, kind: str, content: dict[str, Any], reply_to: str | None, opaque: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind}
    body[kind] = content
    if reply_to:
        body["context"] = {"message_id": reply_to}
    if opaque:
        body["biz_opaque_callback_data"] = opaque
    return body


def text(
    to: str, body: str, *, preview_url: bool = False, reply_to: str | None = None, opaque: str | None = None
) -> dict[str, Any]:
    errors: list[FieldError] = []
    _limit(errors, "text", body, TEXT_MAX)
    _check(errors)
    return _envelope(to, "text", {"body": body, "preview_url": preview_url}, reply_to, opaque)


def media(
    to: str,
    kind: MediaKind,
    *,
    media_id: str | None = None,
    link: str | None = None,
    caption: str | None = None,
    filename: str | None = None,
    reply_to: str | None = None,
    opaque: str | None = None,
) -> dict[str, Any]:
    """An image, document, audio, video or sticker by uploaded media id or by https link."""
    errors: list[FieldError] = []
    if (media_id is None) == (link is None):
        errors.append(FieldError("media", "give a media id or a link, not both", code="media_id_or_link"))
    if caption is not None and kind in ("audio", "sticker"):
        errors.append(
            FieldError("caption", f"{kind} messages have no caption", code="no_caption", params={"kind": kind})
        )
    if filename is not None and kind != "document":
        errors.append(FieldError("filename", "only documents have a file name", code="only_documents_filename"))
    _limit(errors, "caption", caption, CAPTION_MAX, required=False)
    _check(errors)
    content: dict[str, Any] = {"id": media_id} if media_id else {"link": link}
    if caption:
        content["caption"] = caption
    if filename:
        content["filename"] = filename
    return _envelope(to, kind, content, reply_to, opaque)


def template(
    to: str,
    name: str,
    language: str,
    components: Sequence[dict[str, Any]] = (),
    *,
    reply_to: str | None = None,
    opaque: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        content["components"] = list(components)
    return _envelope(to, "template", content, reply_to, opaque)


def _header_footer(errors: list[FieldError], header: str | None, footer: str | None) -> dict[str, Any]:
    _limit(errors, "header", header, HEADER_MAX, required=False)
    _limit(errors, "footer", footer, FOOTER_MAX, required=False)
    parts: dict[str, Any] = {}
    if header:
        parts["header"] = {"text": header, "type": "text"}
    if footer:
        parts["footer"] = {"text": footer}
    return parts


def buttons(
    to: str,
    body: str,
    choices: Sequence[tuple[str, str]],
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """Reply buttons: ``choices`` are (id, title) pairs."""
    errors: list[FieldError] = []
    _limit(errors, "body", body, BUTTON_BODY_MAX)
    if not 1 <= len(choices) <= BUTTONS_MAX:
        errors.append(
            FieldError("buttons", f"1 to {BUTTONS_MAX} buttons", code="buttons_count", params={"max": BUTTONS_MAX})
        )
    if len({title for _, title in choices}) != len(choices):
        errors.append(FieldError("buttons", "button titles must be unique", code="buttons_unique"))
    for index, (choice_id, title) in enumerate(choices):
        _limit(errors, f"buttons.{index}.id", choice_id, BUTTON_ID_MAX)
        _limit(errors, f"buttons.{index}.title", title, BUTTON_TITLE_MAX)
    extra = _header_footer(errors, header, footer)
    _check(errors)
    content: dict[str, Any] = {
        "action": {"buttons": [{"reply": {"id": i, "title": t}, "type": "reply"} for i, t in choices]},
        "body": {"text": body},
        **extra,
        "type": "button",
    }
    return _envelope(to, "interactive", content, reply_to, None)


def list_message(
    to: str,
    body: str,
    button: str,
    sections: Sequence[Section],
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    errors: list[FieldError] = []
    _limit(errors, "body", body, LIST_BODY_MAX)
    _limit(errors, "button", button, LIST_BUTTON_MAX)
    rows = [row for section in sections for row in section.rows]
    if not 1 <= len(sections) <= LIST_SECTIONS_MAX:
        errors.append(
            FieldError(
                "sections",
                f"1 to {LIST_SECTIONS_MAX} sections",
                code="sections_count",
                params={"max": LIST_SECTIONS_MAX},
            )
        )
    if not 1 <= len(rows) <= LIST_ROWS_MAX:
        errors.append(
            FieldError(
                "sections", f"1 to {LIST_ROWS_MAX} rows in all", code="rows_count", params={"max": LIST_ROWS_MAX}
            )
        )
    for s_index, section in enumerate(sections):
        _limit(errors, f"sections.{s_index}.title", section.title, SECTION_TITLE_MAX, required=len(sections) > 1)
        for r_index, row in enumerate(section.rows):
            at = f"sections.{s_index}.rows.{r_index}"
            _limit(errors, f"{at}.id", row.id, ROW_ID_MAX)
            _limit(errors, f"{at}.title", row.title, ROW_TITLE_MAX)
            _limit(errors, f"{at}.description", row.description, ROW_DESCRIPTION_MAX, required=False)
    extra = _header_footer(errors, header, footer)
    _check(errors)
    content: dict[str, Any] = {
        "action": {
            "button": button,
            "sections": [
                {
                    "rows": [
                        {**({"description": r.description} if r.description else {}), "id": r.id, "title": r.title}
                        for r in section.rows
                    ],
                    "title": section.title,
                }
                for section in sections
            ],
        },
        "body": {"text": body},
        **extra,
        "type": "list",
    }
    return _envelope(to, "interactive", content, reply_to, None)


def interactive(
    to: str, content: dict[str, Any], *, reply_to: str | None = None, opaque: str | None = None
) -> dict[str, Any]:
    """An interactive object built already (``buttons``' or ``list_message``'s, say), its body text checked."""
    errors: list[FieldError] = []
    kind = content.get("type")
    if kind not in ("button", "list", "cta_url", "flow", "product", "product_list", "location_request_message"):
        errors.append(FieldError("interactive.type", "not an interactive type WhatsApp sends", code="interactive_type"))
    text = (content.get("body") or {}).get("text") if isinstance(content.get("body"), dict) else None
    _limit(errors, "body", text, BUTTON_BODY_MAX if kind == "button" else LIST_BODY_MAX, required=kind == "button")
    _check(errors)
    return _envelope(to, "interactive", content, reply_to, opaque)


def reaction(to: str, message_id: str, emoji: str) -> dict[str, Any]:
    """React to a message (an empty ``emoji`` removes the reaction)."""
    return _envelope(to, "reaction", {"emoji": emoji, "message_id": message_id}, None, None)


def mark_read(message_id: str, *, typing: bool = False) -> dict[str, Any]:
    """Mark ``message_id`` (and those before it) read; ``typing`` also shows the typing indicator."""
    body: dict[str, Any] = {"message_id": message_id, "messaging_product": "whatsapp", "status": "read"}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body
