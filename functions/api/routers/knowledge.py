"""Knowledge bases, their documents (uploads and web pages) and searches."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.errors import FieldError, Invalid, UnsupportedMediaType
from masteria.knowledge import files, service
from masteria.knowledge.schemas import (
    DocumentFromUpload,
    DocumentFromUrl,
    DocumentRead,
    KnowledgeBaseCreate,
    KnowledgeBaseRead,
    KnowledgeBaseUpdate,
    SearchRequest,
    SearchResult,
    Title,
    UploadCreate,
    UploadRead,
)
from masteria.pagination import Page
from masteria.schemas import StrictModel

router = APIRouter(prefix="/v1/knowledge-bases", tags=["knowledge bases"])

_FORM_SLACK = 64 * 1024  # a multipart body's boundaries and fields beside the file
_DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": f"≤ {service.MAX_UPLOAD_MB} MB"},
                        "title": {"type": "string", "maxLength": 300, "description": "omitted: the file's name"},
                    },
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {"oneOf": [DocumentFromUpload.model_json_schema(), DocumentFromUrl.model_json_schema()]}
            },
        },
    }
}


class _UploadFields(StrictModel):
    title: Title | None = None


def _invalid(error: ValidationError) -> RequestValidationError:
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)])


def _json(raw: bytes) -> DocumentFromUpload | DocumentFromUrl:
    """JSON naming an upload (``upload_key``) or a page (``url``)."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None  # the page's model says what is wrong with it
    model = DocumentFromUpload if isinstance(parsed, dict) and "upload_key" in parsed else DocumentFromUrl
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid(error) from error


async def _body(request: Request) -> service.DocumentFile | DocumentFromUrl:
    """A multipart upload (``file``, ``title``), or JSON naming an upload or a page: what the document routes take."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "application/json":
        return _json(await request.body())
    if kind != "multipart/form-data":
        raise UnsupportedMediaType(
            "send a file as multipart/form-data (field file, optional title), or as JSON an upload's {upload_key,"
            " filename} or a page's {url}",
            code="unsupported_body",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > service.MAX_UPLOAD_BYTES + _FORM_SLACK:
        raise service.file_too_large()
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(
            "the form has no file", [FieldError("file", "send the document as the form's file field", code="missing")]
        )
    title = form.get("title")
    try:
        fields = _UploadFields.model_validate({"title": title if isinstance(title, str) and title.strip() else None})
    except ValidationError as error:
        raise _invalid(error) from error
    upload.file.seek(0)
    return files.InlineFile(upload.filename, upload.content_type, upload.file, fields.title)


@router.post("", status_code=status.HTTP_201_CREATED, responses=problems(403, 409), response_model=KnowledgeBaseRead)
def create_knowledge_base(body: KnowledgeBaseCreate, caller: CallerDep, container: ContainerDep) -> KnowledgeBaseRead:
    """A new knowledge base (admin and up); its embedding model is the platform's unless one is named."""
    return service.create_knowledge_base(
        session=caller.session,
        actor=caller.principal,
        embedders=container.embedder_for,
        default_model=container.settings.ai_embedding_model,
        data=body,
    )


@router.get("", response_model=Page[KnowledgeBaseRead])
def list_knowledge_bases(caller: CallerDep, page: PageDep) -> Page[KnowledgeBaseRead]:
    """The company's knowledge bases, newest first, with their documents' and chunks' counts."""
    return service.list_knowledge_bases(session=caller.session, actor=caller.principal, page=page)


@router.get("/{knowledge_base_id}", response_model=KnowledgeBaseRead)
def get_knowledge_base(knowledge_base_id: uuid.UUID, caller: CallerDep) -> KnowledgeBaseRead:
    return service.get_knowledge_base(
        session=caller.session, actor=caller.principal, knowledge_base_id=knowledge_base_id
    )


@router.patch("/{knowledge_base_id}", responses=problems(403, 409), response_model=KnowledgeBaseRead)
def update_knowledge_base(
    knowledge_base_id: uuid.UUID, body: KnowledgeBaseUpdate, caller: CallerDep, container: ContainerDep
) -> KnowledgeBaseRead:
    """Rename or describe it, or change its embedding model: its chunks are then embedded again in the background
    (`state` reembedding, progress as `knowledge.base.progress` on the topic `knowledge_base:{id}`). Admin and up."""
    return service.update_knowledge_base(
        session=caller.session,
        actor=caller.principal,
        embedders=container.embedder_for,
        knowledge_base_id=knowledge_base_id,
        data=body,
        now=container.clock.now(),
    )


@router.delete("/{knowledge_base_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_knowledge_base(knowledge_base_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete it with its documents, their files and chunks (admin and up)."""
    service.delete_knowledge_base(session=caller.session, actor=caller.principal, knowledge_base_id=knowledge_base_id)


@router.post(
    "/{knowledge_base_id}/uploads",
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 415),
    response_model=UploadRead,
)
def start_upload(
    knowledge_base_id: uuid.UUID, body: UploadCreate, request: Request, caller: CallerDep, container: ContainerDep
) -> UploadRead:
    """Send a file (≤ 50 MB) straight to the object store (admin and up): `PUT` its bytes to `upload_url` (no
    Authorization header), then `POST …/documents` (or `PUT …/documents/{id}`) with JSON `{"upload_key", "filename",
    "title"?}`. On AWS the way for a file over a few MB (a request's body is at most 6 MB there)."""
    return service.start_upload(
        session=caller.session,
        actor=caller.principal,
        links=container.upload_links,
        knowledge_base_id=knowledge_base_id,
        data=body,
        base_url=str(request.base_url),
    )


@router.post(
    "/{knowledge_base_id}/documents",
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 415),
    response_model=DocumentRead,
    openapi_extra=_DOCUMENT_BODY,
)
async def add_document(
    knowledge_base_id: uuid.UUID, request: Request, caller: CallerDep, container: ContainerDep
) -> DocumentRead:
    """Add a document (admin and up): a file as `multipart/form-data` (`file`: .txt, .md, .pdf, .docx, .csv of
    questions and answers, .html; ≤ 20 MB; optional `title`), a file sent to an upload as JSON `{"upload_key",
    "filename", "title"?}` (≤ 50 MB: `POST …/uploads`), or a web page as JSON `{"url", "title"?}`. It is ingested in
    the background: follow `status` here or `knowledge.document.progress` on `knowledge_base:{id}`."""
    body = await _body(request)
    now = container.clock.now()
    if isinstance(body, DocumentFromUrl):
        return await run_in_threadpool(
            service.add_page,
            session=caller.session,
            actor=caller.principal,
            knowledge_base_id=knowledge_base_id,
            data=body,
            now=now,
            allow_private=container.settings.webhooks_allow_private,
        )
    return await run_in_threadpool(
        service.upload_document,
        session=caller.session,
        actor=caller.principal,
        store=container.object_store,
        knowledge_base_id=knowledge_base_id,
        file=body,
        now=now,
    )


@router.get("/{knowledge_base_id}/documents", response_model=Page[DocumentRead])
def list_documents(knowledge_base_id: uuid.UUID, caller: CallerDep, page: PageDep) -> Page[DocumentRead]:
    """The knowledge base's documents, newest first, each with its status, progress and error."""
    return service.list_documents(
        session=caller.session, actor=caller.principal, knowledge_base_id=knowledge_base_id, page=page
    )


@router.get("/{knowledge_base_id}/documents/{document_id}", response_model=DocumentRead)
def get_document(knowledge_base_id: uuid.UUID, document_id: uuid.UUID, caller: CallerDep) -> DocumentRead:
    return service.get_document(
        session=caller.session, actor=caller.principal, knowledge_base_id=knowledge_base_id, document_id=document_id
    )


@router.put(
    "/{knowledge_base_id}/documents/{document_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(403, 415),
    response_model=DocumentRead,
    openapi_extra=_DOCUMENT_BODY,
)
async def replace_document(
    knowledge_base_id: uuid.UUID, document_id: uuid.UUID, request: Request, caller: CallerDep, container: ContainerDep
) -> DocumentRead:
    """A new file for the document (in the form, or an upload's as JSON `{"upload_key", "filename"}`; or a page's
    address, fetched again): ingested anew, its chunks replaced once that succeeds; until then the version before is
    still searched (admin and up)."""
    body = await _body(request)
    now = container.clock.now()
    if isinstance(body, DocumentFromUrl):
        return await run_in_threadpool(
            service.refetch_page,
            session=caller.session,
            actor=caller.principal,
            knowledge_base_id=knowledge_base_id,
            document_id=document_id,
            data=body,
            now=now,
            allow_private=container.settings.webhooks_allow_private,
        )
    return await run_in_threadpool(
        service.replace_document,
        session=caller.session,
        actor=caller.principal,
        store=container.object_store,
        knowledge_base_id=knowledge_base_id,
        document_id=document_id,
        file=body,
        now=now,
    )


@router.delete(
    "/{knowledge_base_id}/documents/{document_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT
)
def delete_document(knowledge_base_id: uuid.UUID, document_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete the document, its file and its chunks (admin and up)."""
    service.delete_document(
        session=caller.session, actor=caller.principal, knowledge_base_id=knowledge_base_id, document_id=document_id
    )


@router.post("/{knowledge_base_id}/search", responses=problems(502, 503), response_model=SearchResult)
def search(
    knowledge_base_id: uuid.UUID, body: SearchRequest, caller: CallerDep, container: ContainerDep
) -> SearchResult:
    """The passages that best answer `question` (vector and full-text searches fused), as the AI gets them, with
    each passage's similarity and ranks (any user of the company)."""
    return service.search(
        session=caller.session,
        actor=caller.principal,
        embedders=container.embedder_for,
        knowledge_base_id=knowledge_base_id,
        data=body,
    )
