"""Use case: keep an authentic webhook update that could not be processed.

The platform has proved the update is theirs, so refusing it would only make them retry it
for ever (a poison loop), and dropping it could lose a victim's message. It is acknowledged,
kept sealed with the reason, counted, and alerted on (`QorgauWebhookQuarantined`).
"""

from __future__ import annotations

import uuid
from typing import Literal

import asyncpg
import structlog

from intake.db import quarantine
from intake.domain.crypto import FieldCipher, quarantine_aad
from intake.metrics import QUARANTINED

log = structlog.get_logger(__name__)

Source = Literal["telegram", "meta"]
# Why, as a metric label: the update could not be parsed, a message in it could not be read
# (an id or a time out of bounds), or it could not be stored.
Kind = Literal["malformed", "unreadable_message", "unstorable"]


async def quarantine_update(
    pool: asyncpg.Pool, cipher: FieldCipher, source: Source, kind: Kind, reason: str, body: bytes
) -> uuid.UUID:
    """Store the raw body (sealed) with why it was set aside; the quarantine id."""
    quarantine_id = uuid.uuid4()
    sealed = cipher.seal(body, quarantine_aad(quarantine_id))
    async with pool.acquire() as conn:
        await quarantine.add(conn, quarantine_id, source, f"{kind}: {reason}"[:500], sealed)
    QUARANTINED.labels(source, kind).inc()
    log.warning(
        "webhook update quarantined", quarantine_id=str(quarantine_id), source=source, kind=kind
    )
    return quarantine_id
