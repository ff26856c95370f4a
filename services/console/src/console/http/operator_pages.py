"""The operator's new-call form and recent reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response

from console.clients.errors import ApiError, NotAvailableYet
from console.domain import report_form
from console.domain.districts import DISTRICTS, district_at
from console.usecases import login
from console.usecases.file_report import Filed, file_report
from console.usecases.recent import recent_reports

from .deps import Deps, deps
from .i18n import gettext_for, pick_language
from .security import require

router = APIRouter(prefix="/operator")
Operator = Annotated[login.Session, require("operator")]
D = Annotated[Deps, Depends(deps)]

FORM_CONTEXT = {
    "checklist": report_form.CHECKLIST,
    "channels": report_form.CHANNELS,
    "age_bands": report_form.AGE_BANDS,
    "sexes": report_form.SEXES,
    "relations": report_form.RELATIONS,
    "priorities": report_form.PRIORITIES,
    "districts": DISTRICTS,
}


@router.get("/new")
async def new_call(request: Request, d: D, session: Operator) -> Response:
    return d.pages.render(
        request, "operator/new.html", {**FORM_CONTEXT, "values": {}, "errors": {}}
    )


@router.post("/new")
async def submit_call(request: Request, d: D, session: Operator) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf"}
    result = await file_report(
        d.pool, d.intake, session.user, form, session.user.language, datetime.now(UTC)
    )
    if isinstance(result, Filed):
        # The answer holds no personal field: once filed, the operator no longer sees them.
        return d.pages.render(request, "operator/filed.html", {"accepted": result.accepted})
    return d.pages.render(
        request,
        "operator/new.html",
        {
            **FORM_CONTEXT,
            "values": form,
            "errors": result.errors,
            "unavailable": result.unavailable,
        },
        status_code=503 if result.unavailable else 422,
    )


@router.post("/check")
async def check_fields(request: Request, d: D, session: Operator) -> JSONResponse:
    """The inline check: the same rules as on sending, for the fields the operator has left.

    By POST, so what is typed stays out of URLs; the answer holds only the messages."""
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf"}
    wanted = [f for f in form.get("fields", "").split(",") if f in report_form.FIELDS]
    errors = report_form.check_report(form, session.user.language).errors
    say = gettext_for(d.pages.catalogues[pick_language(session.user.language)])
    return JSONResponse({"errors": {f: say(errors[f]) if f in errors else "" for f in wanted}})


@router.post("/streets")
async def streets(
    request: Request, d: D, session: Operator, street: Annotated[str, Form(max_length=120)] = ""
) -> Response:
    """Suggestions by POST, so what is typed never appears in a URL or an access log."""
    suggestions, unavailable = [], False
    if len(street.strip()) >= 2:
        try:
            suggestions = list(await d.intake.street_suggestions(street.strip()))
        except NotAvailableYet:
            unavailable = True
        except ApiError:
            unavailable = True
    exact = next((s for s in suggestions if s.street.casefold() == street.strip().casefold()), None)
    return d.pages.render(
        request,
        "operator/_streets.html",
        {"suggestions": suggestions, "unavailable": unavailable, "exact": exact},
    )


@router.post("/district")
async def district(
    request: Request,
    d: D,
    session: Operator,
    lat: Annotated[float, Form()],
    lon: Annotated[float, Form()],
) -> Response:
    found = district_at(lat, lon, d.outlines)
    return d.pages.render(request, "operator/_district.html", {"district": found})


@router.get("/recent")
async def recent(request: Request, d: D, session: Operator) -> Response:
    snapshot = await d.feed.fresh()
    items = await recent_reports(d.pool, session.user, snapshot)
    name = "operator/_recent.html" if request.headers.get("HX-Request") else "operator/recent.html"
    return d.pages.render(
        request, name, {"items": items, "stale": snapshot.stale, "now": datetime.now(UTC)}
    )
