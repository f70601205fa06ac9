"""The non-send steps an enrollment runs inline in the tick: branch, tag, move the lead, notify, emit an event. Each
returns its outcome, its detail and the next step's index; it writes in the tick's transaction, so a step's effect
and its history row commit together or not at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from masteria.automations.custom_events import emit
from masteria.cadences import variables
from masteria.cadences.due import Due
from masteria.cadences.models import Cadence
from masteria.cadences.steps import (
    BranchStep,
    EmitEventStep,
    HasTag,
    LeadInStage,
    MoveLeadStep,
    NotifyStep,
    RepliedSinceLastStep,
    Step,
    TagStep,
)
from masteria.contacts.models import Contact, ContactTag, Tag
from masteria.contacts.tags import add_tag, remove_tag
from masteria.errors import DomainError
from masteria.notifications.service import notify
from masteria.pipelines.models import Lead, Stage
from masteria.pipelines.moves import Actor, move_found
from masteria.pipelines.schemas import LeadMove
from masteria.ports import Clock
from masteria.templates.rendering import render
from masteria.templates.rendering import variables as used_variables

CADENCE_ACTOR = Actor("automation", None)  # a cadence's lead moves (the lead's history says an automation moved it)
NOTIFICATION_KIND = "cadence.notify"


@dataclass(frozen=True)
class Ran:
    outcome: str
    detail: dict[str, Any]
    next_index: int


class Actions:
    """Runs one company's non-send steps in the tick's transaction."""

    def __init__(self, session: Session, clock: Clock, now: datetime) -> None:
        self.session, self.clock, self.now = session, clock, now

    def run(self, cadence: Cadence, due: Due, index: int, step: Step, last_step_at: datetime | None) -> Ran:
        if isinstance(step, BranchStep):
            return self.branch(due, index, step, last_step_at)
        if isinstance(step, TagStep):
            return self.tag(due, index, step)
        if isinstance(step, MoveLeadStep):
            return self.move_lead(cadence, due, index, step)
        if isinstance(step, NotifyStep):
            return self.notify(cadence, due, index, step)
        assert isinstance(step, EmitEventStep)
        return self.emit_event(cadence, due, index, step)

    def branch(self, due: Due, index: int, step: BranchStep, last_step_at: datetime | None) -> Ran:
        condition = step.condition
        if isinstance(condition, RepliedSinceLastStep):
            held = due.replied_since(last_step_at)
        elif isinstance(condition, HasTag):
            held = self._has_tag(due.contact_id, condition.tag_id)
        else:
            assert isinstance(condition, LeadInStage)
            held = bool(
                self.session.scalar(select(exists().where(*self._leads_of(due), Lead.stage_id == condition.stage_id)))
            )
        target = step.then_step if held else step.else_step
        next_index = target if target is not None else index + 1
        return Ran("branched", {"condition": condition.type, "held": bool(held), "next_step": next_index}, next_index)

    def tag(self, due: Due, index: int, step: TagStep) -> Ran:
        tag = self.session.get(Tag, step.tag_id)
        if tag is None:
            return Ran("skipped", {"reason": "tag_deleted"}, index + 1)
        change = add_tag if step.action == "add" else remove_tag
        changed = change(self.session, company_id=tag.company_id, contact_id=due.contact_id, tag_id=tag.id)
        return Ran("done", {"action": step.action, "tag_id": str(step.tag_id), "changed": changed}, index + 1)

    def move_lead(self, cadence: Cadence, due: Due, index: int, step: MoveLeadStep) -> Ran:
        stage = self.session.get(Stage, step.stage_id)
        if stage is None or stage.archived_at is not None:
            return Ran("skipped", {"reason": "stage_deleted"}, index + 1)
        lead = self.session.scalars(
            select(Lead)
            .where(*self._leads_of(due), Lead.pipeline_id == stage.pipeline_id)
            .order_by(Lead.status != "open", Lead.created_at.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if lead is None:
            return Ran("skipped", {"reason": "no_lead"}, index + 1)
        if lead.stage_id == stage.id:
            return Ran("done", {"lead_id": str(lead.id), "moved": False}, index + 1)
        data = LeadMove(to_stage_id=stage.id, version=lead.version, reason=f"cadence: {cadence.name}"[:500])
        try:
            with self.session.begin_nested():
                move_found(session=self.session, clock=self.clock, principal=None, lead=lead, data=data,
                           by=CADENCE_ACTOR)  # fmt: skip
        except DomainError as error:
            self.session.refresh(lead)
            return Ran("failed", {"lead_id": str(lead.id), "code": error.error_code}, index + 1)
        # the lead's version after the move: the exit consumer knows this stage change as the cadence's own
        return Ran("done", {"lead_id": str(lead.id), "moved": True, "lead_version": lead.version}, index + 1)

    def notify(self, cadence: Cadence, due: Due, index: int, step: NotifyStep) -> Ran:
        contact = self.session.get_one(Contact, due.contact_id)
        lead = self.session.scalars(select(Lead).where(*self._leads_of(due)).order_by(Lead.created_at.desc())).first()
        user_id = step.user_id if step.to == "user" else (lead.owner_id if lead is not None else None)
        found = variables.values(
            {"name": contact.name, "phone": contact.phone, "email": contact.email, "language": contact.language,
             "custom_fields": contact.custom_fields},
            _lead_values(lead),
        )  # fmt: skip
        body = render(step.text, found, dict.fromkeys(used_variables(step.text), "-"))
        row = notify(
            self.session, company_id=cadence.company_id, kind=NOTIFICATION_KIND, title=cadence.name, body=body,
            data={"cadence_id": str(cadence.id), "enrollment_id": str(due.id), "contact_id": str(due.contact_id)},
            user_id=user_id,
        )  # fmt: skip
        return Ran("done", {"notification_id": str(row.id), "user_id": str(user_id) if user_id else None}, index + 1)

    def emit_event(self, cadence: Cadence, due: Due, index: int, step: EmitEventStep) -> Ran:
        emit(
            self.session, company_id=cadence.company_id, name=step.name, source="cadence", source_id=cadence.id,
            contact_id=due.contact_id, lead_id=due.lead_id, data={**step.data, "enrollment_id": str(due.id)},
        )  # fmt: skip
        return Ran("done", {"name": step.name}, index + 1)

    def _has_tag(self, contact_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
        found = exists().where(ContactTag.contact_id == contact_id, ContactTag.tag_id == tag_id)
        return bool(self.session.scalar(select(found)))

    @staticmethod
    def _leads_of(due: Due) -> list[Any]:
        """The enrollment's lead, else the contact's leads."""
        return [Lead.id == due.lead_id] if due.lead_id is not None else [Lead.contact_id == due.contact_id]


def _lead_values(lead: Lead | None) -> dict[str, Any] | None:
    if lead is None:
        return None
    return {"title": lead.title, "value": lead.value, "currency": lead.currency, "next_step": lead.next_step,
            "due_date": lead.due_date, "custom_fields": lead.custom_fields}  # fmt: skip
