"""The notify processes that hold claims, and when each last showed it was alive."""

from __future__ import annotations

import uuid
from datetime import datetime

from .alerts import Db


async def beat(conn: Db, instance_id: uuid.UUID, now: datetime | None = None) -> None:
    """`instance_id` is alive (at `now`, by default the database's clock); rows of processes
    silent for a day are dropped."""
    await conn.execute(
        "WITH gone AS (DELETE FROM notify.senders"
        " WHERE instance_id <> $1"
        " AND beat_at < coalesce($2::timestamptz, now()) - interval '1 day')"
        " INSERT INTO notify.senders (instance_id, beat_at)"
        " VALUES ($1, coalesce($2::timestamptz, now()))"
        " ON CONFLICT (instance_id) DO UPDATE SET beat_at = excluded.beat_at",
        instance_id,
        now,
    )
