"""Running a rule's actions, in order, in the run's transaction, each in a savepoint: an action that fails (a
typed domain error, or anything unexpected) leaves nothing behind and is logged with its error, and the run goes on
or stops (``on_failure``); an action with nothing to act on (no conversation, no lead…) is ``skipped``.

Every action goes through the domain's own use cases, with no user behind it: the inbox's assignment, the tags,
the pipelines' move and lead creation (as an automation, in the lead's history), the cadences' enrollment, the AI's
state, the notifications, the send ledger of ``automations.sends`` (the message goes out after the run commits)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.ai import conversation_state
from masteria.ai.parts import template_message
from masteria.automations import action_types as a
from masteria.automations import custom_events, sends
from masteria.automations.models import AutomationCursor, AutomationRule, AutomationSend
from masteria.automations.subjects import Subject
from masteria.automations.triggers import Occurrence
from masteria.cadences import enrollment
from masteria.cadences.variables import LEAD_FIELDS
from masteria.cadences.variables import values as variable_values
from masteria.contacts import consent, tags
from masteria.contacts.models import Contact, Tag
from masteria.conversations.models import Conversation
from masteria.conversations.service import assign_to
from masteria.errors import DomainError, FieldError, Invalid
from masteria.notifications.service import notify
from masteria.observability import logger
from masteria.pipelines import leads
from masteria.pipelines.models import Lead, Stage
from masteria.pipelines.moves import Actor, move_found
from masteria.pipelines.schemas import LeadMove
from masteria.ports import Clock
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import render
from masteria.templates.rendering import variables as used_variables
from masteria.tenancy.models import User

NOTIFICATION_KIND = "automation.notify"


class Skipped(Exception):
    """Nothing for the action to act on: ``reason`` says why (the run goes on)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Context:
    session: Session
    clock: Clock
    now: datetime
    rule: AutomationRule
    occurrence: Occurrence
    subject: Subject  # an action may set its lead (create_lead) for the actions after it

    @property
    def actor(self) -> Actor:
        return Actor("automation", self.rule.id)

    def contact(self) -> Contact:
        contact = self.session.get(Contact, self.subject.contact_id) if self.subject.contact_id else None
        if contact is None:
            raise Skipped("no_contact")
        return contact

    def conversation(self, *, lock: bool = False) -> Conversation:
        found = None
        if self.subject.conversation_id is not None:
            found = self.session.get(Conversation, self.subject.conversation_id, with_for_update=lock or None,
                                     populate_existing=lock)  # fmt: skip
        if found is None:
            raise Skipped("no_conversation")
        return found

    def lead(self) -> Lead | None:
        return self.session.get(Lead, self.subject.lead_id) if self.subject.lead_id else None

    def values(self) -> dict[str, str]:
        """The variables' values for this contact and lead (``contact.name``, ``lead.title``, …)."""
        contact, lead = self.contact(), self.lead()
        found = {"name": contact.name, "phone": contact.phone, "email": contact.email, "language": contact.language,
                 "custom_fields": contact.custom_fields}  # fmt: skip
        lead_values = None if lead is None else {k: getattr(lead, k) for k in (*LEAD_FIELDS, "custom_fields")}
        return variable_values(found, lead_values)


def _assign(ctx: Context, index: int, user_ids: list[uuid.UUID], only_unassigned: bool) -> dict[str, Any]:
    conversation = ctx.conversation(lock=True)
    if only_unassigned and conversation.assignee_id is not None:
        raise Skipped("already_assigned")
    active = set(ctx.session.scalars(select(User.id).where(User.id.in_(user_ids), User.is_active.is_(True))))
    if not active:
        raise Invalid("no user to assign", [FieldError(f"actions.{index}", "none is active", code="no_active_user")])
    chosen = user_ids[0]
    if len(user_ids) > 1:  # the team's turn: one counter per rule and action, taken under its row's lock
        turns = ctx.session.scalar(
            insert(AutomationCursor)
            .values(rule_id=ctx.rule.id, action_index=index, company_id=ctx.rule.company_id, turns=1)
            .on_conflict_do_update(
                index_elements=[AutomationCursor.rule_id, AutomationCursor.action_index],
                set_={"turns": AutomationCursor.turns + 1},
            )
            .returning(AutomationCursor.turns)
        )
        team = [u for u in user_ids if u in active]  # in turn among the active ones
        chosen = team[(int(turns or 1) - 1) % len(team)]
    elif chosen not in active:
        raise Invalid(
            "the user is not active", [FieldError(f"actions.{index}.user_id", "inactive", code="user_inactive")]
        )
    changed = conversation.assignee_id != chosen
    assign_to(ctx.session, conversation, chosen)
    return {"user_id": str(chosen), "changed": changed}


def _tag(ctx: Context, action: a.AddTag | a.RemoveTag) -> dict[str, Any]:
    contact = ctx.contact()
    if ctx.session.get(Tag, action.tag_id) is None:
        raise Skipped("tag_deleted")
    change = tags.add_tag if isinstance(action, a.AddTag) else tags.remove_tag
    changed = change(ctx.session, company_id=ctx.rule.company_id, contact_id=contact.id, tag_id=action.tag_id)
    return {"tag_id": str(action.tag_id), "changed": changed}


def _move_lead(ctx: Context, action: a.MoveLead) -> dict[str, Any]:
    stage = ctx.session.get(Stage, action.stage_id)
    if stage is None or stage.archived_at is not None:
        raise Skipped("stage_deleted")
    contact = ctx.contact()
    chosen = [Lead.id == ctx.subject.lead_id] if ctx.subject.lead_id else [Lead.contact_id == contact.id]
    lead = ctx.session.scalars(
        select(Lead)
        .where(*chosen, Lead.pipeline_id == stage.pipeline_id)
        .order_by(Lead.status != "open", Lead.created_at.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if lead is None:
        raise Skipped("no_lead")
    if lead.stage_id == stage.id:
        return {"lead_id": str(lead.id), "moved": False}
    data = LeadMove(to_stage_id=stage.id, version=lead.version, reason=f"automation: {ctx.rule.name}"[:500])
    move_found(session=ctx.session, clock=ctx.clock, principal=None, lead=lead, data=data, by=ctx.actor)
    return {"lead_id": str(lead.id), "moved": True}


def _create_lead(ctx: Context, action: a.CreateLead) -> dict[str, Any]:
    contact = ctx.contact()
    created = leads.create_unless_open(
        ctx.session, title=action.title or contact.name or contact.phone, contact_id=contact.id,
        pipeline_id=action.pipeline_id, stage_id=action.stage_id, owner_id=action.owner_id,
        conversation_id=ctx.subject.conversation_id, source="automation", by=ctx.actor,
    )  # fmt: skip
    if created is None:
        raise Skipped("open_lead_exists")
    ctx.subject.lead_id, ctx.subject.pipeline_id = created.id, created.pipeline_id
    return {"lead_id": str(created.id)}


def _cadence(ctx: Context, action: a.EnrollInCadence | a.RemoveFromCadence) -> dict[str, Any]:
    contact, company = ctx.contact(), ctx.rule.company_id
    if isinstance(action, a.RemoveFromCadence):
        if not enrollment.exit_contact(ctx.session, company_id=company, cadence_id=action.cadence_id,
                                       contact_id=contact.id, reason="automation", now=ctx.now):  # fmt: skip
            raise Skipped("not_enrolled")
        return {"cadence_id": str(action.cadence_id)}
    enrolled = enrollment.enroll(
        ctx.session, company_id=company, cadence_id=action.cadence_id, contact_id=contact.id, source="automation",
        now=ctx.now, lead_id=ctx.subject.lead_id,
    )  # fmt: skip
    if enrolled is None:
        raise Skipped("not_enrollable")
    return {"cadence_id": str(action.cadence_id), "enrollment_id": str(enrolled.id)}


def _send(ctx: Context, index: int, action: a.SendText | a.SendTemplate) -> dict[str, Any]:
    conversation, contact = ctx.conversation(), ctx.contact()
    channel: Literal["whatsapp", "sms"] = "sms" if conversation.channel == "sms" else "whatsapp"
    if consent.is_opted_out(ctx.session, contact.id, channel):
        raise Invalid(
            "opted out", [FieldError(f"actions.{index}", f"opted out of {channel}", code="contact_opted_out")]
        )
    fields: dict[str, Any]
    if isinstance(action, a.SendText):
        window = conversation.window_expires_at
        if channel == "whatsapp" and (window is None or window <= ctx.now):
            raise Invalid("window closed", [FieldError(f"actions.{index}", "only a template", code="window_closed")])
        fields = {"kind": "text", "text": render(action.text, ctx.values(), action.defaults)}
    else:
        template = ctx.session.get(WhatsAppTemplate, action.template_id)
        if template is None or template.connection_id != conversation.connection_id:
            raise Invalid("unknown template", [FieldError(f"actions.{index}.template_id", "not this number's",
                                                          code="unknown_template")])  # fmt: skip
        filling = {"parameters": action.parameters, "defaults": action.defaults}
        # filled now too: a parameter with no value fails the action here, in the run log, not at the send
        template_message(ctx.session, template.id, contact, contact.phone, **filling)
        fields = {"kind": "template", "template_id": template.id, "filling": filling}
    row = AutomationSend(
        id=uuid.uuid4(), company_id=ctx.rule.company_id, rule_id=ctx.rule.id, event_id=ctx.occurrence.event_id,
        action_index=index, conversation_id=conversation.id, **fields,
    )  # fmt: skip
    ctx.session.add(row)
    ctx.session.flush()
    sends.queue(ctx.session, row)
    return {"send_id": str(row.id)}


def _ai(ctx: Context, action: a.HandToAi | a.TakeFromAi) -> dict[str, Any]:
    conversation = ctx.conversation(lock=True)
    if isinstance(action, a.HandToAi):
        if not conversation_state.has_persona(ctx.session, conversation.connection_id):
            raise Skipped("no_persona")
        return {"changed": conversation_state.activate(ctx.session, conversation, now=ctx.now, by=None)}
    stopped = conversation_state.stop_where_taken_over(
        ctx.session, conversation.id, reason=conversation_state.AUTOMATION, now=ctx.now
    )
    if stopped is None:
        raise Skipped("no_ai")
    return {"status": stopped.status}


def _notify(ctx: Context, action: a.Notify) -> dict[str, Any]:
    user_id = action.user_id
    if action.to == "assignee":
        user_id = ctx.conversation().assignee_id
    elif action.to == "lead_owner":
        lead = ctx.lead()
        user_id = lead.owner_id if lead is not None else None
    if action.to != "everyone" and user_id is None:
        raise Skipped(f"no_{action.to}")
    body = render(action.text, ctx.values(), dict.fromkeys(used_variables(action.text), "-"))
    subject = ctx.subject
    data = {"automation_id": str(ctx.rule.id), **{k: str(v) for k, v in (
        ("contact_id", subject.contact_id), ("conversation_id", subject.conversation_id),
        ("lead_id", subject.lead_id)) if v is not None}}  # fmt: skip
    row = notify(ctx.session, company_id=ctx.rule.company_id, kind=NOTIFICATION_KIND, title=ctx.rule.name, body=body,
                 data=data, user_id=user_id if action.to != "everyone" else None)  # fmt: skip
    return {"notification_id": str(row.id)}


def _emit(ctx: Context, action: a.EmitEvent) -> dict[str, Any]:
    custom_events.emit(
        ctx.session, company_id=ctx.rule.company_id, name=action.name, source="automation", source_id=ctx.rule.id,
        contact_id=ctx.subject.contact_id, lead_id=ctx.subject.lead_id, data=action.data,
    )  # fmt: skip
    return {"name": action.name}


def _run(ctx: Context, index: int, action: a.AnyAction) -> dict[str, Any]:
    if isinstance(action, a.AssignUser):
        return _assign(ctx, index, [action.user_id], action.only_unassigned)
    if isinstance(action, a.AssignRoundRobin):
        return _assign(ctx, index, action.user_ids, action.only_unassigned)
    if isinstance(action, a.AddTag | a.RemoveTag):
        return _tag(ctx, action)
    if isinstance(action, a.MoveLead):
        return _move_lead(ctx, action)
    if isinstance(action, a.CreateLead):
        return _create_lead(ctx, action)
    if isinstance(action, a.EnrollInCadence | a.RemoveFromCadence):
        return _cadence(ctx, action)
    if isinstance(action, a.SendText | a.SendTemplate):
        return _send(ctx, index, action)
    if isinstance(action, a.HandToAi | a.TakeFromAi):
        return _ai(ctx, action)
    if isinstance(action, a.Notify):
        return _notify(ctx, action)
    return _emit(ctx, action)


def run_all(ctx: Context, actions: list[a.AnyAction], *, stop_on_failure: bool) -> list[dict[str, Any]]:
    """Each action's result, in order: ``done`` (with its ``detail``), ``skipped`` (``reason``), ``failed``
    (``error``: code and message) or ``not_run`` (after a failure that stopped the run)."""
    results: list[dict[str, Any]] = []
    stopped = False
    for index, action in enumerate(actions):
        result: dict[str, Any] = {"index": index, "type": action.type}
        if stopped:
            results.append({**result, "outcome": "not_run"})
            continue
        try:
            with ctx.session.begin_nested():
                result.update(outcome="done", detail=_run(ctx, index, action))
        except Skipped as skipped:
            result.update(outcome="skipped", reason=skipped.reason)
        except DomainError as error:
            fields = error.errors if isinstance(error, Invalid) else []
            code = fields[0].code if fields else error.error_code
            result.update(outcome="failed", error={"code": code, "message": error.detail[:300]})
        except Exception as error:  # a defect of ours: logged, and the event is not lost for the other actions
            logger.exception("an automation action failed", extra={"rule_id": str(ctx.rule.id), "type": action.type})
            result.update(outcome="failed", error={"code": "unexpected", "message": type(error).__name__})
        stopped = result["outcome"] == "failed" and stop_on_failure
        results.append(result)
    return results
