"""The message a cadence send step sends one contact, channel-neutral (``OutboundMessage``), carrying the send's
ledger id to come back with every status: a WhatsApp template filled from the step's parameters (contact and
lead fields, literals, defaults); a text rendered with the same variables, only while the contact's 24-hour
window is open (outside it the step's fallback template, or nothing); an SMS text."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.cadences import steps, variables
from masteria.cadences.models import CadenceVersion
from masteria.cadences.sending import opaque
from masteria.channels.providers.port import OutboundMessage
from masteria.errors import FieldError, Invalid
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import render
from masteria.templates.whatsapp import fill


@dataclass
class Cache:
    """What a drive reads once: each version's steps and each template (detached from its session)."""

    versions: dict[tuple[uuid.UUID, int], list[steps.Step]] = field(default_factory=dict)
    templates: dict[uuid.UUID, WhatsAppTemplate | None] = field(default_factory=dict)

    def step(self, session: Session, cadence_id: uuid.UUID, version: int, index: int) -> steps.SendStep | None:
        """The send step ``index`` of the version (None: there is none: a bug of the engine's)."""
        key = (cadence_id, version)
        if key not in self.versions:
            stored = session.scalar(
                select(CadenceVersion.steps).where(
                    CadenceVersion.cadence_id == cadence_id, CadenceVersion.version == version
                )
            )
            self.versions[key] = steps.parse(stored) if stored is not None else []
        found = self.versions[key]
        step = found[index] if 0 <= index < len(found) else None
        return step if isinstance(step, steps.SendTemplateStep | steps.SendTextStep | steps.SendSmsStep) else None

    def template(self, session: Session, template_id: uuid.UUID) -> WhatsAppTemplate | None:
        if template_id not in self.templates:
            row = session.get(WhatsAppTemplate, template_id)
            if row is not None:
                session.expunge(row)
            self.templates[template_id] = row
        return self.templates[template_id]


def values_of(row: Any) -> dict[str, str]:
    """Every variable's value for a claimed row (its contact's and its lead's fields)."""
    contact = {
        "name": row.name,
        "phone": row.phone,
        "email": row.email,
        "language": row.language,
        "custom_fields": row.custom_fields,
    }
    lead = (
        None
        if row.lead_title is None
        else {
            "title": row.lead_title,
            "value": row.lead_value,
            "currency": row.lead_currency,
            "next_step": row.lead_next_step,
            "due_date": row.lead_due_date,
            "custom_fields": row.lead_custom_fields,
        }
    )
    return variables.values(contact, lead)


def message(
    session: Session, cache: Cache, step: steps.SendStep, row: Any, *, window_open: bool, opaque_kinds: frozenset[str]
) -> OutboundMessage:
    """The message of ``step`` for the claimed row (its ``id``, ``phone``, contact and lead fields), carrying the
    send's id when the provider takes it on that kind (``Limits.opaque_kinds``; the others' statuses come back by
    the provider's message id); ``Invalid`` when the values do not fill it or it may not go now (a text outside
    the window, with no fallback)."""
    built = _message(session, cache, step, row, window_open=window_open)
    return built if built.kind in opaque_kinds else built.model_copy(update={"opaque": None})


def _message(session: Session, cache: Cache, step: steps.SendStep, row: Any, *, window_open: bool) -> OutboundMessage:
    found = values_of(row)
    to = row.phone.lstrip("+")
    if isinstance(step, steps.SendTemplateStep):
        return _template(session, cache, step, found, to=to, send_id=row.id)
    if isinstance(step, steps.SendTextStep) and not window_open:
        if step.fallback is None:
            raise Invalid(
                "the 24-hour window is closed", [FieldError("text", "no fallback template", code="window_closed")]
            )
        return _template(session, cache, step.fallback, found, to=to, send_id=row.id)
    return OutboundMessage(to=to, kind="text", text=render(step.text, found, {}), opaque=opaque(row.id))


def _template(
    session: Session, cache: Cache, step: steps.TemplateMessage, found: Mapping[str, str], *, to: str, send_id: int
) -> OutboundMessage:
    template = cache.template(session, step.template_id)
    if template is None:
        gone = FieldError("template_id", "no such template", code="unknown_template")
        raise Invalid("the template was deleted", [gone])
    resolved = variables.resolve(step.parameters, found)
    # the step's parameters by their own keys; a parameter it does not map keeps the template's own mapping
    # (a contact variable: ``first_name``, ``custom.<key>``)
    own = {k.removeprefix("contact."): v for k, v in found.items() if k.startswith("contact.")}
    contact_vars = {**own, **resolved}
    filled = fill(template, contact_vars, parameters={p: p for p in resolved}, defaults=step.defaults)
    return OutboundMessage(
        to=to,
        kind="template",
        template={"name": template.name, "language": template.language, "components": list(filled.send_components)},
        opaque=opaque(send_id),
    )
