"""Operator API: thin routes that translate HTTP to use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from qorgau_common.auth import Caller, require_role

from .crypto import FieldCipher
from .reports import ReportAccepted, ReportIn
from .submit import submit_report


@dataclass
class IntakeDeps:
    cipher: FieldCipher


router = APIRouter(prefix="/v1", tags=["reports"])


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
    caller: Annotated[Caller, Depends(require_role("operator", "supervisor", "admin"))],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ReportAccepted:
    deps: IntakeDeps = request.app.state.deps
    accepted, created = await submit_report(
        request.app.state.runtime.pool,
        deps.cipher,
        report,
        actor=caller.name,
        idempotency_key=idempotency_key,
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/incidents/{accepted.incident_id}"
    return accepted
