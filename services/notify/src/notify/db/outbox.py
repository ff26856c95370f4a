"""The outbox rows of `alert.updated.v1` and `reply.received.v1`: written in the transaction
of the change they report."""

from __future__ import annotations

from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import ALERT_UPDATED, REPLY_RECEIVED, AlertUpdated, ReplyReceived

from . import SCHEMA


async def enqueue_alert_updated(conn: Connection, event: AlertUpdated) -> None:
    """Queue an event a use case built; the relay publishes it, keyed by incident."""
    await enqueue(conn, SCHEMA, ALERT_UPDATED.name, str(event.incident_id), event)


async def enqueue_reply_received(conn: Connection, event: ReplyReceived) -> None:
    """Queue an officer's reply for routing, keyed by incident."""
    await enqueue(conn, SCHEMA, REPLY_RECEIVED.name, str(event.incident_id), event)
