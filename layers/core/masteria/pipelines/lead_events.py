"""The lead.* domain events, built from a lead as it is after its change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from masteria.event_payloads import (
    LeadCreatedPayload,
    LeadLostPayload,
    LeadStageChangedPayload,
    LeadUpdatedPayload,
    LeadWonPayload,
)
from masteria.events import record_event
from masteria.pipelines.models import Lead, StageChange


def _fields(lead: Lead) -> dict[str, Any]:
    return {
        "lead_id": lead.id,
        "pipeline_id": lead.pipeline_id,
        "stage_id": lead.stage_id,
        "owner_id": lead.owner_id,
        "version": lead.version,
    }


def created(session: Session, lead: Lead) -> None:
    payload = LeadCreatedPayload(**_fields(lead), contact_id=lead.contact_id, source=lead.source)
    record_event(session, company_id=lead.company_id, payload=payload)


def updated(session: Session, lead: Lead, changed: list[str], *, previous_owner: Any = None) -> None:
    payload = LeadUpdatedPayload(**_fields(lead), changed=changed, rank=lead.rank, previous_owner_id=previous_owner)
    record_event(session, company_id=lead.company_id, payload=payload)


def stage_changed(session: Session, lead: Lead, change: StageChange) -> None:
    """lead.stage_changed, and lead.won or lead.lost when the lead was closed by the move."""
    record_event(
        session,
        company_id=lead.company_id,
        payload=LeadStageChangedPayload(
            **_fields(lead),
            from_stage_id=change.from_stage_id,
            to_stage_id=change.to_stage_id,
            rank=lead.rank,
            actor_kind=change.actor_kind,
            actor_id=change.actor_id,
            reason=change.reason,
        ),
    )


def closed(session: Session, lead: Lead) -> None:
    model = LeadWonPayload if lead.status == "won" else LeadLostPayload
    payload = model(
        **_fields(lead),
        contact_id=lead.contact_id,
        reason=lead.close_reason or "",
        value=lead.value,
        currency=lead.currency,
    )
    record_event(session, company_id=lead.company_id, payload=payload)
