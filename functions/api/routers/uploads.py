"""Files a browser sends straight to storage where the storage itself takes no presigned upload: the local runtime's
folder (on AWS an `upload_url` is S3's own)."""

from __future__ import annotations

import tempfile

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from functions.api.deps import ContainerDep
from masteria.streams import too_large

router = APIRouter(prefix="/v1/uploads", tags=["uploads"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.put("/{token}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=_BODY)
async def upload(token: str, request: Request, container: ContainerDep) -> None:
    """The file's bytes, to an `upload_url` (`POST /v1/knowledge-bases/{id}/uploads`): the link itself is the
    permission, for an hour (404 once expired); a file larger than it allows is refused (422)."""
    key, max_bytes = container.upload_links.target(token, now=container.clock.now())
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
            if spool.tell() > max_bytes:
                raise too_large("file", max_bytes)
        spool.seek(0)
        await run_in_threadpool(container.object_store.put, key, spool)
