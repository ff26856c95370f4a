"""Routing's HTTP API for duty supervisors: FastAPI routers with their models. Thin."""

from __future__ import annotations

from fastapi import APIRouter

from .roster import router as roster_router
from .supervision import router as supervision_router

router = APIRouter(prefix="/v1")
router.include_router(roster_router)
router.include_router(supervision_router)

__all__ = ["router"]
