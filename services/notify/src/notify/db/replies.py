"""The replies notify passed to routing, and routing's verdict on each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from qorgau_common.db import Connection
from qorgau_contracts import Outcome, ReplyAnswer


async def insert_reply(
    conn: Connection,
    alert_id: uuid.UUID,
    answer: ReplyAnswer,
    outcome: Outcome | None,
    now: datetime,
) -> uuid.UUID:
    reply_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO notify.replies (id, alert_id, answer, outcome, received_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        reply_id,
        alert_id,
        answer,
        outcome,
        now,
    )
    return reply_id


@dataclass(frozen=True)
class ReplyAnswered:
    """A reply routing has given its verdict on."""

    answer: ReplyAnswer
    outcome: Outcome | None
