"""Helpers for notify's integration tests: a Mobizon-shaped HTTP gateway, settings, queries."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
import uvicorn
from notify.config import NotifySettings
from qorgau_contracts import ALERT_UPDATED, INCIDENT_ASSIGNED, AlertUpdated, IncidentAssigned
from qorgau_local.broker import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.harness import FAST_KAFKA, publish, read_topic


@dataclass
class Gateway:
    """A Mobizon-shaped HTTP SMS gateway the test owns."""

    url: str = ""
    api_key: str = "test-key"
    sent: list[dict[str, str]] = field(default_factory=list)
    answer_code: int = 0  # e.g. 1 with a recipient: the gateway refuses the number
    status_code: int = 200  # e.g. 429: throttled
    # Every request as it arrived: (URL, headers, body), to check where the key travels.
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def send(request: Request) -> JSONResponse:
            self.requests.append((str(request.url), dict(request.headers), await request.body()))
            if request.headers.get("X-API-Key") != self.api_key:
                return JSONResponse({"code": 8, "data": [], "message": "bad key"})
            form = dict(parse_qsl((await request.body()).decode()))
            if self.status_code != 200:
                return JSONResponse({}, status_code=self.status_code)
            if self.answer_code:
                return JSONResponse({"code": self.answer_code, "data": {"recipient": "x"}})
            self.sent.append({k: str(v) for k, v in form.items()})
            message_id = f"gw-{len(self.sent)}"
            return JSONResponse({"code": 0, "data": {"campaignId": "1", "messageId": message_id}})

        return Starlette(routes=[Route("/service/Message/SendSmsMessage", send, methods=["POST"])])


@contextlib.asynccontextmanager
async def gateway() -> AsyncIterator[Gateway]:
    gw = Gateway()
    port = free_port()
    gw.url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(gw.app(), host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield gw
    finally:
        server.should_exit = True
        await task


def settings(database_url: str, kafka: str, smpp_port: int, **changes: Any) -> NotifySettings:
    return NotifySettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka,
        smpp_port=smpp_port,
        **FAST_KAFKA,
        **changes,
    )


async def send(kafka: str, event: IncidentAssigned) -> None:
    await publish(
        kafka,
        INCIDENT_ASSIGNED.name,
        event.model_dump_json().encode(),
        str(event.incident_id).encode(),
    )


async def updates(kafka: str, count: int, within_s: float = 15) -> list[AlertUpdated]:
    records = await read_topic(kafka, ALERT_UPDATED.name, count, within_s=within_s)
    return [AlertUpdated.model_validate_json(r.value) for r in records]


async def wait_update(
    kafka: str, assignment_id: uuid.UUID, status: str, within_s: float = 20
) -> AlertUpdated:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        for update in await updates(kafka, 10_000, within_s=0.5):
            if update.assignment_id == assignment_id and update.status == status:
                return update
    raise TimeoutError(f"no {status} update for {assignment_id}")


async def query(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()
