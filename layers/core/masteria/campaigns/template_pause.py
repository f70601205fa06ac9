"""A running campaign whose WhatsApp template Meta paused or disabled pauses too, saying why: Meta would refuse
every send meanwhile (error 132015 or 132016), and a user resumes it once the template is back."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.campaigns.models import Campaign
from masteria.campaigns.states import pause_for


def pause_campaigns_using(session: Session, *, template_id: uuid.UUID, reason: str, now: datetime) -> list[uuid.UUID]:
    """Pause every running campaign that sends ``template_id``; returns their ids."""
    running = session.scalars(
        select(Campaign)
        .where(Campaign.whatsapp_template_id == template_id, Campaign.status == "running")
        .order_by(Campaign.id)
        .with_for_update()
    ).all()
    for campaign in running:
        pause_for(session, campaign, reason, now)
    return [c.id for c in running]
