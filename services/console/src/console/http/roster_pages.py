"""The roster: officers by district with their status and shifts today and tomorrow, and a
supervisor's changes to them through routing's roster API (errors next to the officer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from console.clients.errors import ApiError
from console.domain.roster_form import DAYS, STATUSES
from console.usecases import login, roster_changes
from console.usecases.roster import roster

from .deps import Deps, deps
from .security import require

router = APIRouter(prefix="/roster")
Supervisor = Annotated[login.Session, require("supervisor")]
D = Annotated[Deps, Depends(deps)]
OfficerId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


async def _page(
    request: Request,
    d: D,
    *,
    problem: tuple[str, str] | None = None,
    tried: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        districts = await roster(d.routing, datetime.now(UTC))
    except ApiError:
        return d.pages.render(request, "unavailable.html", status_code=503)
    done = request.query_params.get("done")
    return d.pages.render(
        request,
        "supervisor/roster.html",
        {
            "districts": districts,
            "statuses": STATUSES,
            "days": DAYS,
            "problem": problem,
            "tried": tried or {},
            "done": done,
        },
        status_code=status_code,
    )


@router.get("")
async def roster_page(request: Request, d: D, session: Supervisor) -> Response:
    return await _page(request, d)


async def _after(
    request: Request,
    d: D,
    officer_id: str,
    change: roster_changes.Change,
    tried: dict[str, str] | None = None,
) -> Response:
    if change.result == "done":
        return RedirectResponse(f"/roster?done={officer_id}#officer-{officer_id}", status_code=303)
    status = 503 if change.result == "unreachable" else 422
    problem = (officer_id, change.message)
    return await _page(request, d, problem=problem, tried=tried, status_code=status)


@router.post("/{officer_id}/status")
async def set_status(
    request: Request,
    d: D,
    session: Supervisor,
    officer_id: OfficerId,
    status: Annotated[str, Form(max_length=16)],
) -> Response:
    change = await roster_changes.set_status(
        d.pool, d.roster, session.user, officer_id, status, datetime.now(UTC)
    )
    return await _after(request, d, officer_id, change)


@router.post("/{officer_id}/shifts")
async def add_shift(
    request: Request,
    d: D,
    session: Supervisor,
    officer_id: OfficerId,
    day: Annotated[str, Form(max_length=16)],
    starts: Annotated[str, Form(max_length=8)],
    ends: Annotated[str, Form(max_length=8)],
) -> Response:
    form = {"day": day, "starts": starts, "ends": ends}
    change = await roster_changes.add_shift(
        d.pool, d.roster, session.user, officer_id, form, datetime.now(UTC)
    )
    return await _after(request, d, officer_id, change, tried=form)


@router.post("/{officer_id}/shifts/{shift_id}/remove")
async def remove_shift(
    request: Request,
    d: D,
    session: Supervisor,
    officer_id: OfficerId,
    shift_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> Response:
    change = await roster_changes.remove_shift(
        d.pool, d.roster, session.user, officer_id, shift_id, datetime.now(UTC)
    )
    return await _after(request, d, officer_id, change)
