"""A delivery receipt, in SMPP 3.4's vocabulary (HTTP gateways' statuses map onto it). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .alert import AlertState

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


ReceiptStatus = Literal["delivered", "failed"]

# A two-part SMS gets a receipt per part. The first "delivered" marks the alert; a later part
# that failed still fails it (the officer may have read half of it); an officer's answer is
# never overwritten by a receipt. So routing and intake hear each change once, not per part.
RECEIPT_CHANGES: dict[ReceiptStatus, tuple[AlertState, ...]] = {
    "delivered": ("submitted",),
    "failed": ("submitted", "delivered"),
}


def change_of(receipt: Receipt) -> tuple[ReceiptStatus, str | None]:
    """The status a final receipt gives its alert, and the reason."""
    if receipt.delivered:
        return "delivered", None
    return "failed", f"delivery receipt: {receipt.state}"


def changes_of(
    status: AlertState, receipts: Sequence[Receipt]
) -> list[tuple[ReceiptStatus, str | None]]:
    """The changes final receipts make to an alert in `status`, applied in turn: those that
    `RECEIPT_CHANGES` allows from where the previous ones left it (each one an event)."""
    changes: list[tuple[ReceiptStatus, str | None]] = []
    for receipt in receipts:
        new, reason = change_of(receipt)
        if status in RECEIPT_CHANGES[new]:
            changes.append((new, reason))
            status = new
    return changes
