"""The outbox rows of `alert.updated.v1`: written in the transaction of the change they report."""

from __future__ import annotations

from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import ALERT_UPDATED, AlertUpdated

from . import SCHEMA


async def enqueue_alert_updated(conn: Connection, event: AlertUpdated) -> None:
    """Queue an event a use case built; the relay publishes it, keyed by incident."""
    await enqueue(conn, SCHEMA, ALERT_UPDATED.name, str(event.incident_id), event)
