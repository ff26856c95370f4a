"""Development SMSC (SMPP 3.4 server on smpp34): shows every SMS, sends receipts, can ack.

Not for production: it accepts any bind (smpp34 accepts binds before Python sees them;
a wrong system_id is dropped right after). Decoding uses notify's codec, so what it
prints is exactly what a phone would show.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import smpp34
from notify.pdu import Reassembler, decode_part, encode
from smpp34._smpp34 import ESME_RINVDSTADR, TLV_MESSAGE_STATE, TLV_RECEIPTED_MESSAGE_ID

_SHORT_CODE = re.compile(r"Qorgau ([A-Z0-9]{4})\b")
_MESSAGE_STATE_DELIVERED = b"\x02"


@dataclass(frozen=True)
class Sms:
    """One whole SMS as the phone would show it."""

    destination: str
    source: str
    text: str
    message_ids: tuple[str, ...]
    parts: int
    data_coding: int


@dataclass
class SmscBehaviour:
    """Switches for demos and tests."""

    receipts: bool = True
    receipt_delay_s: float = 0.05
    auto_reply: str | None = None  # e.g. "1": answer every alert with "1 <code>"
    auto_reply_delay_s: float = 1.0
    system_ids: frozenset[str] | None = None  # None: any
    reject_destinations: frozenset[str] = frozenset()  # E.164 numbers answered ESME_RINVDSTADR


@dataclass
class DevSmsc:
    host: str = "127.0.0.1"
    port: int = 2775
    behaviour: SmscBehaviour = field(default_factory=SmscBehaviour)
    on_sms: Callable[[Sms], None] | None = None
    received: list[Sms] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = smpp34.Server(self.host, self.port, system_id="QORGAU-DEV")
        self._sessions: dict[str, smpp34.Esme] = {}
        self._ids = itertools.count(1)
        self._refs = itertools.count(1)
        self._parts: dict[tuple[str, str, int], list[tuple[int, str]]] = {}
        self._reassembler = Reassembler()
        self._tasks: set[asyncio.Future[Any]] = set()
        self._pump: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def bound_sessions(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        await self._server.start()
        self._pump = asyncio.create_task(self._run(), name="devsmsc")

    async def stop(self) -> None:
        # smpp34's Server.stop() closes only the listener: bound sessions survive and
        # next() never returns. So: listener, then sessions, a grace period, the pump.
        self._closing = True
        await self._server.stop()
        await asyncio.gather(
            *(self._unbind(esme) for esme in self._sessions.values()), return_exceptions=True
        )
        self._sessions.clear()
        await asyncio.sleep(0.05)
        for task in [*self._tasks, self._pump]:
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *self._tasks, *([self._pump] if self._pump else []), return_exceptions=True
        )

    @staticmethod
    async def _unbind(esme: smpp34.Esme) -> None:
        # A peer that vanished without unbinding never answers; don't wait its timeout out.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(esme.unbind(), 1.0)

    async def wait_for(self, predicate: Callable[[Sms], bool], within_s: float) -> Sms:
        """The first received SMS matching `predicate`, waiting up to `within_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        while True:
            for sms in self.received:
                if predicate(sms):
                    return sms
            if loop.time() > deadline:
                raise TimeoutError(f"no matching SMS within {within_s}s")
            await asyncio.sleep(0.02)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self) -> None:
        while True:
            event = await self._server.next()
            if isinstance(event, smpp34.Esme):
                allowed = self.behaviour.system_ids
                if self._closing or (allowed is not None and event.system_id not in allowed):
                    self._spawn(event.unbind())
                    continue
                self._sessions[event.session_id] = event
            elif isinstance(event, smpp34.Unbound):
                self._sessions.pop(event.session_id, None)
            elif isinstance(event, smpp34.SubmitSmEvent):
                self._on_submit(event)

    def _on_submit(self, event: smpp34.SubmitSmEvent) -> None:
        destination = event.destination_addr
        if f"+{destination.lstrip('+')}" in self.behaviour.reject_destinations:
            event.reject(ESME_RINVDSTADR)
            return
        message_id = f"{next(self._ids):08x}"
        event.accept(message_id)
        part = decode_part(event.short_message, event.data_coding, event.esm_class)
        if event.registered_delivery & 0x01 and self.behaviour.receipts:
            self._spawn(self._receipt(event.session_id, destination, message_id))
        key = (event.session_id, destination, part.reference)
        collected = self._parts.setdefault(key, [])
        collected.append((part.number, message_id))
        text = self._reassembler.add(f"{event.session_id}/{destination}", part)
        if text is None:
            return
        del self._parts[key]
        ids = tuple(mid for _, mid in sorted(collected))
        sms = Sms(
            f"+{destination.lstrip('+')}", event.source_addr, text, ids, len(ids), event.data_coding
        )
        self.received.append(sms)
        if self.on_sms is not None:
            self.on_sms(sms)
        if self.behaviour.auto_reply and (code := _SHORT_CODE.search(text)):
            self._spawn(
                self._auto_reply(sms.destination, f"{self.behaviour.auto_reply} {code.group(1)}")
            )

    async def _receipt(self, session_id: str, destination: str, message_id: str) -> None:
        await asyncio.sleep(self.behaviour.receipt_delay_s)  # submit_sm_resp goes out first
        esme = self._sessions.get(session_id)
        if esme is None or not esme.can_receive:
            return
        now = datetime.now().strftime("%y%m%d%H%M")
        body = (
            f"id:{message_id} sub:001 dlvrd:001 submit date:{now} done date:{now}"
            " stat:DELIVRD err:000 text:"
        )
        await esme.deliver_sm(
            destination,
            body.encode("ascii"),
            source_addr=destination,
            esm_class=0x04,
            tlvs=[
                smpp34.Tlv(TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\x00"),
                smpp34.Tlv(TLV_MESSAGE_STATE, _MESSAGE_STATE_DELIVERED),
            ],
        )

    async def _auto_reply(self, phone: str, text: str) -> None:
        await asyncio.sleep(self.behaviour.auto_reply_delay_s)
        await self.send_reply(phone, text)

    async def send_reply(self, phone: str, text: str, to: str = "Qorgau") -> int:
        """Deliver an MO `text` from `phone` to every bound session; returns how many."""
        encoded = encode(text, next(self._refs))
        sent = 0
        for esme in list(self._sessions.values()):
            if not esme.can_receive:
                continue
            for part in encoded.parts:
                await esme.deliver_sm(
                    to,
                    part,
                    source_addr=phone.lstrip("+"),
                    source_addr_ton=1,
                    source_addr_npi=1,
                    esm_class=encoded.esm_class,
                    data_coding=encoded.data_coding,
                )
            sent += 1
        return sent
