"""SMS providers behind one interface (`base.SmsProvider`): SMPP (the primary), the HTTP
gateway (the fallback), and `FakeProvider`, a first-class in-memory one for tests and drills.
`failover` decides which one an alert tries next."""

from __future__ import annotations

from .base import CLAIM_LOST, FailureKind, OnWire, Rejected, SendResult, SmsProvider, Submitted
from .fake import FakeProvider

__all__ = [
    "CLAIM_LOST",
    "FailureKind",
    "FakeProvider",
    "OnWire",
    "Rejected",
    "SendResult",
    "SmsProvider",
    "Submitted",
]
