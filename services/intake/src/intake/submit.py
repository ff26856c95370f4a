"""Use case: an operator submits a report → incident, timeline, audit and outbox, atomically."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import asyncpg
from qorgau_common.auth import audit
from qorgau_contracts import IncidentReported

from . import repository as repo
from .crypto import FieldCipher
from .reports import (
    NewIncident,
    ReportAccepted,
    ReportIn,
    ReportRejected,
    accept_report,
    new_short_code,
)

_SHORT_CODE_TRIES = 8


def _personal(report: ReportIn) -> bytes:
    return json.dumps(
        {
            "caller_phone": report.caller_phone,
            "victim_name": report.victim.name,
            "narrative": report.narrative,
        },
        ensure_ascii=False,
    ).encode()


def _reported_event(report: ReportIn, incident: NewIncident) -> IncidentReported:
    return IncidentReported(
        producer=repo.SCHEMA,
        correlation_id=incident.id,
        exercise=report.exercise,
        incident_id=incident.id,
        short_code=incident.short_code,
        channel=report.channel,
        received_at=incident.received_at,
        district=incident.district,
        district_unresolved_reason=incident.district_unresolved_reason,
        address_line=incident.address_line,
        coordinates=report.coordinates,
        priority=incident.priority,
        risk_level=incident.risk_level,
        risk_flags=incident.risk_flags,
    )


async def submit_report(
    pool: asyncpg.Pool,
    cipher: FieldCipher,
    report: ReportIn,
    *,
    actor: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[ReportAccepted, bool]:
    """Store the report and its event; (result, created). A repeat returns the first result."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        if report.district is not None and not await repo.known_district(conn, report.district):
            raise ReportRejected("district", f"unknown district {report.district!r}")
        for _ in range(_SHORT_CODE_TRIES):
            existing = await repo.find_existing(
                conn, report.channel, report.call_id, idempotency_key
            )
            if existing is not None:
                return existing, False
            incident = accept_report(report, now, new_short_code())
            sealed = cipher.seal(_personal(report), incident.id.bytes)
            if await repo.insert_incident(
                conn, report, incident, sealed, idempotency_key=idempotency_key, actor=actor
            ):
                break
        else:
            raise RuntimeError("could not allocate a free short code")
        await repo.add_timeline(conn, incident.id, incident.status, {"channel": report.channel})
        await audit(conn, repo.SCHEMA, actor, "report.create", incident.id)
        await repo.publish_reported(conn, _reported_event(report, incident))
    accepted = ReportAccepted(
        incident_id=incident.id,
        short_code=incident.short_code,
        status=incident.status,
        district=incident.district,
        priority=incident.priority,
        risk_level=incident.risk_level,
    )
    return accepted, True
