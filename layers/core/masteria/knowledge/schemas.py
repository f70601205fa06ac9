"""Knowledge bases, documents and searches as the API speaks them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from masteria.schemas import ReadModel, StrictModel

Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Description = Annotated[str, StringConstraints(max_length=1000)]
ModelName = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300)]
FileName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
MediaType = Annotated[str, StringConstraints(max_length=255)]
BaseState = Literal["ready", "reembedding"]
DocumentStatus = Literal["queued", "processing", "ready", "failed"]
DocumentFormat = Literal["text", "markdown", "pdf", "docx", "csv", "html"]
MAX_K = 20


class KnowledgeBaseCreate(StrictModel):
    name: Name = Field(examples=["FAQ da loja"])
    description: Description = ""
    embedding_model: ModelName | None = Field(
        default=None,
        description="the embedding model of every chunk; omitted: the platform's (the local runtime: the embedded"
        " wordllama-l2-supercat-256)",
        examples=["text-embedding-3-small"],
    )


class KnowledgeBaseUpdate(StrictModel):
    name: Name | None = None
    description: Description | None = None
    embedding_model: ModelName | None = Field(
        default=None, description="another model: every chunk is embedded again in the background (state reembedding)"
    )


class KnowledgeBaseRead(ReadModel):
    id: uuid.UUID
    name: str
    description: str
    embedding_model: str
    dimensions: int
    state: BaseState = Field(description="reembedding: its chunks are being embedded with a new model")
    reembed_processed: int = Field(description="chunks embedded with the new model so far (while reembedding)")
    reembed_total: int
    document_count: int = 0
    chunk_count: int = 0
    created_at: datetime
    updated_at: datetime


class DocumentFromUrl(StrictModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)] = Field(
        examples=["https://www.example.com.br/perguntas-frequentes"]
    )
    title: Title | None = Field(default=None, description="omitted: the page's own title, else its address")


class UploadCreate(StrictModel):
    """A file about to be sent straight to the object store (any size up to the limit; needed on AWS above a few
    MB, where an API request's body is at most 6 MB)."""

    filename: FileName = Field(examples=["catalogo-2026.pdf"], description="its kind comes from its extension")
    content_type: MediaType | None = Field(default=None, examples=["application/pdf"])
    size_bytes: int = Field(ge=1, description="the file's size in bytes: at most 50 MB")


class UploadRead(ReadModel):
    upload_key: str = Field(description="what `POST …/documents` (or `PUT …/documents/{id}`) names once it is sent")
    upload_url: str = Field(
        description="`PUT` the file's bytes here, without an Authorization header: the URL is the permission"
    )
    method: Literal["PUT"] = "PUT"
    expires_at: datetime = Field(description="the URL takes the file until then")
    max_bytes: int


class DocumentFromUpload(StrictModel):
    upload_key: Annotated[str, StringConstraints(min_length=1, max_length=300)] = Field(
        description="the `upload_key` of `POST …/uploads`, its file sent"
    )
    filename: FileName = Field(description="the file's name, as for the upload")
    content_type: MediaType | None = None
    title: Title | None = Field(default=None, description="omitted: the file's name")


class DocumentError(ReadModel):
    code: str = Field(description="stable: what the dashboard translates", examples=["pdf_encrypted"])
    message: str = Field(description="in English")


class DocumentRead(ReadModel):
    id: uuid.UUID
    knowledge_base_id: uuid.UUID
    title: str
    source: Literal["upload", "url"]
    format: DocumentFormat
    filename: str | None
    url: str | None
    content_type: str | None
    size_bytes: int
    status: DocumentStatus
    error: DocumentError | None = Field(description="why it failed (status failed)")
    pages: int | None = Field(description="a PDF's pages")
    total_chunks: int | None = Field(description="chunks the document makes, once extracted")
    processed_chunks: int = Field(description="chunks embedded so far")
    chunk_count: int = Field(description="chunks stored (searchable) now")
    version: int = Field(description="grows with each upload of the document")
    created_at: datetime
    updated_at: datetime
    ingested_at: datetime | None


class SearchRequest(StrictModel):
    question: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        examples=["Como faço para trocar a senha?"]
    )
    k: int = Field(default=5, ge=1, le=MAX_K, description="passages to return")


class PassageRead(ReadModel):
    chunk_id: uuid.UUID
    knowledge_base_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    heading: str = Field(description='the heading path, "Billing > Refunds"')
    text: str
    similarity: float | None = Field(description="cosine similarity to the question (null: found by full text only)")
    vector_rank: int | None = Field(description="1-based rank in the vector search (null: not among its results)")
    text_rank: int | None = Field(description="1-based rank in the full-text search (null: not among its results)")
    score: float = Field(description="reciprocal rank fusion of the two ranks (k = 60)")


class SearchResult(ReadModel):
    passages: list[PassageRead]
    best_similarity: float | None = Field(
        description="the highest cosine similarity among the passages: low means the knowledge may not answer"
    )
    embedding_model: str
