"""Use cases on stored incidents: view (audited), list, and complete triage."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from qorgau_common.auth import Caller, audit
from qorgau_common.problems import InvalidInput, NotFound

from . import message_store as messages
from . import progress_store, queries
from . import repository as repo
from .crypto import FieldCipher, Sealed
from .reconcile import reported_event_from_row
from .retriage import now_reported, retriage
from .triage import Checklist
from .views import IncidentPage, IncidentView, SourceMessageView, TimelineEntry, summary

# Personal fields (phones, names, narrative, message texts) are decrypted for these roles
# only; an operator sees the incident and its timeline, not who the people are.
PERSONAL_ROLES = frozenset({"supervisor", "admin"})


async def view_incident(
    pool: asyncpg.Pool, cipher: FieldCipher, caller: Caller, incident_id: uuid.UUID
) -> IncidentView:
    personal_allowed = caller.role in PERSONAL_ROLES
    async with pool.acquire() as conn, conn.transaction():
        row = await queries.incident(conn, incident_id)
        if row is None:
            raise NotFound("incident_id", "no such incident")
        entries = await queries.timeline(conn, incident_id)
        message_rows = await messages.messages_of(conn, incident_id)
        await audit(
            conn,
            repo.SCHEMA,
            caller.name,
            "incident.view",
            incident_id,
            {"personal": personal_allowed},
        )
    personal: dict[str, Any] | None = None
    source_messages = [
        SourceMessageView(
            platform=m["platform"],
            sent_at=m["sent_at"],
            received_at=m["received_at"],
            content=_open(cipher, m["personal"], m["key_id"], _message_aad(m))
            if personal_allowed
            else None,
        )
        for m in message_rows
    ]
    if personal_allowed:
        personal = _open(cipher, row["personal"], row["key_id"], incident_id.bytes)
    return IncidentView(
        **summary(row).model_dump(),
        timeline=[
            TimelineEntry(at=e["at"], status=e["status"], detail=json.loads(e["detail"]))
            for e in entries
        ],
        personal=personal,
        messages=source_messages,
    )


def _message_aad(row: asyncpg.Record) -> bytes:
    return message_aad(row["platform"], row["message_id"])


def message_aad(platform: str, message_id: str) -> bytes:
    return f"{platform}:{message_id}".encode()


def _open(cipher: FieldCipher, ciphertext: bytes, key_id: str, aad: bytes) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(cipher.open(Sealed(key_id, ciphertext), aad))
    return opened


def encode_cursor(received_at: datetime, incident_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{incident_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, _, incident_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), uuid.UUID(incident_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("cursor", "not a cursor from a previous page") from exc


async def list_incidents(
    pool: asyncpg.Pool,
    caller: Caller,
    *,
    status: str | None,
    district: str | None,
    since: datetime | None,
    limit: int,
    cursor: str | None,
) -> IncidentPage:
    after = decode_cursor(cursor) if cursor else None
    async with pool.acquire() as conn, conn.transaction():
        rows = await queries.page(
            conn, status=status, district=district, since=since, after=after, limit=limit + 1
        )
        await audit(
            conn,
            repo.SCHEMA,
            caller.name,
            "incident.list",
            None,
            {"count": min(len(rows), limit), "status": status, "district": district},
        )
    items = [summary(r) for r in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return IncidentPage(
        items=items,
        next_cursor=encode_cursor(last["received_at"], last["id"]) if last else None,
    )


async def triage_incident(
    pool: asyncpg.Pool,
    caller: Caller,
    incident_id: uuid.UUID,
    *,
    district: str | None,
    checklist: Checklist | None,
) -> IncidentView:
    """Set the district and/or the checklist; a newly placed incident is published again."""
    async with pool.acquire() as conn, conn.transaction():
        if district is not None and not await repo.known_district(conn, district):
            raise InvalidInput("district", f"unknown district {district!r}")
        before = await queries.triage_state(conn, incident_id)
        if before is None:
            raise NotFound("incident_id", "no such incident")
        after = retriage(before, district=district, checklist=checklist)
        await queries.save_triage(conn, incident_id, after)
        published = now_reported(before, after)
        detail: dict[str, Any] = {
            "district": after.district,
            "risk_level": after.risk_level,
            "priority": after.priority,
            "published": published,
        }
        await repo.add_timeline(conn, incident_id, "triaged", detail)
        await audit(conn, repo.SCHEMA, caller.name, "incident.triage", incident_id, detail)
        if published:
            row = await progress_store.reported_row(conn, incident_id)
            await repo.publish_reported(conn, reported_event_from_row(row))
        stored = await queries.incident(conn, incident_id)
        entries = await queries.timeline(conn, incident_id)
    assert stored is not None
    return IncidentView(
        **summary(stored).model_dump(),
        timeline=[
            TimelineEntry(at=e["at"], status=e["status"], detail=json.loads(e["detail"]))
            for e in entries
        ],
    )
