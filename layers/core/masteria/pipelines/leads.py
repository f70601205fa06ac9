"""Leads: create one (by hand, through the API, from a conversation, from a campaign reply), read, change, delete;
notes on a lead.

A contact has at most one open lead per pipeline (a partial unique index: a second is a 409 naming the first).
A new lead goes to the top of its stage; its creation is the first row of its history."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from masteria.contacts.models import Contact, Tag
from masteria.contacts.reads import contact_or_404
from masteria.conversations.models import Conversation
from masteria.conversations.service import visible_to
from masteria.db import get_or_404
from masteria.errors import Conflict, Forbidden, NotFound
from masteria.pipelines import lead_events
from masteria.pipelines.access import check_owner, lead_or_404, pipeline_or_404, stage_or_404
from masteria.pipelines.models import Lead, LeadNote, LeadTag, Pipeline, Stage, StageChange
from masteria.pipelines.moves import Actor, conflict, top_of
from masteria.pipelines.reads import read_lead
from masteria.pipelines.schemas import LeadCreate, LeadFromConversation, LeadNoteRead, LeadRead, LeadUpdate, NoteCreate
from masteria.tenancy.models import Role, User
from masteria.tenancy.service import Principal


def _first_open_stage(session: Session, pipeline_id: uuid.UUID) -> uuid.UUID:
    """The pipeline's first active stage that is neither won nor lost."""
    found = session.scalar(
        select(Stage.id)
        .where(
            Stage.pipeline_id == pipeline_id,
            Stage.archived_at.is_(None),
            Stage.semantic_type.is_(None) | Stage.semantic_type.not_in(("won", "lost")),
        )
        .order_by(Stage.position)
        .limit(1)
    )
    if found is None:
        raise Conflict("the pipeline has no open stage", code="no_open_stage")
    return found


def _check_tags(session: Session, tag_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    unique = list(dict.fromkeys(tag_ids))
    if unique and len(set(session.scalars(select(Tag.id).where(Tag.id.in_(unique))))) != len(unique):
        raise NotFound("tag not found")
    return unique


def _check_user(session: Session, user_id: uuid.UUID | None) -> None:
    if user_id is not None:
        get_or_404(session, User, user_id, "user")


def _set_tags(session: Session, lead: Lead, tag_ids: list[uuid.UUID]) -> None:
    session.execute(delete(LeadTag).where(LeadTag.lead_id == lead.id))
    if tag_ids:
        session.execute(
            insert(LeadTag).values([{"lead_id": lead.id, "tag_id": t, "company_id": lead.company_id} for t in tag_ids])
        )


def _create(
    session: Session,
    actor: Principal | None,  # None: no user (a campaign reply's lead)
    *,
    fields: LeadCreate | LeadFromConversation,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID | None,
    contact: Contact,
    title: str,
    source: str,
    conversation_id: uuid.UUID | None,
    by: Actor | None,
    campaign_id: uuid.UUID | None = None,
) -> LeadRead:
    pipeline_or_404(session, pipeline_id)
    if actor is not None:
        check_owner(actor, fields.owner_id)
    _check_user(session, fields.owner_id)
    tag_ids = _check_tags(session, fields.tag_ids)
    stage = stage_or_404(session, pipeline_id, stage_id or _first_open_stage(session, pipeline_id), lock=True)
    if stage.semantic_type in ("won", "lost"):
        raise Conflict("a new lead starts open: choose an open stage", code="lead_starts_open")
    lead = Lead(
        company_id=contact.company_id, pipeline_id=pipeline_id, stage_id=stage.id, contact_id=contact.id,
        conversation_id=conversation_id, campaign_id=campaign_id, title=title, value=fields.value,
        currency=fields.currency, owner_id=fields.owner_id, source=source, custom_fields=dict(fields.custom_fields),
        next_step=fields.next_step,
        due_date=fields.due_date, rank=top_of(session, stage), created_by=actor.user_id if actor else None,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(lead)
            session.flush()
    except IntegrityError as error:
        existing = session.scalar(
            select(Lead).where(Lead.pipeline_id == pipeline_id, Lead.contact_id == contact.id, Lead.status == "open")
        )
        if existing is None:
            raise
        raise conflict(
            session, existing, f"the contact already has an open lead ({existing.id}) on this pipeline",
            "open_lead_exists",
        ) from error  # fmt: skip
    session.refresh(lead)
    _set_tags(session, lead, tag_ids)
    who = by or Actor("user", actor.user_id if actor else None)
    session.add(
        StageChange(
            company_id=lead.company_id, lead_id=lead.id, pipeline_id=pipeline_id, from_stage_id=None,
            to_stage_id=stage.id, actor_kind=who.kind, actor_id=who.id, reason=None, lead_version=lead.version,
            moved_at=lead.created_at,
        )
    )  # fmt: skip
    if fields.note:
        author = actor.user_id if actor else None
        session.add(LeadNote(company_id=lead.company_id, lead_id=lead.id, author_id=author, body=fields.note))
    lead_events.created(session, lead)
    return read_lead(session, lead)


def create_lead(*, session: Session, actor: Principal, data: LeadCreate) -> LeadRead:
    """Create a lead by hand or through the API (``source`` says which; ``import`` for a client's import)."""
    contact = contact_or_404(session, data.contact_id)
    if data.conversation_id is not None:
        conversation = _visible_conversation(session, actor, data.conversation_id)
        if conversation.contact_id != contact.id:
            raise Conflict("the conversation is another contact's", code="conversation_contact")
    return _create(
        session, actor, fields=data, pipeline_id=data.pipeline_id, stage_id=data.stage_id, contact=contact,
        title=data.title, source=data.source, conversation_id=data.conversation_id, by=None,
    )  # fmt: skip


def _visible_conversation(session: Session, actor: Principal, conversation_id: uuid.UUID) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not visible_to(session, actors=[actor], conversation_ids=[conversation_id]):
        raise NotFound("conversation not found")
    return conversation


def create_from_conversation(
    *, session: Session, actor: Principal, conversation_id: uuid.UUID, data: LeadFromConversation
) -> LeadRead:
    """ "Create lead" in the inbox: a lead for the conversation's contact, linked to the conversation, on the
    company's first pipeline unless another is named."""
    conversation = _visible_conversation(session, actor, conversation_id)
    contact = session.get_one(Contact, conversation.contact_id)
    pipeline_id = data.pipeline_id or session.scalar(
        select(Pipeline.id).order_by(Pipeline.created_at, Pipeline.id).limit(1)
    )
    if pipeline_id is None:
        raise Conflict("the company has no pipeline", code="no_pipeline")
    return _create(
        session, actor, fields=data, pipeline_id=pipeline_id, stage_id=data.stage_id, contact=contact,
        title=data.title or contact.name or contact.phone, source="conversation", conversation_id=conversation.id,
        by=None,
    )  # fmt: skip


def create_from_campaign(
    session: Session,
    *,
    campaign_id: uuid.UUID,
    title: str,
    contact_id: uuid.UUID,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
    conversation_id: uuid.UUID | None,
) -> LeadRead | None:
    """A contact replied to a campaign that opens leads: a lead (source ``campaign``, moved by an automation: the
    campaign) on its pipeline, in its stage or the first open one (``create_unless_open``: a reply is never refused
    for its lead)."""
    return create_unless_open(
        session, title=title, contact_id=contact_id, pipeline_id=pipeline_id, stage_id=stage_id, owner_id=owner_id,
        conversation_id=conversation_id, source="campaign", by=Actor("automation", campaign_id),
        campaign_id=campaign_id,
    )  # fmt: skip


def create_unless_open(
    session: Session,
    *,
    title: str,
    contact_id: uuid.UUID,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
    conversation_id: uuid.UUID | None,
    source: str,
    by: Actor,
    campaign_id: uuid.UUID | None = None,
) -> LeadRead | None:
    """A lead made with no user (a campaign reply's, an automation rule's) on ``pipeline_id``, in ``stage_id`` or
    the first open one. None, and nothing done, when the contact has an open lead there already (even one made at
    this moment by someone else), or the pipeline is gone or has no open stage left."""
    contact = session.get_one(Contact, contact_id)
    open_lead = select(Lead.id).where(
        Lead.pipeline_id == pipeline_id, Lead.contact_id == contact_id, Lead.status == "open"
    )
    if session.get(Pipeline, pipeline_id) is None or session.scalar(open_lead) is not None:
        return None
    stage = session.get(Stage, stage_id) if stage_id else None
    if stage is None or stage.archived_at is not None or stage.semantic_type in ("won", "lost"):
        stage_id = None  # archived or closing since it was chosen: the first open stage
    try:
        return _create(
            session, None, fields=LeadFromConversation(owner_id=owner_id), pipeline_id=pipeline_id,
            stage_id=stage_id, contact=contact, title=title, source=source, conversation_id=conversation_id, by=by,
            campaign_id=campaign_id,
        )  # fmt: skip
    except Conflict as error:
        if error.error_code in ("open_lead_exists", "no_open_stage"):
            return None
        raise


def get_lead(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> LeadRead:
    return read_lead(session, lead_or_404(session, actor, lead_id))


def update_lead(*, session: Session, actor: Principal, lead_id: uuid.UUID, data: LeadUpdate) -> LeadRead:
    """Change some fields (custom_fields merge, a null value removes that field; tag_ids replace the tags).
    With ``version``: 409 and the current lead when it changed since."""
    lead = lead_or_404(session, actor, lead_id, lock=True)
    return update_found(session=session, actor=actor, lead=lead, data=data)


def update_found(*, session: Session, actor: Principal | None, lead: Lead, data: LeadUpdate) -> LeadRead:
    """``update_lead`` of a lead already found and locked by the caller; ``actor`` None: a change without a user
    (the AI's: value, next step, custom fields), which may not give the lead to anyone."""
    if data.version is not None and data.version != lead.version:
        raise conflict(session, lead, "the lead changed since you saw it", "lead_changed")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version", "tag_ids"})
    for key in ("title", "currency"):
        if key in changes and changes[key] is None:
            del changes[key]
    previous_owner = lead.owner_id
    if "owner_id" in changes:
        if actor is None:
            raise Forbidden("only a user gives a lead to someone", code="lead_owner_forbidden")
        check_owner(actor, changes["owner_id"], current=lead.owner_id)
        _check_user(session, changes["owner_id"])
    if "custom_fields" in changes:
        merged = {**lead.custom_fields, **(changes["custom_fields"] or {})}
        changes["custom_fields"] = {k: v for k, v in merged.items() if v is not None}
    changed = sorted(k for k, v in changes.items() if getattr(lead, k) != v)
    for key in changed:
        setattr(lead, key, changes[key])
    if data.tag_ids is not None:
        tag_ids = _check_tags(session, data.tag_ids)
        current = set(session.scalars(select(LeadTag.tag_id).where(LeadTag.lead_id == lead.id)))
        if current != set(tag_ids):
            _set_tags(session, lead, tag_ids)
            changed.append("tags")
    if changed:
        lead.version += 1
        session.flush()
        session.refresh(lead)
        lead_events.updated(
            session, lead, sorted(changed), previous_owner=previous_owner if "owner_id" in changed else None
        )
    return read_lead(session, lead)


def delete_lead(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> None:
    """Delete a lead and its history (admin and up)."""
    actor.require(Role.ADMIN)
    session.delete(lead_or_404(session, actor, lead_id))


def add_note(*, session: Session, actor: Principal, lead_id: uuid.UUID, data: NoteCreate) -> LeadNoteRead:
    lead = lead_or_404(session, actor, lead_id)
    note = LeadNote(company_id=actor.company_id, lead_id=lead.id, author_id=actor.user_id, body=data.body)
    session.add(note)
    session.flush()
    session.refresh(note)
    return LeadNoteRead.model_validate(note)
