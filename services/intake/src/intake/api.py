"""Operator API: thin routes that translate HTTP to use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import AwareDatetime
from qorgau_common.auth import Caller, require_role
from qorgau_contracts import DistrictId

from .crypto import FieldCipher
from .incidents import list_incidents, triage_incident, view_incident
from .linking import LinkKey
from .reports import ReportAccepted, ReportIn
from .submit import submit_report
from .views import IncidentPage, IncidentView, TriageIn


@dataclass
class IntakeDeps:
    cipher: FieldCipher
    link_key: LinkKey
    telegram_secret_token: str = ""
    meta_app_secret: str = ""
    meta_verify_token: str = ""
    follow_up_window: timedelta = timedelta(minutes=30)


def deps_of(request: Request) -> IntakeDeps:
    deps: IntakeDeps = request.app.state.deps
    return deps


router = APIRouter(prefix="/v1", tags=["reports"])
ANYONE = require_role("operator", "supervisor", "admin")
Status = Literal["awaiting_triage", "reported", "assigned", "acknowledged", "resolved"]
COMMON_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Missing or invalid bearer token."},
    403: {"description": "Your role may not do this."},
    404: {"description": "No such incident."},
    422: {"description": "A field is missing or wrong; the problem names it."},
}


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportAccepted,
    summary="Submit a 102/111 call",
    responses={
        200: {"description": "Repeat of an earlier call id or Idempotency-Key; nothing new."},
        400: {"description": "Malformed JSON."},
        401: {"description": "Missing or invalid bearer token."},
        413: {"description": "Body over the size limit."},
        415: {"description": "Not application/json."},
        422: {"description": "A field is missing or wrong; the problem names it."},
    },
)
async def post_report(
    report: ReportIn,
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(ANYONE)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ReportAccepted:
    deps = deps_of(request)
    accepted, created = await submit_report(
        request.app.state.runtime.pool,
        deps.cipher,
        deps.link_key,
        report,
        actor=caller.name,
        idempotency_key=idempotency_key,
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/incidents/{accepted.incident_id}"
    return accepted


@router.get(
    "/incidents/{incident_id}",
    response_model=IncidentView,
    tags=["incidents"],
    summary="An incident with its status timeline (every view is audited)",
    description="Personal fields (phones, names, narrative, message texts) are decrypted for"
    " supervisors and admins only; operators see the incident and its timeline.",
    responses=COMMON_ERRORS,
)
async def get_incident(
    incident_id: uuid.UUID, request: Request, caller: Annotated[Caller, Depends(ANYONE)]
) -> IncidentView:
    pool = request.app.state.runtime.pool
    return await view_incident(pool, deps_of(request).cipher, caller, incident_id)


@router.get(
    "/incidents",
    response_model=IncidentPage,
    tags=["incidents"],
    summary="Incidents, newest first, a page at a time",
    responses=COMMON_ERRORS,
)
async def get_incidents(
    request: Request,
    caller: Annotated[Caller, Depends(ANYONE)],
    status: Status | None = None,
    district: Annotated[DistrictId | None, Query()] = None,
    since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> IncidentPage:
    return await list_incidents(
        request.app.state.runtime.pool,
        caller,
        status=status,
        district=district,
        since=since,
        limit=limit,
        cursor=cursor,
    )


@router.patch(
    "/incidents/{incident_id}/triage",
    response_model=IncidentView,
    tags=["incidents"],
    summary="Complete triage: set the district and/or the checklist",
    description="Risk and priority are recomputed. An incident that was waiting for its"
    " district is published again as `incident.reported.v1`. Audited.",
    responses={**COMMON_ERRORS, 409: {"description": "The incident already has a district."}},
)
async def patch_triage(
    incident_id: uuid.UUID,
    triage: TriageIn,
    request: Request,
    caller: Annotated[Caller, Depends(ANYONE)],
) -> IncidentView:
    return await triage_incident(
        request.app.state.runtime.pool,
        caller,
        incident_id,
        district=triage.district,
        checklist=triage.checklist,
    )
