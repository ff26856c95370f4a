"""Use case: a verified social-media message → a new incident, or a follow-up to one.

One transaction per message. The platform's message id is unique in `source_messages`,
so a redelivered webhook changes nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import asyncpg
from qorgau_common.auth import audit
from qorgau_common.db import Connection
from qorgau_contracts import Coordinates

from . import gazetteer_store as gazetteer
from . import message_store as messages
from . import progress_store, queries
from . import repository as repo
from .crypto import FieldCipher
from .incidents import message_aad
from .linking import LinkKey, LinkTerm, phone_terms, sender_term
from .metrics import REPORTS
from .phones import InvalidPhone, normalise_phone
from .places import nearest_district
from .reconcile import reported_event_from_row
from .reports import new_short_code
from .retriage import now_reported, retriage
from .social import accept_message
from .submit import find_links, reported_event, timeline_detail
from .urgency import urgent
from .webhooks import InboundMessage

Outcome = Literal["new", "follow_up", "duplicate"]
_SHORT_CODE_TRIES = 8


def _content(message: InboundMessage) -> bytes:
    return json.dumps(
        {
            "sender_id": message.sender_id,
            "sender_name": message.sender_name,
            "sender_handle": message.sender_handle,
            "contact_phone": message.contact_phone,
            "text": message.text,
            "location": message.location,
        },
        ensure_ascii=False,
    ).encode()


def _phone(raw: str | None) -> str | None:
    try:
        return normalise_phone(raw) if raw else None
    except InvalidPhone:
        return None


def _terms(message: InboundMessage) -> list[LinkTerm]:
    return [
        *phone_terms(_phone(message.contact_phone)),
        sender_term(message.platform, message.sender_id),
    ]


async def receive_message(
    pool: asyncpg.Pool,
    cipher: FieldCipher,
    link_key: LinkKey,
    message: InboundMessage,
    *,
    follow_up_window: timedelta,
    now: datetime | None = None,
) -> Outcome:
    now = now or datetime.now(UTC)
    sender_hash = link_key.digest("sender", f"{message.platform}:{message.sender_id}")
    async with pool.acquire() as conn, conn.transaction():
        await messages.lock_sender(conn, sender_hash)
        if await messages.seen(conn, message.platform, message.message_id):
            return "duplicate"
        open_id = await messages.open_incident_of(
            conn, message.platform, sender_hash, now - follow_up_window
        )
        if open_id is not None:
            await _follow_up(conn, open_id, message)
            outcome: Outcome = "follow_up"
            incident_id = open_id
        else:
            incident_id = await _new_incident(conn, cipher, link_key, message, now)
            outcome = "new"
        await messages.add_message(
            conn,
            platform=message.platform,
            message_id=message.message_id,
            incident_id=incident_id,
            sender_hash=sender_hash,
            sent_at=message.sent_at,
            received_at=now,
            sealed=cipher.seal(
                _content(message), message_aad(message.platform, message.message_id)
            ),
        )
    if outcome == "new":
        REPORTS.labels(message.platform).inc()
    return outcome


async def _new_incident(
    conn: Connection,
    cipher: FieldCipher,
    link_key: LinkKey,
    message: InboundMessage,
    now: datetime,
) -> uuid.UUID:
    keys, linked = await find_links(conn, link_key, _terms(message), now)
    centroids = await gazetteer.centroids(conn)
    coordinates = (
        Coordinates(lat=message.location[0], lon=message.location[1])
        if (message.location)
        else None
    )
    for _ in range(_SHORT_CODE_TRIES):
        incident = accept_message(
            message, now, new_short_code(), centroids=centroids, linked=linked
        )
        # The incident's own personal record is the sender; the texts are in the messages.
        sealed = cipher.seal(_content(message), incident.id.bytes)
        if await repo.insert_incident(
            conn,
            incident,
            sealed,
            channel=message.platform,
            call_id=None,
            coordinates=coordinates,
            language="ru",
            exercise=False,
            idempotency_key=None,
            actor=f"webhook:{message.platform}",
        ):
            break
    else:
        raise RuntimeError("could not allocate a free short code")
    await repo.add_link_keys(conn, incident.id, keys, now)
    await repo.add_timeline(
        conn, incident.id, incident.status, timeline_detail(incident, message.platform)
    )
    await audit(conn, repo.SCHEMA, f"webhook:{message.platform}", "message.create", incident.id)
    await repo.publish_reported(
        conn,
        reported_event(incident, channel=message.platform, coordinates=coordinates, exercise=False),
    )
    return incident.id


async def _follow_up(conn: Connection, incident_id: uuid.UUID, message: InboundMessage) -> None:
    """Attach the message; urgent words flag the incident, a location may place it."""
    before = await queries.triage_state(conn, incident_id)
    assert before is not None
    district = None
    if message.location is not None:
        await messages.set_location_if_missing(conn, incident_id, *message.location)
        if before.district is None:
            district = nearest_district(*message.location, await gazetteer.centroids(conn))
    after = retriage(
        before,
        district=district,
        district_source="location_approximate",
        urgent=urgent(message.text),
    )
    await queries.save_triage(conn, incident_id, after)
    await repo.add_timeline(
        conn,
        incident_id,
        "message",
        {"platform": message.platform, "urgent": after.urgent, "district": after.district},
    )
    if now_reported(before, after):
        row = await progress_store.reported_row(conn, incident_id)
        await repo.publish_reported(conn, reported_event_from_row(row))
