"""The SMPP 3.4 provider: UCS-2/GSM-7 submits with UDH parts, windowed and rate-limited.

It holds `binds` binds; each message goes on the bound one with the most free room
(`spread`), and every part of it on that one session: many SMSCs join concatenated parts
only within a session, so a bind lost between parts fails the message (it is sent again
whole). Several alerts are in flight at once, up to `window` messages per bind;
each submit_sm first takes a token from its bind's rate limit. ESME_RTHROTTLED and a full
queue are retried with backoff up to `throttle_retries`, then reported as `throttled` so
the alert fails over.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

import smpp34
import structlog
from smpp34._smpp34 import ESME_RINVDSTADR, ESME_RINVMSGLEN, ESME_RMSGQFUL, ESME_RTHROTTLED

from notify.metrics import SMPP_BIND_SUBMITS, SUBMITS
from notify.providers.base import CLAIM_LOST, OnWire, Rejected, SendResult, Submitted, no_record
from notify.providers.failover import backoff

from .binds import Bind, Binds
from .pdu import encode
from .session import OnReceipt, OnReply, SmppConfig

log = structlog.get_logger(__name__)

THROTTLING_STATUSES = frozenset({ESME_RTHROTTLED, ESME_RMSGQFUL})
# The number or the message itself is refused: no other route will do better.
# ESME_RINVDSTTON (0x50) and ESME_RINVDSTNPI (0x51) have no constant in smpp34.
PERMANENT_STATUSES = frozenset({ESME_RINVDSTADR, ESME_RINVMSGLEN, 0x50, 0x51})


@dataclass(frozen=True)
class _OnSession:
    """Where every part of one message goes: this bind, and the session it had when chosen."""

    bind: Bind
    smsc: smpp34.Smsc

    @property
    def lost(self) -> bool:
        return self.bind.session.current is not self.smsc


class SmppProvider:
    name = "smpp"

    def __init__(self, config: SmppConfig, on_receipt: OnReceipt, on_reply: OnReply) -> None:
        self._config = config
        self._binds = Binds(self.name, config, on_receipt, on_reply)
        self._references = itertools.count(1)

    @property
    def healthy(self) -> bool:
        return self._binds.up > 0

    @property
    def binds_up(self) -> int:
        return self._binds.up

    async def start(self) -> None:
        self._binds.start()

    async def wait_bound(self, within_s: float, binds: int = 1) -> bool:
        """True once at least `binds` binds are bound, waiting up to `within_s`."""
        return await self._binds.wait_up(within_s, binds)

    async def stop(self) -> None:
        """Unbind every bind politely (at once) and stop reconnecting."""
        await self._binds.stop()

    async def send(
        self, phone: str, text: str, on_wire: OnWire = no_record, *, receipt: bool = True
    ) -> SendResult:
        if not await self._binds.wait_up(self._config.bind_wait_s):
            return Rejected("SMPP bind is down", "unavailable")
        bind = self._binds.choose()
        smsc = bind.session.current if bind is not None else None
        if bind is None or smsc is None:
            return Rejected("SMPP bind lost", "unavailable")
        on_session = _OnSession(bind, smsc)
        encoded = encode(text, next(self._references))
        ids: list[str] = []
        bind.in_flight += 1
        try:
            # The window holds whole messages, not parts: a message is on the wire (and would be
            # "in doubt" after a crash) from its first part's submit to its last part's answer,
            # so at most `window` messages per bind can be in doubt (a part-sized window let a
            # message whose first part was out wait for a slot for its second: 22 > 16 seen).
            async with bind.window:
                for n, part in enumerate(encoded.parts):
                    result = await self._submit_part(
                        on_session,
                        phone,
                        part,
                        encoded.esm_class,
                        encoded.data_coding,
                        on_wire if n == 0 else None,
                        receipt,
                    )
                    if isinstance(result, Rejected):
                        return result
                    ids.append(result)
        finally:
            bind.in_flight -= 1
        return Submitted(tuple(ids))

    async def _submit_part(
        self,
        on: _OnSession,
        phone: str,
        part: bytes,
        esm_class: int,
        data_coding: int,
        on_wire: OnWire | None,
        receipt: bool,
    ) -> str | Rejected:
        attempt = 0
        while True:
            attempt += 1
            if on.lost:
                return Rejected("SMPP bind lost", "unavailable")
            await on.bind.rate.acquire()
            try:
                if on_wire is not None:
                    if not await on_wire():
                        return CLAIM_LOST
                    on_wire = None
                SMPP_BIND_SUBMITS.labels(str(on.bind.index)).inc()
                resp = await asyncio.wait_for(
                    on.smsc.submit_sm(
                        phone.lstrip("+"),
                        part,
                        source_addr=self._config.source_addr,
                        source_addr_ton=5,  # alphanumeric sender
                        source_addr_npi=0,
                        dest_addr_ton=1,  # international
                        dest_addr_npi=1,  # E.164
                        esm_class=esm_class,
                        data_coding=data_coding,
                        registered_delivery=1 if receipt else 0,  # a delivery receipt
                    ),
                    self._config.submit_timeout_s,
                )
            except (TimeoutError, smpp34.SmppError, RuntimeError, OSError) as exc:
                SUBMITS.labels(self.name, "error").inc()
                return Rejected(f"submit_sm failed: {type(exc).__name__}", "error")
            status = resp.command_status
            SUBMITS.labels(self.name, f"0x{status:08x}").inc()
            if resp.is_success and resp.message_id:
                return resp.message_id
            reason = f"submit_sm rejected: 0x{status:08x}"
            if status in THROTTLING_STATUSES:
                if attempt > self._config.throttle_retries:
                    return Rejected(f"{reason} (retry budget spent)", "throttled")
                await asyncio.sleep(backoff(attempt))
                continue
            return Rejected(reason, "permanent" if status in PERMANENT_STATUSES else "error")
