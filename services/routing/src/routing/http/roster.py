"""Roster routes: officers (add, change, status) and shifts (list, add, remove)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from qorgau_common.patch import PatchBody
from qorgau_common.text import single_line
from qorgau_common.times import BoundedTime
from qorgau_contracts import DistrictId, Language

from routing.db import roster as roster_db
from routing.domain.roster import OfficerStatus, Role, Shift
from routing.usecases import officers, shifts

from .access import OfficerId, Supervisor, deps

router = APIRouter(tags=["roster"])
# An officer's name reaches supervisors' screens and, with the phone, SMS: one clean line.
Name = Annotated[str, StringConstraints(max_length=120), single_line(max_length=120)]
Phone = Annotated[
    str, StringConstraints(max_length=40), single_line(), Field(description="Work phone; E.164.")
]


class OfficerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: OfficerId
    name: Name
    phone: Phone
    home_district: DistrictId
    covers: list[DistrictId] = Field(default_factory=list, description="Other districts covered.")
    language: Language = "ru"
    role: Role = "inspector"
    active: bool = True


class OfficerChange(PatchBody):
    """The fields to change; a field left out stays, a null is refused."""

    name: Name | None = None
    phone: Phone | None = None
    home_district: DistrictId | None = None
    covers: list[DistrictId] | None = None
    language: Language | None = None
    role: Role | None = None
    active: bool | None = None


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OfficerStatus


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId
    starts_at: BoundedTime
    ends_at: BoundedTime


@router.get("/officers", summary="List officers")
async def list_officers(request: Request, _: Supervisor) -> list[dict[str, Any]]:
    return await roster_db.officers(deps(request).pool)


@router.post("/officers", status_code=201, summary="Add an officer")
async def add_officer(body: OfficerIn, request: Request, caller: Supervisor) -> dict[str, Any]:
    return await officers.add_officer(deps(request).pool, body.model_dump(), caller.name)


@router.patch("/officers/{officer_id}", summary="Change an officer")
async def change_officer(
    officer_id: OfficerId, body: OfficerChange, request: Request, caller: Supervisor
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return await officers.change_officer(deps(request).pool, officer_id, changes, caller.name)


@router.put("/officers/{officer_id}/status", summary="Available, busy or off")
async def set_status(
    officer_id: OfficerId, body: StatusIn, request: Request, caller: Supervisor
) -> dict[str, Any]:
    return await officers.set_officer_status(
        deps(request).pool, officer_id, body.status, caller.name
    )


@router.get("/shifts", summary="Shifts in a window (default: the next day)")
async def list_shifts(
    request: Request,
    _: Supervisor,
    officer_id: OfficerId | None = None,
    since: Annotated[BoundedTime | None, Query()] = None,
    until: Annotated[BoundedTime | None, Query()] = None,
) -> list[dict[str, Any]]:
    return await shifts.list_shifts(deps(request).pool, officer_id, since, until)


@router.post("/shifts", status_code=201, summary="Add a shift")
async def add_shift(body: ShiftIn, request: Request, caller: Supervisor) -> dict[str, Any]:
    shift = Shift(body.officer_id, body.starts_at, body.ends_at)
    shift_id = await shifts.add_shift(deps(request).pool, shift, caller.name)
    return {"id": shift_id, **body.model_dump()}


@router.delete("/shifts/{shift_id}", status_code=204, summary="Remove a shift")
async def remove_shift(
    shift_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request, caller: Supervisor
) -> Response:
    await shifts.remove_shift(deps(request).pool, shift_id, caller.name)
    return Response(status_code=204)
