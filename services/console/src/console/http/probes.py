"""Liveness, readiness (PostgreSQL, intake, routing) and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .deps import Deps, deps

router = APIRouter(tags=["operations"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


async def _database(d: Deps) -> bool:
    try:
        async with asyncio.timeout(2):
            return bool(await d.pool.fetchval("SELECT true"))
    except (OSError, TimeoutError, Exception):
        return False


@router.get("/health/ready")
async def ready(d: Annotated[Deps, Depends(deps)]) -> JSONResponse:
    database, intake, routing = await asyncio.gather(
        _database(d), d.intake.ready(), d.routing.ready()
    )
    checks = {"postgres": database, "intake": intake, "routing": routing}
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "not ready", "checks": checks},
        status_code=200 if ok else 503,
    )


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics() -> PlainTextResponse:
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)
