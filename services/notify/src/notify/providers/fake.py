"""An in-memory SMS provider, first-class like httpx's `MockTransport`: it sends nowhere.

It keeps every message it accepts, answers with the results it is told (in order, then
`Submitted` with fresh ids), and can hold sends on the wire until released: that is how a
test puts an alert inside the window SMPP cannot close. It behaves like a real provider
where it matters: `unavailable` comes back before anything goes on the wire, every other
answer after `on_wire` (which may say the claim was lost: then nothing is sent).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass

from .base import CLAIM_LOST, FailureKind, OnWire, Rejected, SendResult, Submitted, no_record

_UNHEALTHY = ("unavailable", "error")


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    message_ids: tuple[str, ...]
    receipt: bool = True


class FakeProvider:
    def __init__(self, name: str = "fake", *, healthy: bool = True) -> None:
        self.name = name
        self.sent: list[SentSms] = []
        self.on_wire = 0  # sends that reached the wire (accepted or not)
        self.healthy = healthy
        self._answers: deque[SendResult] = deque()
        self._ids = itertools.count(1)
        self._held: asyncio.Event | None = None
        self._waiting = asyncio.Condition()

    def answer(self, *results: SendResult) -> None:
        """Answer the next sends with `results`, in order."""
        self._answers.extend(results)

    def refuse(self, reason: str = "refused", kind: FailureKind = "error", times: int = 1) -> None:
        """Answer the next `times` sends with a rejection of `kind`."""
        self.answer(*[Rejected(reason, kind) for _ in range(times)])

    def hold(self) -> None:
        """Keep every send on the wire (after `on_wire`) until `release()`."""
        self._held = asyncio.Event()

    def release(self) -> None:
        if self._held is not None:
            self._held.set()
            self._held = None

    async def wait_on_wire(self, count: int, within_s: float = 5.0) -> None:
        """Until `count` sends have reached the wire; TimeoutError naming the shortfall."""
        async with self._waiting:
            try:
                await asyncio.wait_for(
                    self._waiting.wait_for(lambda: self.on_wire >= count), within_s
                )
            except TimeoutError:
                raise TimeoutError(f"{self.on_wire} of {count} sends reached the wire") from None

    async def send(
        self, phone: str, text: str, on_wire: OnWire = no_record, *, receipt: bool = True
    ) -> SendResult:
        answer = self._answers.popleft() if self._answers else None
        # Like the HTTP gateway: healthy while the last call got an answer from the far end.
        self.healthy = not (isinstance(answer, Rejected) and answer.kind in _UNHEALTHY)
        if isinstance(answer, Rejected) and answer.kind == "unavailable":
            return answer
        if not await on_wire():
            return CLAIM_LOST
        async with self._waiting:
            self.on_wire += 1
            self._waiting.notify_all()
        held = self._held
        if held is not None:
            await held.wait()
        result = answer or Submitted((f"{self.name}-{next(self._ids)}",))
        if isinstance(result, Submitted):
            self.sent.append(SentSms(phone, text, result.message_ids, receipt))
        return result
