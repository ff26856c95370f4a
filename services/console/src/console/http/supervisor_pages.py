"""The duty supervisor's board, incident detail and actions, roster and map."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from console.clients.errors import ApiError
from console.domain.board import COLUMNS, Filters, build_board
from console.domain.districts import DISTRICTS
from console.domain.field_rules import Problem, line
from console.domain.messages import N_
from console.domain.models import OUTCOMES, Officer
from console.domain.report_form import CHANNELS, PRIORITIES
from console.usecases import case_actions, login
from console.usecases.bulk_reassign import bulk_reassign
from console.usecases.personal_view import view_personal

from .deps import Deps, deps
from .security import require

router = APIRouter()
Supervisor = Annotated[login.Session, require("supervisor")]
D = Annotated[Deps, Depends(deps)]


def _filters(request: Request) -> Filters:
    q = request.query_params
    return Filters(
        district=q.get("district") or None,
        priority=q.get("priority") or None,
        channel=q.get("channel") or None,
    )


@router.get("/board")
async def board(request: Request, d: D, session: Supervisor) -> Response:
    return await _board_page(request, d)


async def _board_page(
    request: Request, d: D, *, bulk: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    snapshot = await d.feed.fresh()
    view = build_board(snapshot.board, snapshot.incidents, _filters(request))
    fragment = request.headers.get("HX-Request") and bulk is None
    officers: list[Officer] = []
    if not fragment:
        with suppress(ApiError):
            officers = [o for o in await d.routing.officers() if o.active]
    return d.pages.render(
        request,
        "supervisor/_columns.html" if fragment else "supervisor/board.html",
        {
            "view": view,
            "columns": COLUMNS,
            "filters": _filters(request),
            "districts": DISTRICTS,
            "priorities": PRIORITIES,
            "channels": CHANNELS,
            "stale": snapshot.stale,
            "now": datetime.now(UTC),
            "query": request.url.query,
            "officers": officers,
            "bulk": bulk or {},
        },
        status_code=status_code,
    )


@router.post("/board/reassign")
async def reassign_many(
    request: Request,
    d: D,
    session: Supervisor,
    officer_id: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
    incident_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Several cards to one officer with one reason; the answer lists each case's result."""
    chosen = incident_ids or []
    said = line(reason, required=N_("Give the reason for the reassignment."))
    problem = None
    if not chosen:
        problem = N_("Select at least one card (X on the board, or its checkbox).")
    elif not officer_id:
        problem = N_("Choose the officer.")
    elif isinstance(said, Problem):
        problem = said.message
    if problem is not None or isinstance(said, Problem):
        return await _board_page(
            request, d, bulk={"problem": problem, "chosen": chosen}, status_code=422
        )
    snapshot = await d.feed.fresh()
    results = await bulk_reassign(
        d.pool, d.routing, session.user, chosen, officer_id, said, snapshot.board, datetime.now(UTC)
    )
    await d.feed.poll_once()
    return d.pages.render(
        request, "supervisor/bulk_done.html", {"results": results, "officer_id": officer_id}
    )


@router.get("/incidents/{incident_id}")
async def incident(
    request: Request, d: D, session: Supervisor, incident_id: str, result: str | None = None
) -> Response:
    snapshot = await d.feed.fresh()
    entry = snapshot.entry(incident_id)
    try:
        detail = await view_personal(
            d.pool, d.intake, session.user, incident_id, entry, datetime.now(UTC)
        )
        officers = await d.routing.officers()
    except ApiError:
        return d.pages.render(request, "unavailable.html", status_code=503)
    if detail is None:
        return d.pages.render(request, "not_found.html", status_code=404)
    return d.pages.render(
        request,
        "supervisor/incident.html",
        {
            "incident": detail,
            "entry": entry,
            "officers": [o for o in officers if o.active],
            "outcomes": OUTCOMES,
            "districts": DISTRICTS,
            "result": result,
        },
    )


def _back(incident_id: str, result: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}?result={result}", status_code=303)


@router.post("/incidents/{incident_id}/reassign")
async def reassign(
    d: D,
    session: Supervisor,
    incident_id: str,
    officer_id: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    done = await case_actions.reassign(d.routing, incident_id, officer_id, reason.strip())
    await d.feed.poll_once()
    return _back(incident_id, done.result)


@router.post("/incidents/{incident_id}/resolve")
async def resolve(
    d: D, session: Supervisor, incident_id: str, outcome: Annotated[str, Form()]
) -> Response:
    if outcome not in OUTCOMES:
        return _back(incident_id, "conflict")
    snapshot = await d.feed.fresh()
    entry = snapshot.entry(incident_id)
    if entry is None:
        return _back(incident_id, "no_assignment")
    done = await case_actions.resolve_as_supervisor(d.intake, d.routing, entry, outcome)
    await d.feed.poll_once()
    return _back(incident_id, done.result)


@router.post("/incidents/{incident_id}/district")
async def set_district(
    d: D, session: Supervisor, incident_id: str, district: Annotated[str, Form()]
) -> Response:
    if district not in DISTRICTS:
        return _back(incident_id, "conflict")
    done = await case_actions.set_district(d.intake, incident_id, district)
    await d.feed.poll_once()
    return _back(incident_id, done.result)


@router.get("/map")
async def map_page(request: Request, d: D, session: Supervisor) -> Response:
    return d.pages.render(request, "supervisor/map.html")


@router.get("/map/incidents.json")
async def map_points(d: D, session: Supervisor) -> JSONResponse:
    """Open incidents with a location: code, district, priority; no personal field."""
    snapshot = await d.feed.fresh()
    view = build_board(snapshot.board, snapshot.incidents)
    points = []
    for column, cards in view.columns.items():
        for card in cards:
            summary = snapshot.incidents.get(card.incident_id)
            if summary and summary.coordinates:
                points.append(
                    {
                        "id": card.incident_id,
                        "code": card.short_code,
                        "column": column,
                        "priority": card.priority,
                        "lat": summary.coordinates.lat,
                        "lon": summary.coordinates.lon,
                    }
                )
    return JSONResponse({"points": points})
