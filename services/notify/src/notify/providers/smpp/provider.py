"""The SMPP 3.4 provider: UCS-2/GSM-7 submits with UDH parts, windowed and rate-limited.

Several alerts (and their parts) are in flight at once, up to `window`; each submit_sm
first takes a token from the provider's rate limit. ESME_RTHROTTLED and a full queue
are retried with backoff up to `throttle_retries`, then reported as `throttled` so the
alert fails over.
"""

from __future__ import annotations

import asyncio
import itertools

import smpp34
import structlog
from smpp34._smpp34 import ESME_RINVDSTADR, ESME_RINVMSGLEN, ESME_RMSGQFUL, ESME_RTHROTTLED

from notify.metrics import SUBMITS
from notify.providers.base import CLAIM_LOST, OnWire, Rejected, SendResult, Submitted, no_record
from notify.providers.failover import backoff
from notify.providers.ratelimit import rate_limit

from .pdu import encode
from .session import OnReceipt, OnReply, SmppConfig, SmppSession

log = structlog.get_logger(__name__)

THROTTLING_STATUSES = frozenset({ESME_RTHROTTLED, ESME_RMSGQFUL})
# The number or the message itself is refused: no other route will do better.
# ESME_RINVDSTTON (0x50) and ESME_RINVDSTNPI (0x51) have no constant in smpp34.
PERMANENT_STATUSES = frozenset({ESME_RINVDSTADR, ESME_RINVMSGLEN, 0x50, 0x51})


class SmppProvider:
    name = "smpp"

    def __init__(self, config: SmppConfig, on_receipt: OnReceipt, on_reply: OnReply) -> None:
        self._config = config
        self._session = SmppSession(self.name, config, on_receipt, on_reply)
        self._window = asyncio.Semaphore(max(config.window, 1))
        self._rate = rate_limit(config.rate_per_s)
        self._references = itertools.count(1)

    @property
    def healthy(self) -> bool:
        return self._session.bound

    async def start(self) -> None:
        self._session.start()

    async def wait_bound(self, within_s: float) -> bool:
        return await self._session.wait_bound(within_s) is not None

    async def stop(self) -> None:
        await self._session.stop()

    async def send(self, phone: str, text: str, on_wire: OnWire = no_record) -> SendResult:
        if await self._session.wait_bound(self._config.bind_wait_s) is None:
            return Rejected("SMPP bind is down", "unavailable")
        encoded = encode(text, next(self._references))
        ids: list[str] = []
        for n, part in enumerate(encoded.parts):
            result = await self._submit_part(
                phone, part, encoded.esm_class, encoded.data_coding, on_wire if n == 0 else None
            )
            if isinstance(result, Rejected):
                return result
            ids.append(result)
        return Submitted(tuple(ids))

    async def _submit_part(
        self, phone: str, part: bytes, esm_class: int, data_coding: int, on_wire: OnWire | None
    ) -> str | Rejected:
        attempt = 0
        while True:
            attempt += 1
            smsc = self._session.current
            if smsc is None:
                return Rejected("SMPP bind lost", "unavailable")
            await self._rate.acquire()
            try:
                async with self._window:
                    if on_wire is not None:
                        if not await on_wire():
                            return CLAIM_LOST
                        on_wire = None
                    resp = await asyncio.wait_for(
                        smsc.submit_sm(
                            phone.lstrip("+"),
                            part,
                            source_addr=self._config.source_addr,
                            source_addr_ton=5,  # alphanumeric sender
                            source_addr_npi=0,
                            dest_addr_ton=1,  # international
                            dest_addr_npi=1,  # E.164
                            esm_class=esm_class,
                            data_coding=data_coding,
                            registered_delivery=1,  # ask for a delivery receipt
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
