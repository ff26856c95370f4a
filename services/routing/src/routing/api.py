"""Supervisor API: roster, board, reassignment, resolution. Thin: translate and delegate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from qorgau_common.auth import Caller, audit, require_role
from qorgau_common.problems import Conflict, InvalidInput, NotFound
from qorgau_contracts import DistrictId, Language, Outcome

from . import roster_store as store
from .domain import EscalationPolicy
from .roster import ASTANA, MAX_SHIFT, Officer, Shift, check_officer
from .supervision import board, reassign, resolve

router = APIRouter(prefix="/v1")
Supervisor = Annotated[Caller, Depends(require_role("supervisor", "admin"))]
OfficerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class OfficerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: OfficerId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    phone: str = Field(description="Work phone; normalised to E.164.")
    home_district: DistrictId
    covers: list[DistrictId] = Field(default_factory=list, description="Other districts covered.")
    language: Language = "ru"
    role: Literal["inspector", "supervisor"] = "inspector"
    active: bool = True


class OfficerChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = None
    phone: str | None = None
    home_district: DistrictId | None = None
    covers: list[DistrictId] | None = None
    language: Language | None = None
    role: Literal["inspector", "supervisor"] | None = None
    active: bool | None = None


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["available", "busy", "off"]


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId
    reason: Reason = Field(description="Why; kept in the audit trail. No personal data.")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.runtime.pool
    return pool


def _policy(request: Request) -> EscalationPolicy:
    policy: EscalationPolicy = request.app.state.policy
    return policy


async def _checked_officer(pool: asyncpg.Pool, body: dict[str, Any]) -> Officer:
    """The same checks as the CSV importer (phone, districts, language, role)."""
    fields = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in body.items()
        if not isinstance(v, list)
    }
    fields["covers"] = ";".join(body.get("covers") or [])
    checked = check_officer(fields, await store.district_ids(pool))
    if isinstance(checked, list):
        message = checked[0]
        field = next(
            (
                f
                for f in ("district", "phone", "language", "role", "name", "id", "active")
                if f in message
            ),
            "body",
        )
        raise InvalidInput(field, message)
    return checked


@router.get("/officers", tags=["roster"], summary="List officers")
async def list_officers(request: Request, _: Supervisor) -> list[dict[str, Any]]:
    return await store.officers(_pool(request))


@router.post("/officers", tags=["roster"], status_code=201, summary="Add an officer")
async def add_officer(body: OfficerIn, request: Request, caller: Supervisor) -> dict[str, Any]:
    pool = _pool(request)
    officer = await _checked_officer(pool, body.model_dump())
    async with pool.acquire() as conn, conn.transaction():
        if await store.officer(conn, officer.id) is not None:
            raise Conflict("id", f"officer {officer.id} already exists")
        await store.upsert_officers(conn, [officer])
        await audit(
            conn, "routing", caller.name, "officer.create", None, {"officer_id": officer.id}
        )
    found = await store.officer(pool, officer.id)
    assert found is not None
    return found


@router.patch("/officers/{officer_id}", tags=["roster"], summary="Change an officer")
async def change_officer(
    officer_id: OfficerId, body: OfficerChange, request: Request, caller: Supervisor
) -> dict[str, Any]:
    pool = _pool(request)
    current = await store.officer(pool, officer_id)
    if current is None:
        raise NotFound("officer_id", "no such officer")
    merged = {**current, **body.model_dump(exclude_unset=True)}
    checked = await _checked_officer(pool, merged)
    changes = {**body.model_dump(exclude_unset=True), "phone": checked.phone}
    async with pool.acquire() as conn, conn.transaction():
        await store.update_officer(conn, officer_id, changes)
        await audit(
            conn,
            "routing",
            caller.name,
            "officer.update",
            None,
            {"officer_id": officer_id, "fields": sorted(body.model_fields_set)},
        )
    found = await store.officer(pool, officer_id)
    assert found is not None
    return found


@router.put("/officers/{officer_id}/status", tags=["roster"], summary="Available, busy or off")
async def set_status(
    officer_id: OfficerId, body: StatusIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    pool = _pool(request)
    async with pool.acquire() as conn, conn.transaction():
        if not await store.update_officer(conn, officer_id, {"status": body.status}):
            raise NotFound("officer_id", "no such officer")
        await audit(
            conn,
            "routing",
            caller.name,
            "officer.status",
            None,
            {"officer_id": officer_id, "status": body.status},
        )
    found = await store.officer(pool, officer_id)
    assert found is not None
    return found


@router.get("/shifts", tags=["roster"], summary="Shifts in a window (default: the next day)")
async def list_shifts(
    request: Request,
    _: Supervisor,
    officer_id: OfficerId | None = None,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
) -> list[dict[str, Any]]:
    start = since or datetime.now(UTC)
    rows = await store.shifts(_pool(request), officer_id, start, until or start + timedelta(days=1))
    # Kept as instants; shown in Astana time, as the unit reads its rota.
    return [
        {
            **r,
            "starts_at": r["starts_at"].astimezone(ASTANA),
            "ends_at": r["ends_at"].astimezone(ASTANA),
        }
        for r in rows
    ]


@router.post("/shifts", tags=["roster"], status_code=201, summary="Add a shift")
async def add_shift(body: ShiftIn, request: Request, caller: Supervisor) -> dict[str, Any]:
    if body.ends_at <= body.starts_at:
        raise InvalidInput("ends_at", "must be after starts_at")
    if body.ends_at - body.starts_at > MAX_SHIFT:
        raise InvalidInput("ends_at", "a shift may not be longer than 24 hours")
    shift = Shift(body.officer_id, body.starts_at, body.ends_at)
    pool = _pool(request)
    async with pool.acquire() as conn, conn.transaction():
        if await store.officer(conn, body.officer_id) is None:
            raise InvalidInput("officer_id", "no such officer")
        if await store.overlapping_shift(conn, shift):
            raise Conflict("starts_at", "overlaps another shift of this officer")
        shift_id = await store.add_shift(conn, shift)
        await audit(
            conn,
            "routing",
            caller.name,
            "shift.create",
            None,
            {"officer_id": body.officer_id, "shift_id": shift_id},
        )
    return {"id": shift_id, **body.model_dump()}


@router.delete("/shifts/{shift_id}", tags=["roster"], status_code=204, summary="Remove a shift")
async def remove_shift(shift_id: int, request: Request, caller: Supervisor) -> Response:
    pool = _pool(request)
    async with pool.acquire() as conn, conn.transaction():
        if not await store.delete_shift(conn, shift_id):
            raise NotFound("shift_id", "no such shift")
        await audit(conn, "routing", caller.name, "shift.delete", None, {"shift_id": shift_id})
    return Response(status_code=204)


@router.get("/board", tags=["supervision"], summary="What is open, unacknowledged, escalated")
async def get_board(request: Request, _: Supervisor) -> dict[str, Any]:
    return await board(_pool(request))


@router.post(
    "/incidents/{incident_id}/reassign",
    tags=["supervision"],
    summary="Give a case to another officer",
)
async def post_reassign(
    incident_id: uuid.UUID, body: ReassignIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    attempt = await reassign(
        _pool(request), incident_id, body.officer_id, body.reason, caller.name, _policy(request)
    )
    return {"incident_id": str(incident_id), "officer_id": body.officer_id, "attempt": attempt}


@router.post(
    "/assignments/{assignment_id}/resolve",
    tags=["supervision"],
    summary="Close a case with its outcome; frees the officer",
)
async def post_resolve(
    assignment_id: uuid.UUID, body: ResolveIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    await resolve(_pool(request), assignment_id, body.outcome, caller.name)
    return {"assignment_id": str(assignment_id), "outcome": body.outcome}
