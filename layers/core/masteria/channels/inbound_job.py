"""The message the Meta webhook function puts on the ``inbound`` queue: Meta's body, byte for byte."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from pydantic import BaseModel

QUEUE = "inbound"


class InboundJob(BaseModel):
    company_id: uuid.UUID
    connection_id: uuid.UUID
    received_at: datetime
    body_b64: str  # the raw bytes Meta signed (they may not even be valid UTF-8: kept whole for the dead letter)

    @property
    def body(self) -> bytes:
        return base64.b64decode(self.body_b64)
