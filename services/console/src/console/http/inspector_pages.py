"""An inspector's own open cases, for a phone-sized screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from console.clients.errors import ApiError
from console.clients.ports import Reply
from console.domain.models import OUTCOMES
from console.domain.progress import cases_of
from console.usecases import case_actions, login
from console.usecases.personal_view import NotYours, view_personal

from .deps import Deps, deps
from .security import require

router = APIRouter(prefix="/cases")
Inspector = Annotated[login.Session, require("inspector")]
D = Annotated[Deps, Depends(deps)]


@router.get("")
async def my_cases(request: Request, d: D, session: Inspector) -> Response:
    snapshot = await d.feed.fresh()
    assert session.user.officer_id is not None
    cases = cases_of(snapshot.board, session.user.officer_id)
    summaries = {c.incident_id: snapshot.incidents.get(c.incident_id) for c in cases}
    name = "inspector/_list.html" if request.headers.get("HX-Request") else "inspector/cases.html"
    return d.pages.render(
        request,
        name,
        {"cases": cases, "summaries": summaries, "stale": snapshot.stale, "now": datetime.now(UTC)},
    )


@router.get("/{incident_id}")
async def case(
    request: Request, d: D, session: Inspector, incident_id: str, result: str | None = None
) -> Response:
    snapshot = await d.feed.fresh()
    entry = snapshot.entry(incident_id)
    try:
        detail = await view_personal(
            d.pool, d.intake, session.user, incident_id, entry, datetime.now(UTC)
        )
    except NotYours:
        # The same answer as for an incident that does not exist: nothing is revealed.
        return d.pages.render(request, "not_found.html", status_code=404)
    except ApiError:
        return d.pages.render(request, "unavailable.html", status_code=503)
    if detail is None:
        return d.pages.render(request, "not_found.html", status_code=404)
    return d.pages.render(
        request,
        "inspector/case.html",
        {"incident": detail, "entry": entry, "outcomes": OUTCOMES, "result": result},
    )


_ACTIONS: dict[str, Reply | Literal["resolve"]] = {
    "acknowledge": "acknowledge",
    "decline": "decline",
    "resolve": "resolve",
}


@router.post("/{incident_id}/{action}")
async def act(
    request: Request,
    d: D,
    session: Inspector,
    incident_id: str,
    action: str,
    outcome: Annotated[str | None, Form()] = None,
) -> Response:
    chosen = _ACTIONS.get(action)
    if chosen is None or (chosen == "resolve" and outcome not in OUTCOMES):
        return RedirectResponse(f"/cases/{incident_id}?result=conflict", status_code=303)
    snapshot = await d.feed.fresh()
    entry = snapshot.entry(incident_id)
    try:
        done = await case_actions.answer(
            d.intake,
            d.routing,
            session.user,
            entry,
            chosen,
            outcome,
        )
    except NotYours:
        return d.pages.render(request, "not_found.html", status_code=404)
    await d.feed.poll_once()
    target = (
        "/cases" if done.result == "done" and action != "acknowledge" else f"/cases/{incident_id}"
    )
    return RedirectResponse(f"{target}?result={done.result}", status_code=303)
