"""Use case: an operator submits a report → incident, timeline, audit and outbox, atomically."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import asyncpg
from qorgau_common.auth import audit
from qorgau_common.db import Connection
from qorgau_contracts import Channel, Coordinates, IncidentReported

from . import gazetteer_store as gazetteer
from . import repository as repo
from .crypto import FieldCipher
from .linking import LINK_WINDOW, LinkKey, LinkTerm, address_term, phone_terms
from .metrics import REPORTS
from .reports import (
    NewIncident,
    Placement,
    ReportAccepted,
    ReportIn,
    ReportRejected,
    accept_report,
    check_received_at,
    new_short_code,
)
from .streets import normalise_street, resolve

_SHORT_CODE_TRIES = 8


def _personal(report: ReportIn) -> bytes:
    return json.dumps(
        {
            "caller_phone": report.caller_phone,
            "victim_name": report.victim.name,
            "victim_phone": report.victim.phone,
            "narrative": report.narrative,
        },
        ensure_ascii=False,
    ).encode()


def reported_event(
    incident: NewIncident, *, channel: Channel, coordinates: Coordinates | None, exercise: bool
) -> IncidentReported:
    return IncidentReported(
        producer=repo.SCHEMA,
        correlation_id=incident.id,
        exercise=exercise,
        incident_id=incident.id,
        short_code=incident.short_code,
        channel=channel,
        received_at=incident.received_at,
        district=incident.district,
        district_unresolved_reason=incident.district_unresolved_reason,
        address_line=incident.address_line,
        coordinates=coordinates,
        priority=incident.priority,
        risk_level=incident.risk_level,
        risk_flags=incident.risk_flags,
        linked_incident_ids=incident.linked_incident_ids,
    )


def link_terms(report: ReportIn) -> list[LinkTerm]:
    terms = phone_terms(report.caller_phone, report.victim.phone)
    if report.address is not None:
        street_key = normalise_street(report.address.street)
        term = address_term(street_key, report.address.house, report.address.apartment)
        if term is not None:
            terms.append(term)
    return terms


async def find_links(
    conn: Connection, link_key: LinkKey, terms: list[LinkTerm], received_at: datetime
) -> tuple[list[tuple[str, bytes]], tuple[uuid.UUID, ...]]:
    """The digests to store for this incident, and the earlier incidents sharing one."""
    keys = [(t.kind, link_key.digest(t.kind, t.value)) for t in terms]
    linked = await repo.earlier_incidents(
        conn, [d for _, d in keys], received_at - LINK_WINDOW, received_at
    )
    return keys, linked


async def place(conn: Connection, report: ReportIn, received_at: datetime) -> Placement | None:
    """The gazetteer's district for a report that came without one."""
    if report.district is not None or report.address is None:
        return None
    street_key = normalise_street(report.address.street)
    version, districts = await gazetteer.lookup(conn, street_key, received_at.date())
    if version is None:
        return Placement(None, "no gazetteer loaded")
    found = resolve(street_key, districts)
    source = "gazetteer" if found.district else None
    return Placement(found.district, found.reason, gazetteer_version=version, source=source)


async def submit_report(
    pool: asyncpg.Pool,
    cipher: FieldCipher,
    link_key: LinkKey,
    report: ReportIn,
    *,
    actor: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[ReportAccepted, bool]:
    """Store the report and its event; (result, created). A repeat returns the first result."""
    now = now or datetime.now(UTC)
    received_at = check_received_at(report, now)
    async with pool.acquire() as conn, conn.transaction():
        if report.district is not None and not await repo.known_district(conn, report.district):
            raise ReportRejected("district", f"unknown district {report.district!r}")
        existing = await repo.find_existing(conn, report.channel, report.call_id, idempotency_key)
        if existing is not None:
            return existing, False
        placement = await place(conn, report, received_at)
        keys, linked = await find_links(conn, link_key, link_terms(report), received_at)
        for _ in range(_SHORT_CODE_TRIES):
            incident = accept_report(
                report, now, new_short_code(), placement=placement, linked=linked
            )
            sealed = cipher.seal(_personal(report), incident.id.bytes)
            if await repo.insert_incident(
                conn,
                incident,
                sealed,
                channel=report.channel,
                call_id=report.call_id,
                coordinates=report.coordinates,
                language=report.language,
                exercise=report.exercise,
                idempotency_key=idempotency_key,
                actor=actor,
            ):
                break
            existing = await repo.find_existing(
                conn, report.channel, report.call_id, idempotency_key
            )
            if existing is not None:
                return existing, False
        else:
            raise RuntimeError("could not allocate a free short code")
        await repo.add_link_keys(conn, incident.id, keys, incident.received_at)
        await repo.add_timeline(
            conn, incident.id, incident.status, timeline_detail(incident, report.channel)
        )
        await audit(conn, repo.SCHEMA, actor, "report.create", incident.id)
        await repo.publish_reported(
            conn,
            reported_event(
                incident,
                channel=report.channel,
                coordinates=report.coordinates,
                exercise=report.exercise,
            ),
        )
    REPORTS.labels(report.channel).inc()
    return accepted(incident), True


def timeline_detail(incident: NewIncident, channel: str) -> dict[str, object]:
    detail: dict[str, object] = {"channel": channel}
    if incident.district_source:
        detail["district_source"] = incident.district_source
    if incident.gazetteer_version is not None:
        detail["gazetteer_version"] = incident.gazetteer_version
    if incident.district_unresolved_reason:
        detail["reason"] = incident.district_unresolved_reason
    if incident.linked_incident_ids:
        detail["linked_incident_ids"] = [str(i) for i in incident.linked_incident_ids]
    return detail


def accepted(incident: NewIncident) -> ReportAccepted:
    return ReportAccepted(
        incident_id=incident.id,
        short_code=incident.short_code,
        status=incident.status,
        district=incident.district,
        priority=incident.priority,
        risk_level=incident.risk_level,
    )
