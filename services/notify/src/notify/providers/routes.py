"""The providers an SMS may take, in failover order, and the one allowed to carry drills."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry.trace import SpanKind
from qorgau_common.tracing import span

from .base import OnWire, Rejected, SendResult, SmsProvider, Submitted, no_record
from .failover import routes_for


@dataclass(frozen=True)
class Routes:
    providers: Mapping[str, SmsProvider]
    order: tuple[str, ...]  # provider names, in failover order
    exercise_provider: str | None = None

    @classmethod
    def of(cls, *providers: SmsProvider, exercise_provider: str | None = None) -> Routes:
        """Routes through `providers`, in the order given."""
        return cls(
            {p.name: p for p in providers}, tuple(p.name for p in providers), exercise_provider
        )

    def for_alert(self, exercise: bool) -> tuple[str, ...]:
        return routes_for(exercise, self.order, self.exercise_provider)

    async def send_via(
        self,
        name: str,
        phone: str,
        text: str,
        on_wire: OnWire = no_record,
        *,
        receipt: bool = True,
    ) -> SendResult:
        """One send through provider `name`, traced; a provider bug is a retryable error,
        so it never strands an alert in `sending`."""
        try:
            with span(f"sms send {name}", "notify", kind=SpanKind.CLIENT, provider=name):
                return await self.providers[name].send(phone, text, on_wire, receipt=receipt)
        except Exception as exc:
            return Rejected(f"provider error: {type(exc).__name__}", "error")

    async def send_notice(self, phone: str, text: str, exercise: bool) -> bool:
        """A short notice (reply confirmations): the first route that takes it, best effort,
        not recorded, and without a delivery receipt (nothing would match it: it would only
        cost the SMSC a deliver_sm and notify a kept row and a transaction per part)."""
        for name in self.for_alert(exercise):
            result = await self.send_via(name, phone, text, receipt=False)
            if isinstance(result, Submitted):
                return True
            if not result.retryable:
                return False
        return False
