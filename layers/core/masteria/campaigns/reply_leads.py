"""A campaign may open a lead when a contact replies (its ``reply_lead`` setting): the pipeline, optionally its
stage (default: the pipeline's first open stage) and the lead's owner.

The setting is checked when the campaign is written (another company's pipeline or user is unknown under RLS:
a 422 like any unknown id; a stage must be an active, open stage of that pipeline). A reply attributed to the
campaign (``ledger.attribute_reply``, in the inbound message's transaction) opens the lead through the pipelines'
lead service, once: a recipient's reply is attributed once (its ``replied_at`` is set once), and a contact with
an open lead on the pipeline gets none."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.campaigns.models import Campaign
from masteria.campaigns.schemas import CampaignCreate, CampaignUpdate, ReplyLead
from masteria.errors import FieldError
from masteria.pipelines import leads
from masteria.pipelines.models import Pipeline, Stage
from masteria.tenancy.models import User


def apply(row: Campaign, data: CampaignCreate | CampaignUpdate) -> None:
    if isinstance(data, CampaignUpdate) and data.clear_reply_lead:
        row.reply_lead_pipeline_id = row.reply_lead_stage_id = row.reply_lead_owner_id = None
    elif data.reply_lead is not None:
        setting = data.reply_lead
        row.reply_lead_pipeline_id = setting.pipeline_id
        row.reply_lead_stage_id, row.reply_lead_owner_id = setting.stage_id, setting.owner_id


def read(row: Campaign) -> ReplyLead | None:
    if row.reply_lead_pipeline_id is None:
        return None
    return ReplyLead(
        pipeline_id=row.reply_lead_pipeline_id, stage_id=row.reply_lead_stage_id, owner_id=row.reply_lead_owner_id
    )


def check(session: Session, row: Campaign) -> list[FieldError]:
    """The setting's field errors: an unknown pipeline or owner, a stage that is not an open one of the pipeline."""
    if row.reply_lead_pipeline_id is None:
        return []
    errors: list[FieldError] = []
    if session.get(Pipeline, row.reply_lead_pipeline_id) is None:
        errors.append(_unknown("reply_lead.pipeline_id", row.reply_lead_pipeline_id))
    elif row.reply_lead_stage_id is not None:
        stage = session.get(Stage, row.reply_lead_stage_id)
        if stage is None or stage.pipeline_id != row.reply_lead_pipeline_id:
            errors.append(
                FieldError("reply_lead.stage_id", "not a stage of this pipeline", code="stage_not_in_pipeline")
            )
        elif stage.archived_at is not None or stage.semantic_type in ("won", "lost"):
            errors.append(FieldError("reply_lead.stage_id", "a new lead starts in an open stage", code="stage_closed"))
    if row.reply_lead_owner_id is not None and session.get(User, row.reply_lead_owner_id) is None:
        errors.append(_unknown("reply_lead.owner_id", row.reply_lead_owner_id))
    return errors


def _unknown(field: str, id_: uuid.UUID) -> FieldError:
    return FieldError(field, f"unknown id {id_}", code="unknown_id", params={"id": str(id_)})


def open_leads(
    session: Session, *, contact_id: uuid.UUID, campaign_ids: Iterable[uuid.UUID], conversation_id: uuid.UUID | None
) -> None:
    """The leads of the campaigns a reply was just attributed to, for those that open one."""
    rows = session.scalars(
        select(Campaign)
        .where(Campaign.id.in_(set(campaign_ids)), Campaign.reply_lead_pipeline_id.is_not(None))
        .order_by(Campaign.created_at, Campaign.id)
    ).all()
    for row in rows:
        assert row.reply_lead_pipeline_id is not None  # the query's condition
        leads.create_from_campaign(
            session, campaign_id=row.id, title=row.name, contact_id=contact_id, pipeline_id=row.reply_lead_pipeline_id,
            stage_id=row.reply_lead_stage_id, owner_id=row.reply_lead_owner_id, conversation_id=conversation_id,
        )  # fmt: skip
