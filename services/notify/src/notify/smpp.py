"""SMPP 3.4 provider over smpp34: one transceiver bind, kept up with backoff.

smpp34's core answers enquire_link and acks deliver_sm; a `Client` binds only once, so
each reconnect builds a new one. Segmentation and receipt matching are ours (pdu.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import smpp34
import structlog
from prometheus_client import Counter, Gauge
from smpp34._smpp34 import (
    ESME_RMSGQFUL,
    ESME_RSYSERR,
    ESME_RTHROTTLED,
    TLV_MESSAGE_STATE,
    TLV_RECEIPTED_MESSAGE_ID,
)

from .pdu import ESM_RECEIPT, Reassembler, Receipt, decode_part, encode, parse_receipt
from .provider import Rejected, Submitted

log = structlog.get_logger(__name__)

SMPP_BOUND = Gauge("qorgau_smpp_bound", "1 while the SMPP transceiver bind is up", ["provider"])
SMPP_SUBMITS = Counter(
    "qorgau_smpp_submits_total", "submit_sm results by command status", ["provider", "status"]
)
SMPP_INBOUND = Counter(
    "qorgau_smpp_inbound_total", "deliver_sm received, by kind", ["provider", "kind"]
)

# Statuses worth trying again later (the SMSC is busy), as opposed to a permanent rejection.
RETRYABLE_STATUSES = frozenset({ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR})

OnReceipt = Callable[[Receipt], Awaitable[None]]
OnReply = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class SmppConfig:
    host: str
    port: int
    system_id: str
    password: str
    source_addr: str = "Qorgau"
    submit_timeout_s: float = 10.0
    bind_wait_s: float = 5.0
    reconnect_max_s: float = 10.0


def to_e164(address: str) -> str:
    digits = address.lstrip("+")
    return f"+{digits}" if digits.isdigit() else address


class SmppProvider:
    name = "smpp"

    def __init__(self, config: SmppConfig, on_receipt: OnReceipt, on_reply: OnReply) -> None:
        self._config = config
        self._on_receipt = on_receipt
        self._on_reply = on_reply
        self._smsc: smpp34.Smsc | None = None
        self._bound = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inbound: set[asyncio.Task[None]] = set()
        self._references = itertools.count(1)
        self._reassembler = Reassembler()
        self._stopping = False

    @property
    def bound(self) -> bool:
        return self._bound.is_set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._keep_bound(), name="smpp-bind")

    async def wait_bound(self, within_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._bound.wait(), within_s)
        return self.bound

    async def stop(self) -> None:
        """Unbind politely, then stop reconnecting and let inbound work finish."""
        self._stopping = True
        smsc = self._smsc
        if smsc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(smsc.unbind(), 2.0)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._inbound:
            await asyncio.gather(*self._inbound, return_exceptions=True)

    async def send(self, phone: str, text: str) -> Submitted | Rejected:
        if not await self.wait_bound(self._config.bind_wait_s):
            return Rejected("SMPP bind is down", retryable=True)
        smsc = self._smsc
        assert smsc is not None
        encoded = encode(text, next(self._references))
        ids: list[str] = []
        for part in encoded.parts:
            try:
                resp = await asyncio.wait_for(
                    smsc.submit_sm(
                        phone.lstrip("+"),
                        part,
                        source_addr=self._config.source_addr,
                        source_addr_ton=5,  # alphanumeric sender
                        source_addr_npi=0,
                        dest_addr_ton=1,  # international
                        dest_addr_npi=1,  # E.164
                        esm_class=encoded.esm_class,
                        data_coding=encoded.data_coding,
                        registered_delivery=1,
                    ),
                    self._config.submit_timeout_s,
                )
            except (TimeoutError, smpp34.SmppError) as exc:
                SMPP_SUBMITS.labels(self.name, "error").inc()
                return Rejected(f"submit_sm failed: {type(exc).__name__}", retryable=True)
            status = resp.command_status
            SMPP_SUBMITS.labels(self.name, hex(status)).inc()
            if not resp.is_success or resp.message_id is None:
                return Rejected(
                    f"submit_sm rejected: 0x{status:08x}", retryable=status in RETRYABLE_STATUSES
                )
            ids.append(resp.message_id)
        return Submitted(tuple(ids))

    async def _keep_bound(self) -> None:
        delay = 0.2
        while True:
            client = smpp34.Client(
                self._config.host,
                self._config.port,
                self._config.system_id,
                self._config.password,
                bind_type="TRX",
                connect_timeout_ms=5000,
            )
            try:
                self._smsc = await client.connect()
                self._bound.set()
                SMPP_BOUND.labels(self.name).set(1)
                log.info("SMPP bound", host=self._config.host, port=self._config.port)
                delay = 0.2
                await self._pump(self._smsc)
                if self._stopping:
                    log.info("SMPP unbound")
                    return
                log.warning("SMPP connection lost")
            except (OSError, smpp34.SmppError, RuntimeError) as exc:
                log.warning("SMPP bind failed", error=type(exc).__name__, retry_in_s=delay)
            finally:
                self._bound.clear()
                self._smsc = None
                SMPP_BOUND.labels(self.name).set(0)
                with contextlib.suppress(Exception):
                    await client.stop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._config.reconnect_max_s)

    async def _pump(self, smsc: smpp34.Smsc) -> None:
        while True:
            event = await smsc.next()
            if isinstance(event, smpp34.Disconnected):
                return
            task = asyncio.create_task(self._inbound_event(event))
            self._inbound.add(task)
            task.add_done_callback(self._inbound.discard)

    async def _inbound_event(self, event: smpp34.DeliverSmEvent) -> None:
        try:
            tlvs = {t.tag: t.value for t in event.tlvs}
            if event.esm_class & ESM_RECEIPT:
                receipt = parse_receipt(
                    event.short_message,
                    tlvs.get(TLV_RECEIPTED_MESSAGE_ID),
                    tlvs.get(TLV_MESSAGE_STATE),
                )
                SMPP_INBOUND.labels(self.name, "receipt" if receipt else "garbage").inc()
                if receipt is not None:
                    await self._on_receipt(receipt)
                return
            part = decode_part(event.short_message, event.data_coding, event.esm_class)
            sender = to_e164(event.source_addr)
            text = self._reassembler.add(sender, part)
            SMPP_INBOUND.labels(self.name, "reply").inc()
            if text is not None:
                await self._on_reply(sender, text)
        except Exception as exc:  # one bad deliver_sm must never stop the pump
            SMPP_INBOUND.labels(self.name, "error").inc()
            log.error("inbound SMS not processed", error=type(exc).__name__)
