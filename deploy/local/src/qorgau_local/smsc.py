"""Development SMSC (SMPP 3.4 server on smpp34): shows every SMS, sends receipts, can ack.

Not for production: it accepts any bind (smpp34 accepts binds before Python sees them;
a wrong system_id is dropped right after). Decoding uses notify's codec, so what it
prints is exactly what a phone would show.

Clients connect through a small TCP proxy in front of the smpp34 server, so that the
SMSC can drop connections abruptly (smpp34 has no way to) and `stop()` really ends every
session. Failure modes (`SmscBehaviour`) can be switched at any time, from a test or
through the HTTP control endpoint (`control_app`).
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
from notify.providers.smpp.pdu import MESSAGE_STATES, Reassembler, decode_part, encode
from smpp34._smpp34 import (
    ESME_RINVDSTADR,
    ESME_RTHROTTLED,
    TLV_MESSAGE_STATE,
    TLV_RECEIPTED_MESSAGE_ID,
)

from .broker import free_port

# A deliver_sm the ESME refuses (smpp34 NAKs it when its inbound queue is full) is sent again
# after a pause, as an SMSC does, up to this many times.
DELIVER_TRIES = 8
REDELIVER_FIRST_S = 0.1  # the first pause; each next one doubles, up to 2 s

# An alert ("Qorgau K7Q2 СРОЧНО ..."), not the confirmation of an answer ("Qorgau K7Q2: ..."):
# answering confirmations too would make every auto-replied alert cost two more SMS.
_SHORT_CODE = re.compile(r"Qorgau ([A-Z0-9]{4}) ")
_STATE_CODES = {name: code for code, name in MESSAGE_STATES.items()}


@dataclass(frozen=True)
class Sms:
    """One whole SMS as the phone would show it."""

    destination: str
    source: str
    text: str
    message_ids: tuple[str, ...]
    parts: int
    data_coding: int
    session_id: str = ""  # the SMPP session its parts came on
    receipt_requested: bool = True  # its first part's registered_delivery asked for one


@dataclass
class SmscBehaviour:
    """Switches for demos and tests."""

    receipts: bool = True
    receipt_delay_s: float = 0.05
    auto_reply: str | None = None  # e.g. "1": answer every alert with "1 <code>"
    auto_reply_delay_s: float = 1.0
    system_ids: frozenset[str] | None = None  # None: any
    reject_destinations: frozenset[str] = frozenset()  # E.164 numbers answered ESME_RINVDSTADR
    reject_status: int | None = None  # answer every submit_sm with this status
    throttle_next: int = 0  # answer the next N submit_sm with ESME_RTHROTTLED
    submit_delay_s: float = 0.0  # wait this long before answering each submit_sm
    drop_after: int | None = None  # drop every connection at the Nth next submit (unanswered)
    receipt_state: str = "DELIVRD"  # e.g. UNDELIV, EXPIRED
    # An account with several binds: each receipt goes on another bound session than its
    # submit's (when there is one), and each MO on one session in turn, not on every one.
    spread_deliveries: bool = False


@dataclass
class DevSmsc:
    host: str = "127.0.0.1"
    port: int = 2775
    behaviour: SmscBehaviour = field(default_factory=SmscBehaviour)
    on_sms: Callable[[Sms], None] | None = None
    received: list[Sms] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._inner_port = free_port()
        self._server = smpp34.Server("127.0.0.1", self._inner_port, system_id="QORGAU-DEV")
        self._proxy: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._pairs: dict[asyncio.StreamWriter, asyncio.StreamWriter] = {}  # client → server
        self._turn = itertools.count()
        self.receipt_sessions: dict[str, str] = {}  # message id → session its receipt went on
        self.submits = 0
        self.refused_deliveries = 0  # deliver_sm NAKed by the ESME (each sent again)
        self._sessions: dict[str, smpp34.Esme] = {}
        self._ids = itertools.count(1)
        self._refs = itertools.count(1)
        self._parts: dict[tuple[str, str, int], list[tuple[int, str]]] = {}
        self._reassembler = Reassembler()
        self._tasks: set[asyncio.Future[Any]] = set()
        self._pump: asyncio.Task[None] | None = None
        self._closing = False
        self._held: list[smpp34.SubmitSmEvent] = []

    @property
    def bound_sessions(self) -> int:
        return len(self._sessions)

    @property
    def session_ids(self) -> frozenset[str]:
        return frozenset(self._sessions)

    async def start(self) -> None:
        await self._server.start()
        self._pump = asyncio.create_task(self._run(), name="devsmsc")
        self._proxy = await asyncio.start_server(self._link, self.host, self.port)

    def drop_connections(self, count: int | None = None) -> int:
        """Cut every client connection at once (or the `count` oldest), as a failing network
        would; how many."""
        if count is not None:
            pairs = list(self._pairs.items())[:count]
            for client_w, server_w in pairs:
                client_w.transport.abort()
                server_w.transport.abort()
            return len(pairs)
        links = list(self._links)
        for writer in links:
            writer.transport.abort()
        self._links.clear()
        self._pairs.clear()
        return len(links) // 2

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self._inner_port)
        except OSError:
            client_w.transport.abort()
            return
        self._links.update((client_w, server_w))
        self._pairs[client_w] = server_w

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.transport.abort()
                self._links.discard(writer)

        try:
            await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))
        finally:
            self._pairs.pop(client_w, None)

    async def stop(self) -> None:
        # smpp34's Server.stop() closes only the listener: bound sessions survive and
        # next() never returns. So: listeners, then sessions, a grace period, the pump.
        self._closing = True
        if self._proxy is not None:
            self._proxy.close()
        await self._server.stop()
        await asyncio.gather(
            *(self._unbind(esme) for esme in self._sessions.values()), return_exceptions=True
        )
        self._sessions.clear()
        self.drop_connections()
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
        self.submits += 1
        b = self.behaviour
        if b.drop_after is not None:
            b.drop_after -= 1
            if b.drop_after <= 0:
                b.drop_after = None
                self._held.append(event)  # unanswered: the connection goes first
                self.drop_connections()
                return
        if b.submit_delay_s > 0:
            self._spawn(self._answer_later(event, b.submit_delay_s))
        else:
            self._answer(event)

    async def _answer_later(self, event: smpp34.SubmitSmEvent, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        self._answer(event)

    def _answer(self, event: smpp34.SubmitSmEvent) -> None:
        b = self.behaviour
        destination = event.destination_addr
        if b.throttle_next > 0:
            b.throttle_next -= 1
            event.reject(ESME_RTHROTTLED)
            return
        if b.reject_status is not None:
            event.reject(b.reject_status)
            return
        if f"+{destination.lstrip('+')}" in b.reject_destinations:
            event.reject(ESME_RINVDSTADR)
            return
        message_id = f"{next(self._ids):08x}"
        event.accept(message_id)
        part = decode_part(event.short_message, event.data_coding, event.esm_class)
        if event.registered_delivery & 0x01 and b.receipts:
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
            f"+{destination.lstrip('+')}",
            event.source_addr,
            text,
            ids,
            len(ids),
            event.data_coding,
            event.session_id,
            bool(event.registered_delivery & 0x01),
        )
        self.received.append(sms)
        if self.on_sms is not None:
            self.on_sms(sms)
        if b.auto_reply and (code := _SHORT_CODE.search(text)):
            self._spawn(self._auto_reply(sms.destination, f"{b.auto_reply} {code.group(1)}"))

    async def _receipt(self, session_id: str, destination: str, message_id: str) -> None:
        await asyncio.sleep(self.behaviour.receipt_delay_s)  # submit_sm_resp goes out first
        if self.behaviour.spread_deliveries:
            others = [s for s in self._sessions if s != session_id]
            session_id = others[next(self._turn) % len(others)] if others else session_id
        esme = self._sessions.get(session_id)
        if esme is None or not esme.can_receive:
            return
        self.receipt_sessions[message_id] = session_id
        state = self.behaviour.receipt_state
        now = datetime.now().strftime("%y%m%d%H%M")
        body = (
            f"id:{message_id} sub:001 dlvrd:00{int(state == 'DELIVRD')} submit date:{now}"
            f" done date:{now} stat:{state} err:000 text:"
        )
        with contextlib.suppress(smpp34.SmppError, RuntimeError, OSError):
            await self._deliver_sm(
                esme,
                destination,
                body.encode("ascii"),
                source_addr=destination,
                esm_class=0x04,
                tlvs=[
                    smpp34.Tlv(TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\x00"),
                    smpp34.Tlv(TLV_MESSAGE_STATE, bytes([_STATE_CODES.get(state, 7)])),
                ],
            )

    async def _deliver_sm(self, esme: smpp34.Esme, *args: Any, **kwargs: Any) -> bool:
        """deliver_sm as an SMSC sends it: one the ESME refuses (a NAK) goes again after a
        pause, up to `DELIVER_TRIES` times; False if it never got through."""
        delay = REDELIVER_FIRST_S
        for _ in range(DELIVER_TRIES):
            answer = await esme.deliver_sm(*args, **kwargs)
            if answer.is_success:
                return True
            self.refused_deliveries += 1
            if self.refused_deliveries == 1 or self.refused_deliveries % 100 == 0:
                status, count = answer.command_status, self.refused_deliveries
                print(f"[smsc] deliver_sm refused by the ESME (status {status:#x});"
                      f" {count} so far, each sent again", flush=True)  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        return False

    async def _auto_reply(self, phone: str, text: str) -> None:
        await asyncio.sleep(self.behaviour.auto_reply_delay_s)
        await self.send_reply(phone, text)

    async def send_reply(self, phone: str, text: str, to: str = "Qorgau") -> int:
        """Deliver an MO `text` from `phone` to every bound session (with `spread_deliveries`,
        to one in turn); returns how many."""
        encoded = encode(text, next(self._refs))
        sent = 0
        sessions = list(self._sessions.values())
        if self.behaviour.spread_deliveries and sessions:
            sessions = [sessions[next(self._turn) % len(sessions)]]
        for esme in sessions:
            if not esme.can_receive:
                continue
            try:
                for part in encoded.parts:
                    await self._deliver_sm(
                        esme,
                        to,
                        part,
                        source_addr=phone.lstrip("+"),
                        source_addr_ton=1,
                        source_addr_npi=1,
                        esm_class=encoded.esm_class,
                        data_coding=encoded.data_coding,
                    )
            except (smpp34.SmppError, RuntimeError, OSError):
                continue
            sent += 1
        return sent

    async def deliver_raw(
        self, short_message: bytes, *, esm_class: int = 0, data_coding: int = 0, source: str = ""
    ) -> int:
        """Send any deliver_sm (e.g. a garbage receipt) to every bound session."""
        sent = 0
        for esme in list(self._sessions.values()):
            with contextlib.suppress(smpp34.SmppError, RuntimeError, OSError):
                await esme.deliver_sm(
                    "Qorgau",
                    short_message,
                    source_addr=source,
                    esm_class=esm_class,
                    data_coding=data_coding,
                )
                sent += 1
        return sent


_SETTABLE = {
    "receipts": bool,
    "receipt_delay_s": float,
    "auto_reply": str,
    "auto_reply_delay_s": float,
    "reject_status": int,
    "throttle_next": int,
    "submit_delay_s": float,
    "drop_after": int,
    "receipt_state": str,
    "spread_deliveries": bool,
}


def set_behaviour(behaviour: SmscBehaviour, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply switches by name (from JSON or the CLI); None (or "") clears an optional one."""
    applied: dict[str, Any] = {}
    for name, value in changes.items():
        kind = _SETTABLE.get(name)
        if kind is None:
            raise ValueError(f"unknown SMSC switch: {name}")
        if value is None or value == "":
            parsed: Any = None
        elif kind is bool and isinstance(value, str):
            parsed = value.lower() in {"1", "true", "yes", "on"}
        elif kind is int and isinstance(value, str):
            parsed = int(value, 0)
        else:
            parsed = kind(value)
        setattr(behaviour, name, parsed)
        applied[name] = parsed
    return applied


def control_app(smsc: DevSmsc) -> Any:
    """A small HTTP endpoint to inject replies and switch failure modes (demos, tests).

    POST /mo {"from": "+7...", "text": "1 K7Q2"}; POST /behaviour {"throttle_next": 5};
    POST /drop; GET /sms (what phones received).
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def mo(request: Request) -> JSONResponse:
        body = await request.json()
        sent = await smsc.send_reply(str(body["from"]), str(body["text"]))
        return JSONResponse({"delivered_to_sessions": sent})

    async def behaviour(request: Request) -> JSONResponse:
        try:
            applied = set_behaviour(smsc.behaviour, dict(await request.json()))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"applied": applied})

    async def drop(_: Request) -> JSONResponse:
        return JSONResponse({"dropped": smsc.drop_connections()})

    async def received(_: Request) -> JSONResponse:
        return JSONResponse(
            [{"to": s.destination, "parts": s.parts, "text": s.text} for s in smsc.received]
        )

    return Starlette(
        routes=[
            Route("/mo", mo, methods=["POST"]),
            Route("/behaviour", behaviour, methods=["POST"]),
            Route("/drop", drop, methods=["POST"]),
            Route("/sms", received, methods=["GET"]),
        ]
    )
