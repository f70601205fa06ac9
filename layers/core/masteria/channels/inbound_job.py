"""The message a webhook function puts on the ``inbound`` queue: the provider's body, byte for byte (its
connection's provider parses it in the inbound processor).

A body too large for a queue message (SQS takes 256 KiB; a body of a few hundred statuses is more) goes to the
object store, and the message carries its key instead (a claim check); the processor reads it back."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import datetime

from pydantic import BaseModel

from masteria.ports import MAX_MESSAGE_BYTES, ObjectStore

QUEUE = "inbound"
# Bodies above this travel by claim check (base64 grows them by a third; the rest of the message is small).
INLINE_BYTES = MAX_MESSAGE_BYTES * 2 // 3


class InboundJob(BaseModel):
    company_id: uuid.UUID
    connection_id: uuid.UUID
    received_at: datetime
    body_b64: str = ""  # the raw bytes the provider signed (maybe not even UTF-8: kept whole for the dead letter)
    body_key: str | None = None  # where the body is instead, when it was too large for the queue

    @property
    def body(self) -> bytes:
        if self.body_key is not None and not self.body_b64:
            raise ValueError("the body is in the object store: read it with loaded()")
        return base64.b64decode(self.body_b64)


def new_job(
    *, company_id: uuid.UUID, connection_id: uuid.UUID, received_at: datetime, raw: bytes, store: ObjectStore
) -> InboundJob:
    """The queue message for ``raw``: inline, or with the body put in ``store`` when it is too large."""
    job = InboundJob(company_id=company_id, connection_id=connection_id, received_at=received_at)
    if len(raw) <= INLINE_BYTES:
        return job.model_copy(update={"body_b64": base64.b64encode(raw).decode()})
    key = f"inbound/{company_id}/{received_at:%Y/%m/%d}/{uuid.uuid4()}"
    store.put(key, io.BytesIO(raw))
    return job.model_copy(update={"body_key": key})


def loaded(job: InboundJob, store: ObjectStore) -> InboundJob:
    """``job`` with its body in hand (read from the store for a claim check)."""
    if job.body_key is None or job.body_b64:
        return job
    with store.open(job.body_key) as stream:
        return job.model_copy(update={"body_b64": base64.b64encode(stream.read()).decode()})
