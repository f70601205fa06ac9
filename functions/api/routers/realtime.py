"""Catching up on live updates: the frames a reconnecting client missed, since a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from functions.api.deps import CallerDep
from masteria.realtime import service
from masteria.realtime.service import CATCH_UP_LIMIT, CatchUp

router = APIRouter(prefix="/v1/realtime", tags=["realtime"])


@router.get("/events", response_model=CatchUp)
def events(
    caller: CallerDep,
    after: Annotated[
        str | None, Query(max_length=20, pattern=r"^\d+$", description="the `cursor` of the last frame you have")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=CATCH_UP_LIMIT)] = 100,
) -> CatchUp:
    """Frames since `after`, oldest first, only those the caller may see; without `after`, no frames and the
    cursor to start from. Ask again with `cursor` while `more` is true."""
    return service.catch_up(session=caller.session, actor=caller.principal, after=after, limit=limit)
