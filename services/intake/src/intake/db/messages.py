"""SQL for social-media messages (encrypted) and the incidents they belong to."""

from __future__ import annotations

import uuid
from datetime import datetime

from qorgau_common.db import Connection

from intake.domain.crypto import Sealed
from intake.domain.message import StoredMessage


async def lock_sender(conn: Connection, sender_hash: bytes) -> None:
    """One message per sender at a time, so two quick messages do not open two incidents."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", sender_hash.hex())


async def seen(conn: Connection, platform: str, message_id: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM intake.source_messages WHERE platform = $1 AND message_id = $2",
            platform,
            message_id,
        )
    )


async def open_incident_of(
    conn: Connection, platform: str, sender_hash: bytes, since: datetime
) -> uuid.UUID | None:
    """The sender's latest incident with a message since `since`, unless it is resolved."""
    found: uuid.UUID | None = await conn.fetchval(
        "SELECT m.incident_id FROM intake.source_messages m"
        " JOIN intake.incidents i ON i.id = m.incident_id"
        " WHERE m.platform = $1 AND m.sender_hash = $2 AND m.received_at >= $3"
        "   AND i.status <> 'resolved'"
        " ORDER BY m.received_at DESC LIMIT 1",
        platform,
        sender_hash,
        since,
    )
    return found


async def add_message(
    conn: Connection,
    *,
    platform: str,
    message_id: str,
    incident_id: uuid.UUID,
    sender_hash: bytes,
    sent_at: datetime,
    received_at: datetime,
    sealed: Sealed,
) -> None:
    await conn.execute(
        "INSERT INTO intake.source_messages (platform, message_id, incident_id, sender_hash,"
        " sent_at, received_at, personal, key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        platform,
        message_id,
        incident_id,
        sender_hash,
        sent_at,
        received_at,
        sealed.ciphertext,
        sealed.key_id,
    )


async def messages_of(conn: Connection, incident_id: uuid.UUID) -> list[StoredMessage]:
    rows = await conn.fetch(
        "SELECT platform, message_id, sent_at, received_at, personal, key_id"
        " FROM intake.source_messages WHERE incident_id = $1 ORDER BY received_at, sent_at",
        incident_id,
    )
    return [
        StoredMessage(
            r["platform"],
            r["message_id"],
            r["sent_at"],
            r["received_at"],
            Sealed(r["key_id"], r["personal"]),
        )
        for r in rows
    ]
