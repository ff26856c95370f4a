"""The duty supervisor's board, incident detail and actions, roster and map."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from console.clients.errors import ApiError
from console.domain.board import COLUMNS, Filters, build_board
from console.domain.districts import DISTRICTS
from console.domain.models import OUTCOMES
from console.domain.report_form import CHANNELS, PRIORITIES
from console.usecases import case_actions, login
from console.usecases.personal_view import view_personal
from console.usecases.roster import roster

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
    snapshot = await d.feed.fresh()
    view = build_board(snapshot.board, snapshot.incidents, _filters(request))
    name = (
        "supervisor/_columns.html" if request.headers.get("HX-Request") else "supervisor/board.html"
    )
    return d.pages.render(
        request,
        name,
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
        },
    )


@router.get("/incidents/{incident_id}")
async def incident(
    request: Request, d: D, session: Supervisor, incident_id: str, result: str | None = None
) -> Response:
    snapshot = await d.feed.fresh()
    entry = next((e for e in snapshot.board if e.incident_id == incident_id), None)
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
    entry = next((e for e in snapshot.board if e.incident_id == incident_id), None)
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


@router.get("/roster")
async def roster_page(request: Request, d: D, session: Supervisor) -> Response:
    try:
        districts = await roster(d.routing, datetime.now(UTC))
    except ApiError:
        return d.pages.render(request, "unavailable.html", status_code=503)
    return d.pages.render(request, "supervisor/roster.html", {"districts": districts})


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
