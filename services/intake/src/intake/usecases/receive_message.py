"""Use case: a verified social-media message → a new incident, or a follow-up to one.

One transaction per message. The platform's message id is unique in `source_messages`,
so a redelivered webhook changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import asyncpg
from qorgau_common.db import Connection

from intake.db import gazetteer, messages, timeline
from intake.db import incidents as store
from intake.domain.crypto import FieldCipher, message_aad
from intake.domain.linking import LinkKey
from intake.domain.message import (
    InboundMessage,
    accept_message,
    message_address_line,
    message_link_terms,
    message_record,
)
from intake.domain.places import nearest_district
from intake.domain.retriage import now_reported, retriage, triage_state
from intake.domain.urgency import urgent
from intake.metrics import REPORTS

from .incident_reported import publish_reported
from .open_incident import find_links, open_incident

Outcome = Literal["new", "follow_up", "duplicate"]


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
                message_record(message), message_aad(message.platform, message.message_id)
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
    keys, linked = await find_links(conn, link_key, message_link_terms(message), now)
    centroids = await gazetteer.centroids(conn)
    # The incident's own personal record is the sender; the texts are in the messages.
    incident, _ = await open_incident(
        conn,
        cipher,
        lambda code: accept_message(message, now, code, centroids=centroids, linked=linked),
        message_record(message),
        link_keys=keys,
        actor=f"webhook:{message.platform}",
        action="message.create",
    )
    return incident.id


async def _follow_up(conn: Connection, incident_id: uuid.UUID, message: InboundMessage) -> None:
    """Attach the message; urgent words flag the incident, a location may place it."""
    incident = await store.get(conn, incident_id, lock=True)
    assert incident is not None
    before = triage_state(incident)
    district = None
    placed_now = False
    if message.location is not None:
        await store.set_location_if_missing(conn, incident_id, *message.location)
        if incident.coordinates is None:
            # The first location is the address the officer drives to: it replaces the
            # placeholder line, and routing texts it to whoever holds the case.
            placed_now = await store.set_address_line(
                conn, incident_id, message_address_line(message)[:200]
            )
        if before.district is None:
            district = nearest_district(*message.location, await gazetteer.centroids(conn))
    after = retriage(
        before,
        district=district,
        district_source="location_approximate",
        urgent=urgent(message.text),
    )
    await store.save_triage(conn, incident_id, after)
    await timeline.add(
        conn,
        incident_id,
        "message",
        {"platform": message.platform, "urgent": after.urgent, "district": after.district},
    )
    if now_reported(before, after) or placed_now:
        placed = await store.get(conn, incident_id)
        assert placed is not None
        await publish_reported(conn, placed)
