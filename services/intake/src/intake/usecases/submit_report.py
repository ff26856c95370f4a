"""Use case: an operator submits a report → incident, timeline, audit and outbox, atomically."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from qorgau_common.db import Connection

from intake.db import gazetteer
from intake.db import incidents as store
from intake.domain.crypto import FieldCipher
from intake.domain.incident import Incident, Placement
from intake.domain.linking import LinkKey
from intake.domain.report import (
    Report,
    ReportRejected,
    accept_report,
    check_received_at,
    link_terms,
    personal_record,
)
from intake.domain.streets import gazetteer_date, normalise_street, resolve
from intake.metrics import REPORTS

from .open_incident import find_links, open_incident


async def place(conn: Connection, report: Report, received_at: datetime) -> Placement | None:
    """The gazetteer's district for a report that came without one."""
    if report.district is not None or report.address is None:
        return None
    street_key = normalise_street(report.address.street)
    version, districts = await gazetteer.lookup(conn, street_key, gazetteer_date(received_at))
    if version is None:
        return Placement(None, "no gazetteer loaded")
    found = resolve(street_key, districts)
    if found.district is None:
        return Placement(None, found.reason, gazetteer_version=version)
    return Placement(found.district, None, gazetteer_version=version, source="gazetteer")


async def submit_report(
    pool: asyncpg.Pool,
    cipher: FieldCipher,
    link_key: LinkKey,
    report: Report,
    *,
    actor: str,
    idempotency_key: str | None = None,
    idempotency_token: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[Incident, bool]:
    """Store the report and its event; (incident, created).

    A repeat of the call id, or of the idempotency key from the same token, returns the first
    incident if it carries the same report, and is refused (422, naming which) if not.
    """
    now = now or datetime.now(UTC)
    received_at = check_received_at(report, now)
    digest = link_key.digest("request", report.model_dump_json())
    async with pool.acquire() as conn, conn.transaction():
        # No lookup first: a repeat is found when its insert meets the earlier row
        # (`open_incident`), so a new report, the common case, pays nothing for it.
        placement = await place(conn, report, received_at)
        keys, linked = await find_links(conn, link_key, link_terms(report), received_at)
        try:
            incident, created = await open_incident(
                conn,
                cipher,
                lambda code: accept_report(report, now, code, placement=placement, linked=linked),
                personal_record(report),
                link_keys=keys,
                actor=actor,
                action="report.create",
                call_id=report.call_id,
                idempotency_key=idempotency_key,
                idempotency_token=idempotency_token,
                request_digest=digest,
            )
        except asyncpg.ForeignKeyViolationError as exc:
            # The insert checks the operator's district (no read of the districts first);
            # the transaction is rolled back, so nothing of the report is kept.
            if not store.unknown_district(exc):
                raise
            raise ReportRejected("district", f"unknown district {report.district!r}") from None
    if created:
        REPORTS.labels(report.channel).inc()
    return incident, created
