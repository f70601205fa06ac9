"""SMS texts before they are sent: encoding, segments and the estimated cost."""

from __future__ import annotations

from fastapi import APIRouter

from functions.api.deps import CallerDep, ContainerDep
from functions.api.error_docs import problems
from masteria.channels import sms_segments as service
from masteria.channels.sms_segments import SmsSegmentsRead, SmsSegmentsRequest

router = APIRouter(prefix="/v1/sms", tags=["sms"])


@router.post("/segments", responses=problems(404), response_model=SmsSegmentsRead)
def count_segments(body: SmsSegmentsRequest, caller: CallerDep, container: ContainerDep) -> SmsSegmentsRead:
    """How `text` travels as SMS: GSM-7 (160 characters, 153 per part when longer) or UCS-2 when a character is
    not in the GSM alphabet (70, 67 per part), the characters that force UCS-2, and the segments it is billed in.
    With an SMS `connection_id` (another company's is a 404, a WhatsApp one a 422), the cost at its price."""
    return service.estimate(session=caller.session, actor=caller.principal, keys=container.company_keys, data=body)
