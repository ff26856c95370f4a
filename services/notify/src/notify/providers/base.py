"""The provider interface: what notify needs from an SMS route, and what a send returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

# permanent: the number or message is refused for good; the others are worth another route.
FailureKind = Literal["permanent", "unavailable", "error", "throttled"]


@dataclass(frozen=True)
class Submitted:
    message_ids: tuple[str, ...]


@dataclass(frozen=True)
class Rejected:
    reason: str
    kind: FailureKind

    @property
    def retryable(self) -> bool:
        return self.kind != "permanent"


SendResult = Submitted | Rejected

# Called once the provider is about to put the message on the wire (after its rate limit
# and window): records the intent to send. False means the claim was lost: do not send.
OnWire = Callable[[], Awaitable[bool]]
CLAIM_LOST = Rejected("claim lost before submit", "error")


async def no_record() -> bool:
    return True


class SmsProvider(Protocol):
    name: str

    async def send(
        self, phone: str, text: str, on_wire: OnWire = no_record, *, receipt: bool = True
    ) -> SendResult:
        """`receipt`: ask for a delivery receipt (alerts do; best-effort notices do not)."""

    @property
    def healthy(self) -> bool: ...
