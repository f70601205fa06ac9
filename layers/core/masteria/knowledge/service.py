"""Use cases of knowledge bases and their documents: create, list, read, update, delete; upload, fetch, replace;
search. Admins and owners manage them; every user of the company may read and search them.

An upload stores the original in the object store (inline, or copied from an upload the client sent straight to
it: ``files``) and queues its ingestion (``ingestion.queue_document``: an outbox job of the same transaction); a
page is fetched by the job itself. A new upload of a document bumps its ``version``: its job replaces the chunks,
and a job of an older version does nothing. A file no document needs any more (deleted, replaced) is removed once
that commits. Changing a knowledge base's embedding model re-embeds its chunks in the background (``ingestion``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria import streams
from masteria.ai.errors import RETRYABLE, ModelError
from masteria.db import save_unique
from masteria.errors import FieldError, Invalid, NotFound, Permanent, Transient, UnsupportedMediaType
from masteria.knowledge import files, ingestion, retrieval
from masteria.knowledge.extraction import ExtractionError, detect_format
from masteria.knowledge.models import KnowledgeBase, KnowledgeChunk, KnowledgeDocument
from masteria.knowledge.schemas import (
    DocumentFromUpload,
    DocumentFromUrl,
    DocumentRead,
    KnowledgeBaseCreate,
    KnowledgeBaseRead,
    KnowledgeBaseUpdate,
    PassageRead,
    SearchRequest,
    SearchResult,
    UploadCreate,
    UploadRead,
)
from masteria.media import UploadLinks
from masteria.pagination import Page, PageRequest, paginate
from masteria.ports import Embedder, ObjectStore
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from masteria.webhooks.ssrf import Resolver, UnsafeUrl, check_url, resolve

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a file in the request itself (multipart); larger ones go through an upload
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // (1024 * 1024)
SUPPORTED = ".txt, .md, .pdf, .docx, .csv (questions and answers), .html"

Embedders = Callable[[str], Embedder]  # a model's name to its embedder (``Container.embedder_for``)
DocumentFile = files.InlineFile | DocumentFromUpload


# ---- knowledge bases -----------------------------------------------------------------------------


def _base(session: Session, knowledge_base_id: uuid.UUID, *, lock: bool = False) -> KnowledgeBase:
    statement = select(KnowledgeBase).where(KnowledgeBase.id == knowledge_base_id)
    row = session.scalars(statement.with_for_update() if lock else statement).first()
    if row is None:
        raise NotFound("knowledge base not found")
    return row


def _embedder(embedders: Embedders, model: str) -> Embedder:
    try:
        return embedders(model)
    except ValueError as error:
        raise Invalid(
            f"the embedding model {model} cannot be used: {error}",
            [FieldError("embedding_model", str(error), code="unknown_embedding_model", params={"model": model})],
        ) from error


def _base_read(session: Session, row: KnowledgeBase) -> KnowledgeBaseRead:
    documents = session.scalar(
        select(func.count()).select_from(KnowledgeDocument).where(KnowledgeDocument.knowledge_base_id == row.id)
    )
    chunks = session.scalar(
        select(func.count()).select_from(KnowledgeChunk).where(KnowledgeChunk.knowledge_base_id == row.id)
    )
    fields = {name: getattr(row, name) for name in KnowledgeBaseRead.model_fields if hasattr(row, name)}
    return KnowledgeBaseRead.model_validate(
        {
            **fields,
            "state": "ready" if row.state == "ready" else "reembedding",  # queued or under way
            "document_count": documents or 0,
            "chunk_count": chunks or 0,
        }
    )


def create_knowledge_base(
    *, session: Session, actor: Principal, embedders: Embedders, default_model: str, data: KnowledgeBaseCreate
) -> KnowledgeBaseRead:
    """A new, empty knowledge base; its embedding model is the platform's unless one is named (admin and up)."""
    actor.require(Role.ADMIN)
    model = data.embedding_model or default_model
    embedder = _embedder(embedders, model)
    row = KnowledgeBase(
        company_id=actor.company_id,
        name=data.name,
        description=data.description,
        embedding_model=embedder.model,
        dimensions=embedder.dimensions,
        created_by=actor.user_id,
    )
    save_unique(session, row, f"a knowledge base named {data.name} exists already", name=data.name)
    return _base_read(session, row)


def list_knowledge_bases(*, session: Session, actor: Principal, page: PageRequest) -> Page[KnowledgeBaseRead]:
    """The company's knowledge bases, newest first."""
    rows, cursor = paginate(
        session, select(KnowledgeBase), keys=[KnowledgeBase.created_at, KnowledgeBase.id], page=page
    )
    return Page[KnowledgeBaseRead](items=[_base_read(session, r) for r in rows], next_cursor=cursor)


def get_knowledge_base(*, session: Session, actor: Principal, knowledge_base_id: uuid.UUID) -> KnowledgeBaseRead:
    return _base_read(session, _base(session, knowledge_base_id))


def update_knowledge_base(
    *,
    session: Session,
    actor: Principal,
    embedders: Embedders,
    knowledge_base_id: uuid.UUID,
    data: KnowledgeBaseUpdate,
    now: datetime,
) -> KnowledgeBaseRead:
    """Rename, describe, or change the embedding model: every chunk is then embedded again in the background (state
    ``reembedding`` until done; searches meanwhile find the chunks not yet done by full text). Admin and up."""
    actor.require(Role.ADMIN)
    row = _base(session, knowledge_base_id, lock=True)
    if data.name is not None:
        row.name = data.name
    if data.description is not None:
        row.description = data.description
    if data.embedding_model is not None:
        embedder = _embedder(embedders, data.embedding_model)
        # the same model again re-runs a re-embedding that stopped part-way
        if embedder.model != row.embedding_model or ingestion.needs_reembed(session, row):
            row.embedding_model, row.dimensions = embedder.model, embedder.dimensions
            ingestion.queue_reembed(session, row, now)
    save_unique(session, row, f"a knowledge base named {row.name} exists already", name=row.name)
    return _base_read(session, row)


def delete_knowledge_base(*, session: Session, actor: Principal, knowledge_base_id: uuid.UUID) -> None:
    """The knowledge base with its documents, their files and chunks (admin and up). Jobs still queued for it find
    nothing."""
    actor.require(Role.ADMIN)
    row = _base(session, knowledge_base_id, lock=True)
    keys = session.scalars(
        select(KnowledgeDocument.object_key).where(
            KnowledgeDocument.knowledge_base_id == row.id, KnowledgeDocument.object_key.is_not(None)
        )
    )
    ingestion.queue_file_deletion(session, row.company_id, [key for key in keys if key])
    session.delete(row)
    session.flush()


# ---- documents -----------------------------------------------------------------------------------


def _document(
    session: Session, knowledge_base_id: uuid.UUID, document_id: uuid.UUID, *, lock: bool = False
) -> KnowledgeDocument:
    statement = select(KnowledgeDocument).where(
        KnowledgeDocument.id == document_id, KnowledgeDocument.knowledge_base_id == knowledge_base_id
    )
    row = session.scalars(statement.with_for_update() if lock else statement).first()
    if row is None:
        raise NotFound("document not found")
    return row


def document_read(row: KnowledgeDocument) -> DocumentRead:
    error = {"code": row.error_code, "message": row.error_message or ""} if row.error_code else None
    return DocumentRead.model_validate(
        {
            **{name: getattr(row, name) for name in DocumentRead.model_fields if name != "error"},
            "error": error,
        }
    )


def file_too_large() -> Invalid:
    return streams.too_large("file", MAX_UPLOAD_BYTES)


def _read_upload(data: IO[bytes]) -> bytes:
    """The whole upload, refused past ``MAX_UPLOAD_BYTES`` (read no further than one byte beyond)."""
    content = data.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise file_too_large()
    return content


def _original(store: ObjectStore, actor: Principal, knowledge_base_id: uuid.UUID, file: DocumentFile) -> files.Original:
    if isinstance(file, DocumentFromUpload):
        return files.uploaded(store, company_id=actor.company_id, knowledge_base_id=knowledge_base_id, upload=file)
    return files.inline(_read_upload(file.data), file.filename, file.content_type)


def _format_of(filename: str | None, content_type: str | None, head: bytes) -> str:
    try:
        found = detect_format(filename, content_type, head[: files.HEAD_BYTES])
    except ExtractionError as error:
        raise UnsupportedMediaType(
            f"{error}; a knowledge base reads {SUPPORTED}", code="unsupported_format", params={"formats": SUPPORTED}
        ) from error
    if found is None:
        raise UnsupportedMediaType(
            f"{filename or 'this file'} is not a kind of document a knowledge base reads: {SUPPORTED}",
            code="unsupported_format",
            params={"formats": SUPPORTED},
        )
    return found  # an empty file fails on the document (its error, a notification), as unreadable ones do


def _default_title(filename: str | None) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem.strip() or "Document")[:300]


def _store_file(session: Session, store: ObjectStore, row: KnowledgeDocument, original: files.Original) -> None:
    """Store ``original`` as the file of ``row``'s version ``version`` (a key of its own: a removal still queued for
    an earlier file never reaches it), and queue the removal of the file before and of the upload it came from."""
    before = row.object_key
    row.source, row.url = "upload", None
    row.filename = (original.filename or "")[:255] or None
    row.content_type = (original.content_type or "")[:255] or None
    row.size_bytes = original.size
    row.object_key = files.original_key(row.company_id, row.id, row.version)
    original.store(store, row.object_key)
    ingestion.queue_file_deletion(session, row.company_id, [k for k in (before, original.upload_key) if k])


def start_upload(
    *,
    session: Session,
    actor: Principal,
    links: UploadLinks,
    knowledge_base_id: uuid.UUID,
    data: UploadCreate,
    base_url: str = "",
) -> UploadRead:
    """Where to send a file (≤ 50 MB) straight to the object store, for a document of this knowledge base: then name
    its ``upload_key`` to add (or replace) the document (admin and up)."""
    actor.require(Role.ADMIN)
    base = _base(session, knowledge_base_id)
    if data.size_bytes > files.MAX_STORED_BYTES:
        raise streams.too_large("size_bytes", files.MAX_STORED_BYTES)
    _format_of(data.filename, data.content_type, b"")
    key = files.new_upload_key(actor.company_id, base.id)
    url, expires = links.url(key, max_bytes=files.MAX_STORED_BYTES, base_url=base_url)
    return UploadRead(upload_key=key, upload_url=url, expires_at=expires, max_bytes=files.MAX_STORED_BYTES)


def upload_document(
    *,
    session: Session,
    actor: Principal,
    store: ObjectStore,
    knowledge_base_id: uuid.UUID,
    file: DocumentFile,
    now: datetime,
) -> DocumentRead:
    """A document from a file (text, Markdown, PDF, DOCX, a CSV of questions and answers, HTML): in the request
    (≤ 20 MB) or an upload's (≤ 50 MB), queued for ingestion (admin and up)."""
    actor.require(Role.ADMIN)
    base = _base(session, knowledge_base_id)
    original = _original(store, actor, base.id, file)
    format = _format_of(original.filename, original.content_type, original.head)
    row = KnowledgeDocument(
        id=uuid.uuid4(),
        company_id=actor.company_id,
        knowledge_base_id=base.id,
        title=(file.title or _default_title(original.filename))[:300],
        source="upload",
        format=format,
        version=1,
        created_by=actor.user_id,
    )
    _store_file(session, store, row, original)
    session.add(row)
    session.flush()
    ingestion.queue_document(session, row, now)
    session.flush()
    session.refresh(row)
    return document_read(row)


def _checked_url(url: str, *, allow_private: bool, resolver: Resolver) -> str:
    try:
        return check_url(url, allow_http=True, allow_private=allow_private, resolver=resolver).url
    except UnsafeUrl as error:
        raise Invalid(
            f"we will not fetch this URL: {error}", [FieldError("url", str(error), code="page_url_refused")]
        ) from error


def add_page(
    *,
    session: Session,
    actor: Principal,
    knowledge_base_id: uuid.UUID,
    data: DocumentFromUrl,
    now: datetime,
    allow_private: bool = False,
    resolver: Resolver = resolve,
) -> DocumentRead:
    """A document from a web page (http or https, public addresses only), fetched by its ingestion job (admin and
    up). Its title, when none is given, is the page's own once fetched."""
    actor.require(Role.ADMIN)
    base = _base(session, knowledge_base_id)
    url = _checked_url(data.url, allow_private=allow_private, resolver=resolver)
    row = KnowledgeDocument(
        company_id=actor.company_id,
        knowledge_base_id=base.id,
        title=(data.title or url)[:300],
        source="url",
        format="html",
        url=url,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    ingestion.queue_document(session, row, now)
    session.flush()
    session.refresh(row)
    return document_read(row)


def replace_document(
    *,
    session: Session,
    actor: Principal,
    store: ObjectStore,
    knowledge_base_id: uuid.UUID,
    document_id: uuid.UUID,
    file: DocumentFile,
    now: datetime,
) -> DocumentRead:
    """A new file for a document (in the request, or an upload's): ingested again, its chunks replaced once that
    succeeds (admin and up). The chunks of the version before stay searchable meanwhile."""
    actor.require(Role.ADMIN)
    row = _document(session, knowledge_base_id, document_id, lock=True)
    original = _original(store, actor, knowledge_base_id, file)
    row.format = _format_of(original.filename, original.content_type, original.head)
    if file.title:
        row.title = file.title[:300]
    elif row.source == "url":
        row.title = _default_title(original.filename)
    row.version += 1
    _store_file(session, store, row, original)
    ingestion.queue_document(session, row, now)
    session.flush()
    session.refresh(row)
    return document_read(row)


def refetch_page(
    *,
    session: Session,
    actor: Principal,
    knowledge_base_id: uuid.UUID,
    document_id: uuid.UUID,
    data: DocumentFromUrl,
    now: datetime,
    allow_private: bool = False,
    resolver: Resolver = resolve,
) -> DocumentRead:
    """A document's content from a web page (again, or instead of its file): fetched and ingested anew."""
    actor.require(Role.ADMIN)
    row = _document(session, knowledge_base_id, document_id, lock=True)
    url = _checked_url(data.url, allow_private=allow_private, resolver=resolver)
    if data.title:
        row.title = data.title[:300]
    elif row.source != "url" or row.title == row.url:
        row.title = url[:300]
    if row.object_key:  # the file it had: no longer needed
        ingestion.queue_file_deletion(session, row.company_id, [row.object_key])
    row.source, row.format, row.url, row.object_key = "url", "html", url, None
    row.filename, row.content_type, row.size_bytes = None, None, 0
    row.version += 1
    ingestion.queue_document(session, row, now)
    session.flush()
    session.refresh(row)
    return document_read(row)


def list_documents(
    *, session: Session, actor: Principal, knowledge_base_id: uuid.UUID, page: PageRequest
) -> Page[DocumentRead]:
    """A knowledge base's documents, newest first, with their status, progress and error."""
    _base(session, knowledge_base_id)
    statement = select(KnowledgeDocument).where(KnowledgeDocument.knowledge_base_id == knowledge_base_id)
    rows, cursor = paginate(session, statement, keys=[KnowledgeDocument.created_at, KnowledgeDocument.id], page=page)
    return Page[DocumentRead](items=[document_read(r) for r in rows], next_cursor=cursor)


def get_document(
    *, session: Session, actor: Principal, knowledge_base_id: uuid.UUID, document_id: uuid.UUID
) -> DocumentRead:
    return document_read(_document(session, knowledge_base_id, document_id))


def delete_document(
    *, session: Session, actor: Principal, knowledge_base_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    """The document, its file and its chunks (admin and up); its job, if still queued, finds nothing to do."""
    actor.require(Role.ADMIN)
    row = _document(session, knowledge_base_id, document_id, lock=True)
    if row.object_key:
        ingestion.queue_file_deletion(session, row.company_id, [row.object_key])
    session.delete(row)
    session.flush()


# ---- search --------------------------------------------------------------------------------------


def search(
    *,
    session: Session,
    actor: Principal,
    embedders: Embedders,
    knowledge_base_id: uuid.UUID,
    data: SearchRequest,
) -> SearchResult:
    """The passages that best answer a question, as the AI responder would get them (any user of the company)."""
    base = _base(session, knowledge_base_id)
    try:
        embedder = embedders(base.embedding_model)
    except ValueError as error:
        raise Permanent(f"the knowledge base's embedding model is not available: {error}") from error
    try:
        passages = retrieval.retrieve(
            session, embedder=embedder, knowledge_base_ids=[base.id], question=data.question, k=data.k
        )
    except ModelError as error:
        if error.category in RETRYABLE:
            raise Transient(f"the embedding model is unavailable ({error.category.value})") from error
        raise Permanent(f"the embedding model refused the question ({error.category.value})") from error
    return SearchResult(
        passages=[PassageRead.model_validate(p, from_attributes=True) for p in passages],
        best_similarity=retrieval.best_similarity(passages),
        embedding_model=embedder.model,
    )
