"""The knowledge bases' background work: a document's ingestion, and a knowledge base's re-embedding.

Both are queued through the transactional outbox (``queue_document``, ``queue_reembed``: a job of the caller's
transaction) onto one queue, consumed by ``functions/workers/knowledge_ingester``.

Ingestion of a document (``run_document``): read the original (or fetch the page) → extract → chunk → embed in
batches, its progress committed and pushed (``knowledge.document.progress``) as it goes → write every chunk in ONE
transaction that first deletes the document's chunks, so a search sees the old version or the new one, never a
mix and never a part. The chunks are written only while the knowledge base still has the model they were embedded
with (its row is read under a share lock, which a model change waits for); otherwise they are embedded again with
the new one. A document that cannot be ingested (unreadable, encrypted, empty, a page that cannot be fetched, a
model that refuses) is marked ``failed`` with an error code and message, its chunks deleted, and the company gets
a notification. A model that is only unavailable for now (rate limits, timeouts) fails the run instead: the queue
delivers the job again, and the sweeper takes it up after the run's heartbeat stops.

Work in hand is fenced and expires as contact imports do (``contacts.import_jobs``): a document's ``version``
fences its uploads (a job of an older upload does nothing), ``attempt`` its runs (a run that was replaced stops at
its next commit without writing), ``expires_at`` is the heartbeat the sweeper (``sweep``) watches; after
``MAX_STALLS`` runs that stopped without finishing, the document fails. A knowledge base's re-embedding is fenced
by its ``generation`` (one per model change) and its ``reembed_attempt``.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import httpx
from pydantic import Field, TypeAdapter
from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session

from masteria.ai.errors import RETRYABLE, ModelError
from masteria.db import Database
from masteria.event_payloads import KnowledgeBaseProgressPayload, KnowledgeDocumentProgressPayload
from masteria.events import record_event
from masteria.jobs import past, record_job
from masteria.knowledge import files
from masteria.knowledge.chunking import Chunk, chunk_sections, counter_for
from masteria.knowledge.extraction import ExtractionError, extract
from masteria.knowledge.fetch import FetchError, fetch_page
from masteria.knowledge.models import KnowledgeBase, KnowledgeChunk, KnowledgeDocument
from masteria.knowledge.retrieval import vector_literal
from masteria.notifications import service as notifications
from masteria.observability import logger
from masteria.ports import Clock, Embedder, ObjectStore
from masteria.schemas import StrictModel

QUEUE = "knowledge-ingest"
QUEUED_EXPIRY = timedelta(minutes=30)  # a job not started by then (lost, dead-lettered) is queued again
HEARTBEAT_EXPIRY = timedelta(minutes=10)  # a run commits its progress every few seconds
MAX_STALLS = 3
SWEEP_BATCH = 200
MAX_CHUNKS = 10_000  # a document of more is refused (about 3,000,000 tokens: a 6,000-page book)
MAX_SOURCE_BYTES = files.MAX_STORED_BYTES
EMBED_BATCH = 128  # chunks per call to the embedder
PROGRESS_SECONDS = 1.0  # at most one progress commit a second
REEMBED_BATCH = 256  # chunks read, embedded and written per transaction of a re-embedding
RUN_SECONDS = 600.0  # a re-embedding run hands over to a new job of its own after this (the function's timeout)
MAX_MODEL_CHANGES = 3  # times an ingestion embeds again because its knowledge base changed model meanwhile
IN_HAND = ("queued", "processing")
REEMBEDDING = ("reembed_queued", "reembedding")

Embedders = Callable[[str], Embedder]


class IngestJob(StrictModel):
    """Ingest version ``version`` of a document."""

    kind: Literal["ingest"] = "ingest"
    company_id: uuid.UUID
    document_id: uuid.UUID
    version: int


class ReembedJob(StrictModel):
    """Re-embed a knowledge base's chunks with the model of its generation ``generation``."""

    kind: Literal["reembed"] = "reembed"
    company_id: uuid.UUID
    knowledge_base_id: uuid.UUID
    generation: int


Job = Annotated[IngestJob | ReembedJob | files.DeleteFilesJob, Field(discriminator="kind")]
_jobs: TypeAdapter[IngestJob | ReembedJob | files.DeleteFilesJob] = TypeAdapter(Job)


def parse_job(body: str | bytes) -> IngestJob | ReembedJob | files.DeleteFilesJob:
    return _jobs.validate_json(body)


class Superseded(Exception):
    """This run's work was taken up by another run, or its document changed: it stops without writing."""


class Failure(Exception):
    """The document cannot be ingested: ``code`` for translation, the message for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# ---- progress ------------------------------------------------------------------------------------


def progress_payload(row: KnowledgeDocument) -> KnowledgeDocumentProgressPayload:
    """``knowledge.document.progress`` as ``row`` stands now."""
    return KnowledgeDocumentProgressPayload(
        knowledge_base_id=row.knowledge_base_id,
        document_id=row.id,
        version=row.version,
        status=row.status,
        processed=row.processed_chunks,
        total=row.total_chunks,
        error_code=row.error_code,
    )


def base_payload(row: KnowledgeBase) -> KnowledgeBaseProgressPayload:
    """``knowledge.base.progress`` as ``row`` stands now."""
    return KnowledgeBaseProgressPayload(
        knowledge_base_id=row.id,
        state="ready" if row.state == "ready" else "reembedding",
        embedding_model=row.embedding_model,
        processed=row.reembed_processed,
        total=row.reembed_total,
    )


def _document_event(session: Session, row: KnowledgeDocument) -> None:
    record_event(session, company_id=row.company_id, payload=progress_payload(row))


# ---- queueing ------------------------------------------------------------------------------------


def _record(session: Session, row: KnowledgeDocument, now: datetime) -> None:
    row.status, row.expires_at = "queued", now + QUEUED_EXPIRY
    job = IngestJob(company_id=row.company_id, document_id=row.id, version=row.version)
    record_job(session, company_id=row.company_id, queue=QUEUE, body=job.model_dump_json())
    _document_event(session, row)


def queue_document(session: Session, row: KnowledgeDocument, now: datetime) -> None:
    """Queue the ingestion of ``row``'s current version (its job an outbox job of the caller's transaction)."""
    row.processed_chunks, row.total_chunks, row.pages, row.stalls = 0, None, None, 0
    row.error_code = row.error_message = None
    _record(session, row, now)


def queue_file_deletion(session: Session, company_id: uuid.UUID, keys: Sequence[str]) -> None:
    """Remove ``keys`` from the object store once the caller's transaction commits (``files.DeleteFilesJob``)."""
    for start in range(0, len(keys), files.DELETE_BATCH):
        job = files.DeleteFilesJob(company_id=company_id, keys=list(keys[start : start + files.DELETE_BATCH]))
        record_job(session, company_id=company_id, queue=QUEUE, body=job.model_dump_json())


def _pending_chunks(session: Session, row: KnowledgeBase) -> int:
    """Chunks of ``row`` not embedded with its model."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(KnowledgeChunk)
            .where(KnowledgeChunk.knowledge_base_id == row.id, KnowledgeChunk.embedding_model != row.embedding_model)
        )
        or 0
    )


def _record_reembed(session: Session, row: KnowledgeBase, now: datetime) -> None:
    row.state, row.reembed_expires_at = "reembed_queued", now + QUEUED_EXPIRY
    job = ReembedJob(company_id=row.company_id, knowledge_base_id=row.id, generation=row.generation)
    record_job(session, company_id=row.company_id, queue=QUEUE, body=job.model_dump_json())
    record_event(session, company_id=row.company_id, payload=base_payload(row))


def queue_reembed(session: Session, row: KnowledgeBase, now: datetime) -> None:
    """``row`` has a new model (set by the caller, whose transaction holds its row): re-embed its chunks in the
    background. A new generation fences off any re-embedding still running for the model before."""
    row.generation += 1
    row.reembed_total, row.reembed_processed, row.reembed_stalls = _pending_chunks(session, row), 0, 0
    if row.reembed_total == 0:
        row.state, row.reembed_expires_at = "ready", None
        record_event(session, company_id=row.company_id, payload=base_payload(row))
        return
    _record_reembed(session, row, now)


def needs_reembed(session: Session, row: KnowledgeBase) -> bool:
    """Whether ``row`` is ready yet holds chunks of another model (a re-embedding that stopped)."""
    return row.state == "ready" and _pending_chunks(session, row) > 0


# ---- one document --------------------------------------------------------------------------------


def _held(row: KnowledgeDocument, now: datetime) -> bool:
    return row.status == "processing" and row.expires_at is not None and row.expires_at > now


def _locked(session: Session, job: IngestJob, attempt: int) -> KnowledgeDocument:
    """The job's document, locked, if this run still holds it; ``Superseded`` otherwise."""
    row = session.get(KnowledgeDocument, job.document_id, with_for_update=True)
    if row is None or row.version != job.version or row.attempt != attempt or row.status != "processing":
        raise Superseded(f"document {job.document_id}: run {attempt} of version {job.version} replaced")
    return row


def _release(db: Database, job: IngestJob, attempt: int, clock: Clock) -> None:
    """A run that failed lets go of its document at once (a redelivery or the sweeper takes it up)."""
    with db.tenant(job.company_id) as session:
        row = session.get(KnowledgeDocument, job.document_id, with_for_update=True)
        if row is not None and row.version == job.version and row.attempt == attempt and row.status == "processing":
            row.expires_at = clock.now()


def _mark_failed(session: Session, row: KnowledgeDocument, code: str, message: str, now: datetime) -> None:
    """``row`` failed: no chunks left (none half-written), the error on it, a notification for the company."""
    session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.document_id == row.id))
    row.status, row.error_code, row.error_message = "failed", code[:64], message[:500]
    row.chunk_count, row.expires_at = 0, None
    notifications.notify(
        session,
        company_id=row.company_id,
        kind="knowledge_document.failed",
        title="A knowledge base document could not be read",
        body=f"{row.title}: {message}"[:1000],
        data={
            "knowledge_base_id": str(row.knowledge_base_id),
            "document_id": str(row.id),
            "title": row.title,
            "code": code,
        },
    )
    _document_event(session, row)
    logger.info("knowledge document failed", extra={"document_id": str(row.id), "code": code})


def _source(store: ObjectStore, http: httpx.Client, row: dict[str, Any]) -> tuple[bytes, str, str | None]:
    """The document's bytes, format and declared encoding: the stored original, or the page fetched now."""
    if row["source"] == "url":
        page = fetch_page(http, row["url"])
        return page.data, page.format, page.encoding
    if not row["object_key"] or not store.exists(row["object_key"]):
        raise Failure("document_missing", "the uploaded file is missing: upload it again")
    with store.open(row["object_key"]) as stored:
        return stored.read(MAX_SOURCE_BYTES + 1), row["format"], None


def _embed(embedder: Embedder, chunks: Sequence[Chunk]) -> list[list[float]]:
    vectors = embedder.embed([c.embedding_input for c in chunks]).vectors
    if len(vectors) != len(chunks) or any(len(v) != embedder.dimensions for v in vectors):
        raise Failure("embedding_failed", f"the embedding model {embedder.model} answered vectors of another shape")
    return vectors


def _copy(session: Session, table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
    """COPY ``rows`` into a temporary ``table`` (COPY FROM does not run on tables under row-level security)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    cursor: Any = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", stream=buffer)


_INSERT_CHUNKS = text(
    "INSERT INTO knowledge_chunks (company_id, knowledge_base_id, document_id, position, heading, text,"
    " token_count, embedding, dimensions, embedding_model)"
    " SELECT :company, :base, :document, position, coalesce(heading, ''), body, token_count, CAST(embedding AS vector),"
    " :dimensions, :model FROM knowledge_staging"
)


def _write(
    *,
    db: Database,
    job: IngestJob,
    attempt: int,
    clock: Clock,
    embedder: Embedder,
    chunks: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
) -> str | None:
    """Replace the document's chunks with ``chunks``, in one transaction; the knowledge base's model instead when
    it is no longer ``embedder``'s (nothing written)."""
    with db.tenant(job.company_id) as session:
        row = _locked(session, job, attempt)
        base = session.scalars(
            select(KnowledgeBase).where(KnowledgeBase.id == row.knowledge_base_id).with_for_update(read=True)
        ).one()
        if base.embedding_model != embedder.model:
            return base.embedding_model
        session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.document_id == row.id))
        session.execute(
            text(
                "CREATE TEMP TABLE IF NOT EXISTS knowledge_staging (position int, heading text, body text,"
                " token_count int, embedding text) ON COMMIT DELETE ROWS"
            )
        )
        _copy(
            session,
            "knowledge_staging",
            "position, heading, body, token_count, embedding",
            [
                [c.position, c.heading, c.text, c.token_count, vector_literal(v)]
                for c, v in zip(chunks, vectors, strict=True)
            ],
        )
        session.execute(
            _INSERT_CHUNKS,
            {
                "company": job.company_id,
                "base": row.knowledge_base_id,
                "document": row.id,
                "dimensions": embedder.dimensions,
                "model": embedder.model,
            },
        )
        now = clock.now()
        row.status, row.processed_chunks, row.total_chunks, row.chunk_count = (
            "ready",
            len(chunks),
            len(chunks),
            len(chunks),
        )
        row.ingested_at, row.expires_at, row.error_code, row.error_message = now, None, None, None
        _document_event(session, row)
    return None


class _Progress:
    """Commits a run's progress (and its heartbeat) at most once every ``PROGRESS_SECONDS``."""

    def __init__(self, db: Database, job: IngestJob, attempt: int, clock: Clock) -> None:
        self._db, self._job, self._attempt, self._clock = db, job, attempt, clock
        self._last = 0.0

    def update(self, *, force: bool = False, **fields: Any) -> None:
        if not force and time.monotonic() - self._last < PROGRESS_SECONDS:
            return
        with self._db.tenant(self._job.company_id) as session:
            row = _locked(session, self._job, self._attempt)
            for name, value in fields.items():
                setattr(row, name, value)
            row.expires_at = self._clock.now() + HEARTBEAT_EXPIRY
            _document_event(session, row)
        self._last = time.monotonic()


def _ingest(
    *,
    db: Database,
    store: ObjectStore,
    clock: Clock,
    embedders: Embedders,
    http: httpx.Client,
    job: IngestJob,
    attempt: int,
    row: dict[str, Any],
) -> None:
    progress = _Progress(db, job, attempt, clock)
    data, format, encoding = _source(store, http, row)
    if len(data) > MAX_SOURCE_BYTES:
        raise Failure("file_too_large", f"the document is larger than {files.MAX_STORED_MB} MB")
    extracted = extract(data, format, encoding=encoding)
    model = row["model"]
    for _ in range(MAX_MODEL_CHANGES):
        try:
            embedder = embedders(model)
        except ValueError as error:
            raise Failure("embedding_failed", f"the embedding model {model} is not available: {error}") from error
        chunks = chunk_sections(extracted.sections, count=counter_for(embedder))
        if not chunks:
            raise Failure("document_empty", "the document has no text to learn from")
        if len(chunks) > MAX_CHUNKS:
            raise Failure("document_too_long", f"the document makes more than {MAX_CHUNKS} passages: split it")
        fields: dict[str, Any] = {"total_chunks": len(chunks), "processed_chunks": 0, "pages": extracted.pages}
        if row["title_from_page"] and extracted.title:
            fields["title"] = extracted.title
        progress.update(force=True, **fields)
        vectors: list[list[float]] = []
        for start in range(0, len(chunks), EMBED_BATCH):
            vectors += _embed(embedder, chunks[start : start + EMBED_BATCH])
            progress.update(processed_chunks=len(vectors))
        changed = _write(
            db=db, job=job, attempt=attempt, clock=clock, embedder=embedder, chunks=chunks, vectors=vectors
        )
        if changed is None:
            return
        model = changed  # the knowledge base moved to another model meanwhile: embed again with that one
    raise Failure("embedding_failed", "the knowledge base's embedding model kept changing: upload the document again")


def run_document(
    *, db: Database, store: ObjectStore, clock: Clock, embedders: Embedders, http: httpx.Client, job: IngestJob
) -> None:
    """Ingest the job's document (its version), unless it was done, replaced, deleted, or another run holds it."""
    with db.tenant(job.company_id) as session:
        found = session.get(KnowledgeDocument, job.document_id, with_for_update=True)
        if found is None or found.version != job.version or found.status not in IN_HAND:
            return  # deleted, uploaded again since (that upload has its own job), or a repeated delivery
        if _held(found, clock.now()):
            return  # a repeated message while another run holds it; the sweeper takes it up if that run stops
        found.status, found.attempt = "processing", found.attempt + 1
        found.expires_at = clock.now() + HEARTBEAT_EXPIRY
        attempt = found.attempt
        base = session.get_one(KnowledgeBase, found.knowledge_base_id)
        row = {
            "source": found.source,
            "url": found.url,
            "object_key": found.object_key,
            "format": found.format,
            "model": base.embedding_model,
            "title_from_page": found.source == "url" and found.title == (found.url or "")[:300],
        }
        _document_event(session, found)
    try:
        try:
            _ingest(db=db, store=store, clock=clock, embedders=embedders, http=http, job=job, attempt=attempt, row=row)
        except (ExtractionError, FetchError) as unreadable:
            raise Failure(unreadable.code, str(unreadable)) from unreadable
        except ModelError as error:
            if error.category in RETRYABLE:
                raise
            raise Failure(
                "embedding_failed", f"the embedding model refused the document ({error.category.value})"
            ) from error
    except Failure as failure:
        with db.tenant(job.company_id) as session:
            try:
                current = _locked(session, job, attempt)
            except Superseded:
                return
            _mark_failed(session, current, failure.code, failure.message, clock.now())
    except Superseded:
        logger.info("knowledge ingestion replaced by a newer run", extra={"document_id": str(job.document_id)})
    except BaseException:
        _release(db, job, attempt, clock)
        raise


# ---- a knowledge base's re-embedding -------------------------------------------------------------


def _locked_base(session: Session, job: ReembedJob, attempt: int) -> KnowledgeBase:
    row = session.get(KnowledgeBase, job.knowledge_base_id, with_for_update=True)
    if row is None or row.generation != job.generation or row.reembed_attempt != attempt or row.state != "reembedding":
        raise Superseded(f"knowledge base {job.knowledge_base_id}: re-embedding run {attempt} replaced")
    return row


_UPDATE_CHUNKS = text(
    "UPDATE knowledge_chunks c SET embedding = CAST(s.embedding AS vector), dimensions = :dimensions,"
    " embedding_model = :model FROM reembed_staging s WHERE c.id = s.id AND c.embedding_model <> :model"
)


def run_reembed(
    *, db: Database, clock: Clock, embedders: Embedders, job: ReembedJob, budget_seconds: float = RUN_SECONDS
) -> None:
    """Embed the knowledge base's chunks with its model, a batch per transaction; after ``budget_seconds`` the
    rest is handed to a new job (the same generation)."""
    deadline = time.monotonic() + budget_seconds
    with db.tenant(job.company_id) as session:
        found = session.get(KnowledgeBase, job.knowledge_base_id, with_for_update=True)
        if found is None or found.generation != job.generation or found.state not in REEMBEDDING:
            return
        now = clock.now()
        if found.state == "reembedding" and found.reembed_expires_at is not None and found.reembed_expires_at > now:
            return  # another run holds it
        found.state, found.reembed_attempt = "reembedding", found.reembed_attempt + 1
        found.reembed_expires_at = now + HEARTBEAT_EXPIRY
        attempt, model = found.reembed_attempt, found.embedding_model
        record_event(session, company_id=job.company_id, payload=base_payload(found))
    try:
        embedder = embedders(model)
        while True:
            with db.tenant(job.company_id) as session:
                base = _locked_base(session, job, attempt)
                batch = session.execute(
                    select(KnowledgeChunk.id, KnowledgeChunk.heading, KnowledgeChunk.text)
                    .where(KnowledgeChunk.knowledge_base_id == base.id, KnowledgeChunk.embedding_model != model)
                    .order_by(KnowledgeChunk.id)
                    .limit(REEMBED_BATCH)
                ).all()
                if not batch:
                    base.state, base.reembed_expires_at = "ready", None
                    base.reembed_processed = max(base.reembed_processed, base.reembed_total)
                    record_event(session, company_id=job.company_id, payload=base_payload(base))
                    logger.info("knowledge base re-embedded", extra={"knowledge_base_id": str(base.id)})
                    return
            inputs = [Chunk(0, heading, body, 0).embedding_input for _, heading, body in batch]
            vectors = embedder.embed(inputs).vectors
            if len(vectors) != len(batch) or any(len(v) != embedder.dimensions for v in vectors):
                raise ValueError(f"the embedding model {model} answered vectors of another shape")
            with db.tenant(job.company_id) as session:
                base = _locked_base(session, job, attempt)  # FOR UPDATE: an ingestion's write waits for this one
                session.execute(
                    text(
                        "CREATE TEMP TABLE IF NOT EXISTS reembed_staging (id uuid, embedding text)"
                        " ON COMMIT DELETE ROWS"
                    )
                )
                _copy(
                    session,
                    "reembed_staging",
                    "id, embedding",
                    [[i, vector_literal(v)] for (i, _, _), v in zip(batch, vectors, strict=True)],
                )
                updated = session.execute(_UPDATE_CHUNKS, {"dimensions": embedder.dimensions, "model": model})
                base.reembed_processed += int(updated.rowcount or 0)  # type: ignore[attr-defined]
                base.reembed_expires_at = clock.now() + HEARTBEAT_EXPIRY
                if time.monotonic() >= deadline:
                    _record_reembed(session, base, clock.now())  # the rest in a new run (a new function call)
                    return
                record_event(session, company_id=job.company_id, payload=base_payload(base))
    except Superseded:
        logger.info("re-embedding replaced", extra={"knowledge_base_id": str(job.knowledge_base_id)})
    except BaseException:
        with db.tenant(job.company_id) as session:
            row = session.get(KnowledgeBase, job.knowledge_base_id, with_for_update=True)
            if row is not None and row.generation == job.generation and row.reembed_attempt == attempt:
                row.reembed_expires_at = clock.now()  # let the sweeper take it up at once
        raise


# ---- the sweeper ---------------------------------------------------------------------------------


def sweep(*, db: Database, clock: Clock, until: float | None = None) -> dict[str, int]:
    """Every company's documents and re-embeddings in hand past their expiry: queued again, or (after
    ``MAX_STALLS`` runs that stopped) failed; those left when the time budget ``until`` is spent wait."""
    now = clock.now()
    with db.job_sweep() as session:
        documents = session.execute(
            select(KnowledgeDocument.company_id, KnowledgeDocument.id)
            .where(
                KnowledgeDocument.status.in_(IN_HAND),
                or_(KnowledgeDocument.expires_at.is_(None), KnowledgeDocument.expires_at < now),
            )
            .limit(SWEEP_BATCH)
        ).all()
        bases = session.execute(
            select(KnowledgeBase.company_id, KnowledgeBase.id)
            .where(
                KnowledgeBase.state.in_(REEMBEDDING),
                or_(KnowledgeBase.reembed_expires_at.is_(None), KnowledgeBase.reembed_expires_at < now),
            )
            .limit(SWEEP_BATCH)
        ).all()
    counts = {"requeued": 0, "failed": 0, "reembeds_requeued": 0, "reembeds_stopped": 0}
    for company_id, document_id in documents:
        if past(until):
            break
        with db.tenant(company_id) as session:
            row = session.get(KnowledgeDocument, document_id, with_for_update=True)
            if row is None or row.status not in IN_HAND or (row.expires_at is not None and row.expires_at >= now):
                continue  # finished or moving meanwhile
            if row.status == "processing":
                row.stalls += 1
            if row.stalls >= MAX_STALLS:
                _mark_failed(
                    session, row, "ingestion_stalled",
                    f"the ingestion stopped {row.stalls} times without finishing; upload the document again",
                    now,
                )  # fmt: skip
                counts["failed"] += 1
            else:
                _record(session, row, now)
                counts["requeued"] += 1
    for company_id, base_id in bases:
        if past(until):
            break
        with db.tenant(company_id) as session:
            base = session.get(KnowledgeBase, base_id, with_for_update=True)
            if base is None or base.state not in REEMBEDDING:
                continue
            if base.reembed_expires_at is not None and base.reembed_expires_at >= now:
                continue
            if base.state == "reembedding":
                base.reembed_stalls += 1
            if base.reembed_stalls >= MAX_STALLS:
                base.state, base.reembed_expires_at = "ready", None
                notifications.notify(
                    session,
                    company_id=company_id,
                    kind="knowledge_base.reembed_stopped",
                    title="A knowledge base's re-embedding stopped",
                    body=f"{base.name}: embedding its passages with {base.embedding_model} stopped"
                    f" {base.reembed_stalls} times; the passages not yet done are found by full text only. Save the"
                    " model again to retry.",
                    data={"knowledge_base_id": str(base.id), "model": base.embedding_model},
                )
                record_event(session, company_id=company_id, payload=base_payload(base))
                counts["reembeds_stopped"] += 1
            else:
                _record_reembed(session, base, now)
                counts["reembeds_requeued"] += 1
    if any(counts.values()):
        logger.info("knowledge work swept", extra=counts)
    return counts
