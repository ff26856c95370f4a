"""`POST /v1/reports`: an operator submits a 102/111 call."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict
from qorgau_common.auth import Caller, require_role
from qorgau_contracts import Priority, RiskLevel

from intake.domain.idempotency import check_key
from intake.domain.incident import Incident, Status
from intake.domain.report import Report
from intake.usecases.submit_report import submit_report

from .deps import deps_of, pool_of

router = APIRouter(prefix="/v1", tags=["reports"])
ANYONE = require_role("operator", "supervisor", "admin")


class ReportIn(Report):
    """A 102 or 111 call typed in by an operator."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "call_102",
                    "call_id": "102-2026-000123",
                    "caller_phone": "8 701 234 56 78",
                    "caller": {"name": "Айгерим"},
                    "victim": {"age_band": "30-44", "sex": "female"},
                    "perpetrator_relation": "spouse",
                    "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
                    "district": "yesil",
                    "checklist": {"weapon": True, "children_present": True},
                    "narrative": "Муж угрожает ножом, дети дома.",
                    "language": "ru",
                }
            ]
        },
    )


class ReportAccepted(BaseModel):
    incident_id: uuid.UUID
    short_code: str
    status: Status
    district: str | None
    priority: Priority
    risk_level: RiskLevel

    @classmethod
    def of(cls, incident: Incident) -> ReportAccepted:
        return cls(
            incident_id=incident.id,
            short_code=incident.short_code,
            status=incident.status,
            district=incident.district,
            priority=incident.priority,
            risk_level=incident.risk_level,
        )


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportAccepted,
    summary="Submit a 102/111 call",
    responses={
        200: {"description": "Repeat of an earlier call id or Idempotency-Key; nothing new."},
        400: {"description": "Malformed JSON, or a blank or over-long Idempotency-Key."},
        401: {"description": "Missing or invalid bearer token."},
        413: {"description": "Body over the size limit."},
        415: {"description": "Not application/json."},
        422: {
            "description": "A field is missing or wrong (the problem names it), or the call id"
            " or Idempotency-Key was already used for a different report."
        },
    },
)
async def post_report(
    report: ReportIn,
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(ANYONE)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="1 to 128 visible ASCII characters, scoped to your token. A repeat"
            " with the same report gets 200 and the first incident; with another, 422.",
        ),
    ] = None,
) -> ReportAccepted:
    deps = deps_of(request)
    key = check_key(idempotency_key)
    incident, created = await submit_report(
        pool_of(request),
        deps.cipher,
        deps.link_key,
        report,
        actor=caller.name,
        idempotency_key=key,
        idempotency_token=caller.token_id,
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/incidents/{incident.id}"
    return ReportAccepted.of(incident)
