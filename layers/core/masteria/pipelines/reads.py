"""Leads, pipelines and stages as the API reads them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from masteria.ai.progression_models import StageProposal
from masteria.contacts.models import Contact, Tag
from masteria.contacts.schemas import TagRead
from masteria.errors import NotFound
from masteria.pipelines.models import Lead, LeadTag, Pipeline, Stage
from masteria.pipelines.schemas import ContactSummary, LeadRead, LeadSuggestion, PipelineRead, StageRead

_OWN_FIELDS = [k for k in LeadRead.model_fields if k not in ("contact", "tags", "suggestion")]


def pending_suggestion() -> ColumnElement[bool]:
    """The join of a lead to its pending AI suggestion (the partial unique index on ``lead_id``), still made from
    the stage the lead is in (one it has since left is stale: it is not shown, and accepting it is a 409)."""
    return (
        (StageProposal.lead_id == Lead.id)
        & (StageProposal.status == "pending")
        & (StageProposal.from_stage_id == Lead.stage_id)
    )


def read_leads(session: Session, leads: Sequence[Lead]) -> list[LeadRead]:
    """``leads`` with their contacts, tags and pending AI suggestions, in one query for the lot."""
    if not leads:
        return []
    contacts: dict[uuid.UUID, ContactSummary] = {}
    tags: dict[uuid.UUID, list[TagRead]] = defaultdict(list)
    suggestions: dict[uuid.UUID, LeadSuggestion] = {}
    for lead_id, contact_id, name, phone, tag, *suggested in session.execute(
        select(
            Lead.id, Contact.id, Contact.name, Contact.phone, Tag, StageProposal.id, StageProposal.to_stage_id,
            StageProposal.confidence, StageProposal.evidence, StageProposal.agreed_time,
        )
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(LeadTag, LeadTag.lead_id == Lead.id)
        .outerjoin(Tag, Tag.id == LeadTag.tag_id)
        .outerjoin(StageProposal, pending_suggestion())
        .where(Lead.id.in_([lead.id for lead in leads]))
    ):  # fmt: skip
        contacts[contact_id] = ContactSummary(id=contact_id, name=name, phone=phone)
        if tag is not None:
            tags[lead_id].append(TagRead.model_validate(tag))
        if suggested[0] is not None and lead_id not in suggestions:
            suggestion_id, to_stage_id, confidence, evidence, agreed_time = suggested
            suggestions[lead_id] = LeadSuggestion(
                id=suggestion_id, to_stage_id=to_stage_id, confidence=float(confidence), evidence=evidence,
                agreed_time=agreed_time,
            )  # fmt: skip
    return [
        LeadRead.model_validate(
            {
                **{k: getattr(lead, k) for k in _OWN_FIELDS},
                "contact": contacts[lead.contact_id],
                "tags": sorted(tags[lead.id], key=lambda t: t.name.lower()),
                "suggestion": suggestions.get(lead.id),
            }
        )
        for lead in leads
        if lead.contact_id in contacts  # (a lead deleted since it was read is not shown)
    ]


def read_lead(session: Session, lead: Lead) -> LeadRead:
    found = read_leads(session, [lead])
    if not found:
        raise NotFound("lead not found")
    return found[0]


def active_stages(session: Session, pipeline_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Stage]]:
    found: dict[uuid.UUID, list[Stage]] = defaultdict(list)
    if pipeline_ids:
        for stage in session.scalars(
            select(Stage)
            .where(Stage.pipeline_id.in_(pipeline_ids), Stage.archived_at.is_(None))
            .order_by(Stage.pipeline_id, Stage.position, Stage.id)
        ):
            found[stage.pipeline_id].append(stage)
    return found


def read_pipelines(session: Session, pipelines: Sequence[Pipeline]) -> list[PipelineRead]:
    stages = active_stages(session, [p.id for p in pipelines])
    return [
        PipelineRead(
            id=p.id,
            name=p.name,
            stages=[StageRead.model_validate(s) for s in stages[p.id]],
            ai_auto_apply_threshold=float(p.ai_auto_apply_threshold),
            ai_backward_threshold=float(p.ai_backward_threshold),
            ai_may_close=p.ai_may_close,
            created_at=p.created_at,
        )
        for p in pipelines
    ]


def read_pipeline(session: Session, pipeline: Pipeline) -> PipelineRead:
    return read_pipelines(session, [pipeline])[0]
