"""Leads, pipelines and stages as the API reads them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.contacts.models import Contact, Tag
from masteria.contacts.schemas import TagRead
from masteria.errors import NotFound
from masteria.pipelines.models import Lead, LeadTag, Pipeline, Stage
from masteria.pipelines.schemas import ContactSummary, LeadRead, PipelineRead, StageRead

_OWN_FIELDS = [k for k in LeadRead.model_fields if k not in ("contact", "tags")]


def read_leads(session: Session, leads: Sequence[Lead]) -> list[LeadRead]:
    """``leads`` with their contacts and tags, in one query for the lot."""
    if not leads:
        return []
    contacts: dict[uuid.UUID, ContactSummary] = {}
    tags: dict[uuid.UUID, list[TagRead]] = defaultdict(list)
    for lead_id, contact_id, name, phone, tag in session.execute(
        select(Lead.id, Contact.id, Contact.name, Contact.phone, Tag)
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(LeadTag, LeadTag.lead_id == Lead.id)
        .outerjoin(Tag, Tag.id == LeadTag.tag_id)
        .where(Lead.id.in_([lead.id for lead in leads]))
    ):
        contacts[contact_id] = ContactSummary(id=contact_id, name=name, phone=phone)
        if tag is not None:
            tags[lead_id].append(TagRead.model_validate(tag))
    return [
        LeadRead.model_validate(
            {
                **{k: getattr(lead, k) for k in _OWN_FIELDS},
                "contact": contacts[lead.contact_id],
                "tags": sorted(tags[lead.id], key=lambda t: t.name.lower()),
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
            created_at=p.created_at,
        )
        for p in pipelines
    ]


def read_pipeline(session: Session, pipeline: Pipeline) -> PipelineRead:
    return read_pipelines(session, [pipeline])[0]
