"""Supervision routes: the board, reassigning a case, resolving it with its outcome."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from qorgau_common.text import single_line
from qorgau_contracts import Outcome, ReplyAnswer, ReplyChannel

from routing.domain.answers import OfficerAnswer
from routing.usecases.answer import reply_from_console
from routing.usecases.board import board, officer_cases
from routing.usecases.reassign import reassign
from routing.usecases.resolve import resolve

from .access import OfficerId, Supervisor, deps

router = APIRouter(tags=["supervision"])
# A reason goes to the audit trail and the board: one clean line that says something.
Reason = Annotated[
    str, StringConstraints(max_length=200), single_line(min_visible=3, max_length=200)
]


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId
    reason: Reason = Field(description="Why; kept in the audit trail. No personal data.")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId
    reply: Literal["acknowledge", "decline"] = Field(
        description="The officer's answer, as an SMS 1 or 2; closing a case is `/resolve`."
    )
    channel: ReplyChannel = "console"


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


@router.post(
    "/assignments/{assignment_id}/reply",
    summary="An officer's answer (acknowledge or decline), by the same rule as an SMS reply",
)
async def post_reply(
    assignment_id: uuid.UUID, body: ReplyIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    given = deps(request)
    answer: ReplyAnswer = body.reply
    status = await reply_from_console(
        given.pool,
        assignment_id,
        OfficerAnswer(body.officer_id, answer, channel=body.channel),
        caller.name,
        given.policy,
    )
    return {"assignment_id": str(assignment_id), "status": status}


@router.get("/officers/{officer_id}/cases", summary="The officer's open and accepted cases")
async def get_officer_cases(
    officer_id: OfficerId, request: Request, _: Supervisor
) -> list[dict[str, Any]]:
    return await officer_cases(deps(request).pool, officer_id)
