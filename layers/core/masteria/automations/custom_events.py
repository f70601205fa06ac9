"""``custom.event``: a named event an automation rule's action or a cadence's ``emit_event`` step sends to the
company's webhook endpoints (and its live clients), recorded in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.orm import Session

from masteria.event_payloads import CustomEventPayload
from masteria.events import record_event


def emit(
    session: Session,
    *,
    company_id: uuid.UUID,
    name: str,
    source: Literal["automation", "cadence"],
    source_id: uuid.UUID,
    contact_id: uuid.UUID | None,
    lead_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    payload = CustomEventPayload(
        name=name, source=source, source_id=source_id, contact_id=contact_id, lead_id=lead_id, data=dict(data or {})
    )
    record_event(session, company_id=company_id, payload=payload)
