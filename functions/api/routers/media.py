"""Stored files behind time-limited links (the local runtime; on AWS the links are presigned S3 URLs)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from functions.api.deps import ContainerDep
from masteria.errors import NotFound

router = APIRouter(prefix="/v1/media", tags=["media"])


@router.get(
    "/{token}", response_class=StreamingResponse, responses={200: {"content": {"application/octet-stream": {}}}}
)
def download(token: str, container: ContainerDep) -> StreamingResponse:
    """A file from a `media_url`: the link itself is the permission, for 15 minutes (404 once expired)."""
    key, mime_type = container.media_links.key(token, now=container.clock.now())
    if not container.object_store.exists(key):
        raise NotFound("media not found")
    stream = container.object_store.open(key)
    return StreamingResponse(
        iter(lambda: stream.read(64 * 1024), b""),
        media_type=mime_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=600"},
    )
