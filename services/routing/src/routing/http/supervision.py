"""Supervision routes: the board, reassigning a case, resolving it with its outcome."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from qorgau_contracts import Outcome

from routing.usecases.board import board
from routing.usecases.reassign import reassign
from routing.usecases.resolve import resolve

from .access import OfficerId, Supervisor, deps

router = APIRouter(tags=["supervision"])
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId
    reason: Reason = Field(description="Why; kept in the audit trail. No personal data.")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome


@router.get("/board", summary="What is open, unacknowledged, escalated")
async def get_board(request: Request, _: Supervisor) -> dict[str, Any]:
    return await board(deps(request).pool)


@router.post("/incidents/{incident_id}/reassign", summary="Give a case to another officer")
async def post_reassign(
    incident_id: uuid.UUID, body: ReassignIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    given = deps(request)
    attempt = await reassign(
        given.pool, incident_id, body.officer_id, body.reason, caller.name, given.policy
    )
    return {"incident_id": str(incident_id), "officer_id": body.officer_id, "attempt": attempt}


@router.post(
    "/assignments/{assignment_id}/resolve",
    summary="Close a case with its outcome; frees the officer",
)
async def post_resolve(
    assignment_id: uuid.UUID, body: ResolveIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    await resolve(deps(request).pool, assignment_id, body.outcome, caller.name)
    return {"assignment_id": str(assignment_id), "outcome": body.outcome}
