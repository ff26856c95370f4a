"""A delivery receipt, in SMPP 3.4's vocabulary (HTTP gateways' statuses map onto it). Pure."""

from __future__ import annotations

from dataclasses import dataclass

# SMPP 3.4 message_state values (5.3.2.35).
MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
FINAL_FAILURES = frozenset({"EXPIRED", "DELETED", "UNDELIV", "REJECTD"})


@dataclass(frozen=True)
class Receipt:
    message_id: str
    state: str

    @property
    def delivered(self) -> bool:
        return self.state == "DELIVRD"

    @property
    def final(self) -> bool:
        return self.delivered or self.state in FINAL_FAILURES
