"""What Meta's webhooks say of a WhatsApp template: its status (with the reason), its quality, its category and
its components, applied to the mirrored template.

- A status change is an event (``template.status_changed``, to the outbox and the company's endpoints); a
  rejection, a pause, a disabling or a flag (scheduled for disabling) also notifies the company.
- A pause or a disabling pauses every running campaign that sends the template, with the reason.
- Each update is a state Meta sets: the same update again (a redelivery) changes nothing and notifies no one.
  Statuses apply in Meta's order: the template keeps Meta's time of the status it has (``status_changed_at``,
  its webhook entry's time) and an older one arriving late (a retry of a PAUSED after REINSTATED) is ignored.
- A template belongs to the WhatsApp Business Account: every connection of the company on that account has its
  copy (the same Meta id), and each copy is updated, whichever connection the webhook came to.
- A template we do not mirror yet is left to the next sync (which brings it whole).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.campaigns import template_pause
from masteria.event_payloads import TemplateStatusChangedPayload
from masteria.events import record_event
from masteria.notifications import service as notifications
from masteria.notifications.models import Notification
from masteria.observability import logger
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.whatsapp import parameter_keys

# Meta's events whose status is another name: a reinstated template is approved again.
STATUS_OF_EVENT = {"REINSTATED": "APPROVED"}
NOTIFIED = frozenset({"REJECTED", "PAUSED", "DISABLED", "FLAGGED"})  # the company must act (or know why)
STOPS_CAMPAIGNS = frozenset({"PAUSED", "DISABLED"})  # Meta refuses to send the template meanwhile
REASON_MAX = 500


class _Value(BaseModel):
    """The part every template webhook carries (Meta sends the id as a number; a string is fine too)."""

    model_config = ConfigDict(extra="allow")

    message_template_id: int | str
    message_template_name: str | None = Field(default=None, max_length=512)
    message_template_language: str | None = Field(default=None, max_length=16)


class StatusUpdate(_Value):
    event: str = Field(min_length=1, max_length=32)
    reason: str | None = None
    other_info: dict[str, Any] | None = None
    rejection_info: dict[str, Any] | None = None
    disable_info: dict[str, Any] | None = None


class QualityUpdate(_Value):
    new_quality_score: str | None = Field(default=None, max_length=16)


class CategoryUpdate(_Value):
    previous_category: str | None = Field(default=None, max_length=32)
    new_category: str | None = Field(default=None, max_length=32)
    correct_category: str | None = Field(default=None, max_length=32)  # an impending change, announced first


class ComponentsUpdate(_Value):
    message_template_element: str | None = None  # the body's text
    message_template_title: str | None = None  # the header's text
    message_template_footer: str | None = None
    message_template_buttons: list[dict[str, Any]] | None = None


def _templates(session: Session, value: dict[str, Any]) -> list[WhatsAppTemplate]:
    """Every copy of the template (one per connection of the company on its WhatsApp Business Account: the
    session sees only the company's rows), locked in id order, as last committed."""
    found = list(
        session.scalars(
            select(WhatsAppTemplate)
            .where(WhatsAppTemplate.meta_id == str(value.get("message_template_id")))
            .order_by(WhatsAppTemplate.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if not found:
        logger.info("meta template update for a template not mirrored yet", extra={"field": "template"})
    return found


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value not in (None, "", "NONE") else None


def status_reason(value: dict[str, Any]) -> str | None:
    """Meta's reason in one line: its reason code, the pause's or disabling's explanation, the rejection's
    detail and recommendation, a disabling's date."""
    other = value.get("other_info") or {}
    rejection = value.get("rejection_info") or {}
    disable = value.get("disable_info") or {}
    parts = [
        _text(value.get("reason")),
        _text(other.get("title")),
        _text(other.get("description")),
        _text(rejection.get("reason")),
        _text(rejection.get("recommendation")),
        f"disabled on {disable['disable_date']}" if _text(disable.get("disable_date")) else None,
    ]
    seen: list[str] = []
    for part in parts:
        if part is not None and part not in seen:
            seen.append(part)
    return "; ".join(seen)[:REASON_MAX] or None


def apply_status(session: Session, value: dict[str, Any], at: datetime | None = None) -> int:
    """``message_template_status_update`` that Meta sent at ``at`` (its webhook entry's time): each copy's new
    status and why; the number of copies it changed."""
    return sum(_apply_status(session, template, value, at) for template in _templates(session, value))


def _apply_status(session: Session, template: WhatsAppTemplate, value: dict[str, Any], at: datetime | None) -> bool:
    event = str(value.get("event") or "").upper()
    status = STATUS_OF_EVENT.get(event, event)[:32] or template.status
    reason = status_reason(value)
    if at is not None and template.status_changed_at is not None and at < template.status_changed_at:
        return False  # a late retry of an older status: a newer one already says how the template is
    if template.status == status and template.status_reason == reason:
        return False  # a redelivery, or nothing new
    previous = template.status
    now = datetime.now(UTC)
    template.status, template.status_reason, template.status_changed_at = status, reason, at or now
    if status == "REJECTED":
        template.rejected_reason = (_text(value.get("reason")) or reason or "")[:200] or None
    elif status == "APPROVED":
        template.rejected_reason = None
    record_event(
        session,
        company_id=template.company_id,
        payload=TemplateStatusChangedPayload(
            template_id=template.id,
            connection_id=template.connection_id,
            name=template.name,
            language=template.language,
            status=status,
            previous_status=previous,
            reason=reason,
        ),
    )
    if status in NOTIFIED:
        _notify_status(session, template, status, reason)
    if status in STOPS_CAMPAIGNS:
        why = f"template {template.name} ({template.language}) {status.lower()} by Meta"
        template_pause.pause_campaigns_using(
            session, template_id=template.id, reason=f"{why}: {reason}" if reason else why, now=now
        )
    return True


def _notify_status(session: Session, template: WhatsAppTemplate, status: str, reason: str | None) -> None:
    said = {"REJECTED": "rejected", "PAUSED": "paused", "DISABLED": "disabled", "FLAGGED": "flagged"}[status]
    notifications.notify(
        session,
        company_id=template.company_id,
        kind=f"whatsapp.template_{said}",
        title=f"WhatsApp template {said}",
        body=f"Meta {said} the template {template.name} ({template.language})" + (f": {reason}" if reason else "."),
        data={
            "template_id": str(template.id),
            "connection_id": str(template.connection_id),
            "status": status,
            "reason": reason,
        },
    )


def apply_quality(session: Session, value: dict[str, Any]) -> int:
    """``message_template_quality_update``: each copy's quality score; the number of copies it changed."""
    return sum(_apply_quality(template, value) for template in _templates(session, value))


def _apply_quality(template: WhatsAppTemplate, value: dict[str, Any]) -> bool:
    quality = str(value.get("new_quality_score") or template.quality or "")[:16] or None
    if quality == template.quality:
        return False
    template.quality = quality
    return True


def apply_category(session: Session, value: dict[str, Any]) -> int:
    """``template_category_update``: Meta moved the template to another category (or announces it will);
    the number of copies it changed."""
    return sum(_apply_category(session, template, value) for template in _templates(session, value))


def _apply_category(session: Session, template: WhatsAppTemplate, value: dict[str, Any]) -> bool:
    new = str(value.get("new_category") or "").upper()[:32]
    if not new:
        coming = str(value.get("correct_category") or "").upper()[:32]
        if coming and coming != template.category.upper() and not _told_impending(session, template, coming):
            _notify_category(session, template, coming, impending=True)
        return False
    if new == template.category.upper():
        return False  # a redelivery
    template.previous_category = str(value.get("previous_category") or template.category).upper()[:32]
    template.category = new
    _notify_category(session, template, new, impending=False)
    return True


def _told_impending(session: Session, template: WhatsAppTemplate, category: str) -> bool:
    """Whether the company was already told of this coming change (Meta's retries of the same body)."""
    told = select(Notification.id).where(
        Notification.kind == "whatsapp.template_category",
        Notification.data["template_id"].astext == str(template.id),
        Notification.data["category"].astext == category,
        Notification.data["impending"].astext == "true",
    )
    return session.scalars(told.limit(1)).first() is not None


def _notify_category(session: Session, template: WhatsAppTemplate, category: str, *, impending: bool) -> None:
    body = (
        f"Meta will move the template {template.name} ({template.language}) to the category {category}."
        if impending
        else f"Meta moved the template {template.name} ({template.language}) from {template.previous_category}"
        f" to {category}."
    )
    notifications.notify(
        session,
        company_id=template.company_id,
        kind="whatsapp.template_category",
        title="WhatsApp template category changed",
        body=body,
        data={
            "template_id": str(template.id),
            "connection_id": str(template.connection_id),
            "category": category,
            "impending": impending,
        },
    )


def _buttons(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    buttons = []
    for item in items:
        button: dict[str, Any] = {
            "type": str(item.get("message_template_button_type") or "QUICK_REPLY").upper(),
            "text": str(item.get("message_template_button_text") or ""),
        }
        if item.get("message_template_button_url"):
            button["url"] = str(item["message_template_button_url"])
        if item.get("message_template_button_phone_number"):
            button["phone_number"] = str(item["message_template_button_phone_number"])
        buttons.append(button)
    return buttons


def _with(components: list[dict[str, Any]], kind: str, change: dict[str, Any]) -> list[dict[str, Any]]:
    """``components`` with the component of ``kind`` changed (added where it had none)."""
    out, found = [], False
    for component in components:
        mine = str(component.get("type", "")).upper() == kind
        found = found or mine
        out.append({**component, **change} if mine else component)
    if not found:
        out.append({"type": kind, **change})
    return out


def apply_components(session: Session, value: dict[str, Any]) -> int:
    """``message_template_components_update``: each copy's texts and buttons after an edit (a parameter
    mapping whose parameter is gone is dropped); the number of copies it changed."""
    return sum(_apply_components(template, value) for template in _templates(session, value))


def _apply_components(template: WhatsAppTemplate, value: dict[str, Any]) -> bool:
    components = [dict(c) for c in template.components]
    if value.get("message_template_element") is not None:
        components = _with(components, "BODY", {"text": str(value["message_template_element"])})
    title = value.get("message_template_title")
    header = next((c for c in components if str(c.get("type", "")).upper() == "HEADER"), None)
    if title is not None and (header is None or str(header.get("format", "TEXT")).upper() == "TEXT"):
        components = _with(components, "HEADER", {"format": "TEXT", "text": str(title)})
    if value.get("message_template_footer") is not None:
        components = _with(components, "FOOTER", {"text": str(value["message_template_footer"])})
    if value.get("message_template_buttons") is not None:
        components = _with(components, "BUTTONS", {"buttons": _buttons(value["message_template_buttons"])})
    order = {"HEADER": 0, "BODY": 1, "FOOTER": 2, "BUTTONS": 3}
    components.sort(key=lambda c: order.get(str(c.get("type", "")).upper(), 4))
    if components == template.components:
        return False
    template.components = components
    keys = set(parameter_keys(components))
    template.parameters = {k: v for k, v in template.parameters.items() if k in keys}
    template.defaults = {k: v for k, v in template.defaults.items() if k in keys}
    return True
