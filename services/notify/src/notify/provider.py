"""What notify needs from an SMS route; SMPP is the primary implementation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Submitted:
    message_ids: tuple[str, ...]


@dataclass(frozen=True)
class Rejected:
    reason: str
    retryable: bool


class SmsProvider(Protocol):
    name: str

    async def send(self, phone: str, text: str) -> Submitted | Rejected: ...

    @property
    def bound(self) -> bool: ...
