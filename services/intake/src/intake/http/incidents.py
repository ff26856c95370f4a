"""Incident routes: view (audited), list a page at a time, complete triage."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from qorgau_common.auth import Caller
from qorgau_common.times import BoundedTime
from qorgau_contracts import DistrictId

from intake.domain.incident import Status
from intake.usecases.list_incidents import list_incidents
from intake.usecases.triage_incident import triage_incident
from intake.usecases.view_incident import view_incident

from .deps import deps_of, pool_of
from .incident_views import (
    IncidentPage,
    IncidentSummary,
    IncidentView,
    TriageIn,
    decode_cursor,
    encode_cursor,
    incident_view,
    summary_fields,
    timeline_view,
)
from .reports import ANYONE

router = APIRouter(prefix="/v1", tags=["reports"])
COMMON_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Missing or invalid bearer token."},
    403: {"description": "Your role may not do this."},
    404: {"description": "No such incident."},
    422: {"description": "A field is missing or wrong; the problem names it."},
}


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
    seen = await view_incident(pool_of(request), deps_of(request).cipher, caller, incident_id)
    return incident_view(seen)


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
    since: BoundedTime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> IncidentPage:
    items, more = await list_incidents(
        pool_of(request),
        caller,
        status=status,
        district=district,
        since=since,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    last = items[-1] if more else None
    return IncidentPage(
        items=[IncidentSummary(**summary_fields(i)) for i in items],
        next_cursor=encode_cursor(last.received_at, last.id) if last else None,
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
    incident, lines = await triage_incident(
        pool_of(request), caller, incident_id, district=triage.district, checklist=triage.checklist
    )
    return IncidentView(**summary_fields(incident), timeline=timeline_view(lines))
