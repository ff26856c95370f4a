"""One SMPP 3.4 transceiver bind, kept up with backoff on its own, and its inbound traffic.

smpp34's core sends and answers enquire_link (keepalive), acks deliver_sm and windows
sequence numbers; a `Client` binds only once, so each reconnect builds a new one.
Receipts and replies are parsed here defensively: garbage is counted, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import smpp34
import structlog
from smpp34._smpp34 import TLV_MESSAGE_STATE, TLV_RECEIPTED_MESSAGE_ID

from notify.domain.receipt import Receipt
from notify.metrics import INBOUND

from .pdu import ESM_RECEIPT, Reassembler, decode_part, parse_receipt

log = structlog.get_logger(__name__)

OnReceipt = Callable[[Receipt], Awaitable[None]]
OnReply = Callable[[str, str], Awaitable[None]]
OnChange = Callable[[], None]


@dataclass(frozen=True)
class SmppConfig:
    host: str
    port: int
    system_id: str
    password: str
    source_addr: str = "Qorgau"
    submit_timeout_s: float = 10.0
    bind_wait_s: float = 2.0
    reconnect_max_s: float = 10.0
    window: int = 16  # per bind
    rate_per_s: float = 200.0  # per bind: an SMSC contract limits each bind
    throttle_retries: int = 3
    binds: int = 1


def to_e164(address: str) -> str:
    digits = address.lstrip("+")
    return f"+{digits}" if digits.isdigit() else address


class SmppSession:
    """Keeps `current` bound (or None) and hands inbound receipts and replies on.

    `on_change` is called whenever it binds or loses its bind. Binds of one provider share
    a `reassembler`, so a reply's parts join whichever binds they come on.
    """

    def __init__(
        self,
        name: str,
        config: SmppConfig,
        on_receipt: OnReceipt,
        on_reply: OnReply,
        *,
        index: int = 0,
        reassembler: Reassembler | None = None,
        on_change: OnChange | None = None,
    ) -> None:
        self._name = name
        self._index = index
        self._config = config
        self._on_receipt = on_receipt
        self._on_reply = on_reply
        self._on_change = on_change
        self.current: smpp34.Smsc | None = None
        self._bound = False
        self._task: asyncio.Task[None] | None = None
        self._inbound: set[asyncio.Task[None]] = set()
        self._reassembler = reassembler if reassembler is not None else Reassembler()
        self._stopping = False

    @property
    def bound(self) -> bool:
        return self._bound

    def start(self) -> None:
        self._task = asyncio.create_task(
            self._keep_bound(), name=f"{self._name}-bind-{self._index}"
        )

    async def stop(self) -> None:
        """Unbind politely, stop reconnecting, and let inbound work finish."""
        self._stopping = True
        smsc = self.current
        if smsc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(smsc.unbind(), 2.0)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._inbound:
            await asyncio.gather(*self._inbound, return_exceptions=True)

    async def _keep_bound(self) -> None:
        delay = 0.2
        while not self._stopping:
            client = smpp34.Client(
                self._config.host,
                self._config.port,
                self._config.system_id,
                self._config.password,
                bind_type="TRX",
                window_size=max(self._config.window, 1),
                connect_timeout_ms=5000,
            )
            try:
                self.current = await client.connect()
                self._set_bound(True)
                log.info(
                    "SMPP bound", bind=self._index, host=self._config.host, port=self._config.port
                )
                delay = 0.2
                await self._pump(self.current)
                if self._stopping:
                    log.info("SMPP unbound", bind=self._index)
                    return
                log.warning("SMPP connection lost", bind=self._index)
            except (OSError, smpp34.SmppError, RuntimeError) as exc:
                log.warning(
                    "SMPP bind failed", bind=self._index, error=type(exc).__name__, retry_in_s=delay
                )
            finally:
                self.current = None
                self._set_bound(False)
                with contextlib.suppress(Exception):
                    await client.stop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._config.reconnect_max_s)

    def _set_bound(self, bound: bool) -> None:
        if bound == self._bound:
            return
        self._bound = bound
        if self._on_change is not None:
            self._on_change()

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
            if event.esm_class & ESM_RECEIPT:
                tlvs = {t.tag: t.value for t in event.tlvs}
                receipt = parse_receipt(
                    event.short_message,
                    tlvs.get(TLV_RECEIPTED_MESSAGE_ID),
                    tlvs.get(TLV_MESSAGE_STATE),
                )
                INBOUND.labels(self._name, "receipt" if receipt else "garbage").inc()
                if receipt is not None:
                    await self._on_receipt(receipt)
                return
            part = decode_part(event.short_message, event.data_coding, event.esm_class)
            sender = to_e164(event.source_addr)
            text = self._reassembler.add(sender, part)
            INBOUND.labels(self._name, "reply_part").inc()
            if text is not None:
                await self._on_reply(sender, text)
        except Exception as exc:  # one bad deliver_sm must never stop the pump
            INBOUND.labels(self._name, "garbage").inc()
            log.error("inbound SMS not processed", bind=self._index, error=type(exc).__name__)
