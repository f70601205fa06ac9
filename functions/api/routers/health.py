from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from functions.api.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(container: ContainerDep) -> JSONResponse:
    """Liveness and the database: 200 when it answers, 503 when it does not."""
    database_ok = container.database.ping()
    return JSONResponse(
        {"status": "ok" if database_ok else "degraded", "database": "ok" if database_ok else "unreachable"},
        status_code=200 if database_ok else 503,
    )
