"""How long an officer has to acknowledge, and how far a case goes before the board."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qorgau_contracts import Priority

ACK_DEADLINES: Mapping[Priority, timedelta] = {
    "danger_now": timedelta(minutes=2),
    "high": timedelta(minutes=5),
    "standard": timedelta(minutes=15),
}


@dataclass(frozen=True)
class EscalationPolicy:
    ack_deadlines: Mapping[Priority, timedelta] = field(default_factory=lambda: ACK_DEADLINES)
    max_attempts: int = 4
    supervisor_told_at_attempt: int = 2
    # An open assignment notify has not answered (no alert status) is said again after this,
    # and at most once per this: routing owns redelivery on the routing → notify hop.
    redeliver_after: timedelta = timedelta(seconds=30)

    def ack_deadline(self, priority: Priority, now: datetime) -> datetime:
        return now + self.ack_deadlines[priority]
