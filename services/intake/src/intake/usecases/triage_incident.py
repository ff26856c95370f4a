"""Use case: complete triage (district and/or checklist); a newly placed incident is
published again, and every step is on the timeline and in the audit trail."""

from __future__ import annotations

import uuid

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.auth import Caller
from qorgau_common.errors import InvalidInput, NotFound

from intake.db import SCHEMA, gazetteer, timeline
from intake.db import incidents as store
from intake.domain.incident import Incident, TimelineLine
from intake.domain.retriage import now_reported, retriage, triage_state
from intake.domain.triage import Checklist

from .incident_reported import publish_reported


async def triage_incident(
    pool: asyncpg.Pool,
    caller: Caller,
    incident_id: uuid.UUID,
    *,
    district: str | None,
    checklist: Checklist | None,
) -> tuple[Incident, list[TimelineLine]]:
    """The incident after triage, with its timeline."""
    async with pool.acquire() as conn, conn.transaction():
        if district is not None and not await gazetteer.known_district(conn, district):
            raise InvalidInput("district", f"unknown district {district!r}")
        incident = await store.get(conn, incident_id, lock=True)
        if incident is None:
            raise NotFound("incident_id", "no such incident")
        before = triage_state(incident)
        after = retriage(before, district=district, checklist=checklist)
        await store.save_triage(conn, incident_id, after)
        published = now_reported(before, after)
        detail = {
            "district": after.district,
            "risk_level": after.risk_level,
            "priority": after.priority,
            "published": published,
        }
        await timeline.add(conn, incident_id, "triaged", detail)
        await audit(conn, SCHEMA, caller.name, "incident.triage", incident_id, detail)
        triaged = await store.get(conn, incident_id)
        assert triaged is not None
        if published:
            await publish_reported(conn, triaged)
        lines = await timeline.of(conn, incident_id)
    return triaged, lines
