"""A knowledge document's stored file: where it is kept, how it gets there, and how it goes.

The original of an uploaded document is kept at ``knowledge/{company}/{document}.{version}``. It comes either inline (a
multipart request the API read) or as an upload the client sent straight to the object store: ``POST …/uploads``
names a key under ``uploads/knowledge/{company}/{knowledge base}/`` and gives a URL to ``PUT`` the file to (on AWS a
request's body is at most 6 MB; PDFs are often larger). Naming that key on the document copies the upload into
place; the upload itself is removed afterwards, and one never named expires with the bucket's ``uploads/`` rule.

Files are removed only once the transaction that stops needing them has committed: a ``DeleteFilesJob`` on the
ingestion queue, an outbox job of that transaction (``ingestion.queue_file_deletion``), so a rollback never loses a
document's file and a crash never keeps one for good.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import IO, Literal

from pydantic import Field

from masteria import streams
from masteria.errors import FieldError, Invalid
from masteria.knowledge.schemas import DocumentFromUpload
from masteria.ports import ObjectStore
from masteria.schemas import StrictModel

UPLOAD_PREFIX = "uploads/knowledge"
MAX_STORED_BYTES = 50 * 1024 * 1024  # a document's file, however it came (the ingestion reads no more)
MAX_STORED_MB = MAX_STORED_BYTES // (1024 * 1024)
HEAD_BYTES = 8  # what the format's detection reads of the content (a PDF's or a ZIP's magic)
DELETE_BATCH = 500  # keys per deletion job


def original_key(company_id: uuid.UUID, document_id: uuid.UUID, version: int) -> str:
    """Where a document's version keeps its file: never the key of an earlier one (whose removal may be queued)."""
    return f"knowledge/{company_id}/{document_id}.{version}"


def new_upload_key(company_id: uuid.UUID, knowledge_base_id: uuid.UUID) -> str:
    return f"{UPLOAD_PREFIX}/{company_id}/{knowledge_base_id}/{uuid.uuid4()}"


@dataclass(frozen=True)
class InlineFile:
    """A document's file in the request itself (multipart), not read yet."""

    filename: str | None
    content_type: str | None
    data: IO[bytes]
    title: str | None = None


@dataclass(frozen=True)
class Original:
    """A document's file before it is stored: as the client named it, its size and first bytes, and where its bytes
    are (``content`` read by the API, or the upload at ``upload_key``)."""

    filename: str | None
    content_type: str | None
    size: int
    head: bytes
    content: bytes | None = None
    upload_key: str | None = None

    def store(self, store: ObjectStore, key: str) -> None:
        if self.content is not None:
            store.put(key, io.BytesIO(self.content))
            return
        assert self.upload_key is not None
        with store.open(self.upload_key) as source:
            store.put(key, source)


def inline(content: bytes, filename: str | None, content_type: str | None) -> Original:
    return Original(filename, content_type, len(content), content[:HEAD_BYTES], content=content)


def _unknown() -> Invalid:
    return Invalid(
        "this is not an upload of this knowledge base",
        [FieldError("upload_key", "ask POST …/uploads of this knowledge base for one", code="unknown_upload")],
    )


def uploaded(
    store: ObjectStore, *, company_id: uuid.UUID, knowledge_base_id: uuid.UUID, upload: DocumentFromUpload
) -> Original:
    """The upload ``upload`` names, checked: one of this knowledge base's keys (another company's or another base's is
    unknown), its file sent, within the size limit."""
    key = upload.upload_key
    prefix = f"{UPLOAD_PREFIX}/{company_id}/{knowledge_base_id}/"
    try:
        if not key.startswith(prefix) or str(uuid.UUID(key[len(prefix) :])) != key[len(prefix) :]:
            raise _unknown()
    except ValueError as error:
        raise _unknown() from error
    size = store.size(key)
    if size is None:
        raise Invalid(
            "no file was sent to this upload (its URL expired, or the PUT failed): upload it again",
            [FieldError("upload_key", "no file was sent to it", code="upload_missing")],
        )
    if size > MAX_STORED_BYTES:
        raise streams.too_large("upload_key", MAX_STORED_BYTES)
    with store.open(key) as stream:
        head = stream.read(HEAD_BYTES)
    return Original(upload.filename, upload.content_type, size, head, upload_key=key)


class DeleteFilesJob(StrictModel):
    """Remove these files of a company's knowledge bases (their documents are gone, or were given other files)."""

    kind: Literal["delete_files"] = "delete_files"
    company_id: uuid.UUID
    keys: list[str] = Field(min_length=1, max_length=DELETE_BATCH)


def run_deletion(*, store: ObjectStore, job: DeleteFilesJob) -> int:
    """Remove the job's files (again, when redelivered: a missing one is no error); only the job's company's
    knowledge files, whatever the job names. How many it named of them."""
    own = (f"knowledge/{job.company_id}/", f"{UPLOAD_PREFIX}/{job.company_id}/")
    keys = [key for key in job.keys if key.startswith(own)]
    for key in keys:
        store.delete(key)
    return len(keys)
