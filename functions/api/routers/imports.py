"""Contact CSV import and export."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.contacts import exports, groups, imports
from masteria.contacts.imports import ImportCreate, ImportRead, ImportStart
from masteria.contacts.schemas import ContactFilter
from masteria.pagination import Page

router = APIRouter(prefix="/v1/contacts", tags=["contacts import and export"])


@router.post("/imports", status_code=status.HTTP_201_CREATED, response_model=ImportRead)
def create_import(body: ImportCreate, caller: CallerDep, container: ContainerDep) -> ImportRead:
    """Start an import, then send the CSV (≤ 100 MB, ≤ 1,000,000 rows): `PUT` it to `upload_url` and call
    `POST …/uploaded` (AWS), or, when `upload_url` is null, `PUT` it to `/v1/contacts/imports/{id}/file`."""
    return imports.create_import(
        session=caller.session, actor=caller.principal, store=container.object_store, data=body
    )


@router.get("/imports", response_model=Page[ImportRead])
def list_imports(caller: CallerDep, page: PageDep) -> Page[ImportRead]:
    """The company's imports, newest first, with their progress."""
    return imports.list_imports(session=caller.session, actor=caller.principal, page=page)


@router.post("/imports/{import_id}/uploaded", responses=problems(409), response_model=ImportRead)
def uploaded(import_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> ImportRead:
    """Tell the API the file was sent to `upload_url`; returns the detected headers and suggested mapping."""
    return imports.uploaded(
        session=caller.session, actor=caller.principal, store=container.object_store, import_id=import_id
    )


@router.put("/imports/{import_id}/file", responses=problems(409), response_model=ImportRead)
async def upload_file(import_id: uuid.UUID, request: Request, caller: CallerDep, container: ContainerDep) -> ImportRead:
    """Upload the CSV (raw body). UTF-8 (with or without BOM) or Latin-1, comma or semicolon.
    Returns the detected headers and a suggested mapping."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
            if spool.tell() > imports.MAX_BYTES:
                break  # the service refuses it with a clear error
        spool.seek(0)
        return await run_in_threadpool(
            imports.upload,
            session=caller.session,
            actor=caller.principal,
            store=container.object_store,
            import_id=import_id,
            data=spool,
        )


@router.post(
    "/imports/{import_id}/start",
    responses=problems(409),
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportRead,
)
def start_import(import_id: uuid.UUID, body: ImportStart, caller: CallerDep, container: ContainerDep) -> ImportRead:
    """Confirm the column mapping and queue the import; follow it with `GET /v1/contacts/imports/{id}`."""
    imports.start_import(  # its job is an outbox job of this transaction: sent once it commits
        session=caller.session, actor=caller.principal, import_id=import_id, data=body, now=container.clock.now()
    )
    return imports.get_import(session=caller.session, actor=caller.principal, import_id=import_id)


@router.get("/imports/{import_id}", response_model=ImportRead)
def get_import(import_id: uuid.UUID, caller: CallerDep) -> ImportRead:
    """Progress: total, processed, inserted, updated, rejected."""
    return imports.get_import(session=caller.session, actor=caller.principal, import_id=import_id)


@router.get("/imports/{import_id}/rejections.csv", response_class=StreamingResponse)
def rejections(import_id: uuid.UUID, caller: CallerDep) -> StreamingResponse:
    """The rejected rows with the reason for each, as CSV."""
    body = "".join(imports.rejected_rows_csv(session=caller.session, actor=caller.principal, import_id=import_id))
    return StreamingResponse(
        iter([body]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejected-{import_id}.csv"'},
    )


@router.get("/export.csv", response_class=StreamingResponse)
def export_csv(
    *,
    caller: CallerDep,
    q: str | None = None,
    tag_id: Annotated[list[uuid.UUID], Query()] = [],  # noqa: B006
    list_id: uuid.UUID | None = None,
    segment_id: uuid.UUID | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    custom_field: Annotated[str | None, Query(max_length=64)] = None,
    custom_value: Annotated[str | None, Query(max_length=200)] = None,
) -> StreamingResponse:
    """Contacts as CSV (all, or those of the same filters as `GET /v1/contacts`); cells that a spreadsheet
    would run as formulas are prefixed with `'`. Audited."""
    segment = groups.segment_filter(session=caller.session, segment_id=segment_id) if segment_id else None
    filters = ContactFilter(
        q=q,
        tag_ids=tag_id,
        list_id=list_id,
        segment=segment,
        created_from=created_from,
        created_to=created_to,
        custom_field=custom_field,
        custom_value=custom_value,
    )
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024, mode="w+", newline="", encoding="utf-8")  # noqa: SIM115
    exports.write_csv(session=caller.session, actor=caller.principal, filters=filters, out=spool)
    spool.seek(0)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")

    def chunks() -> Iterator[str]:
        with spool:
            while data := spool.read(1024 * 1024):
                yield data

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="contacts-{stamp}.csv"'},
    )
