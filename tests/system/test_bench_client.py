"""The bench's light HTTP client (`bench/light_http.py`): it keeps connections alive, never
counts an idle connection the server closed as broken, and says when one breaks mid-request."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from light_http import LightClient, TransportError

OK = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n"


@asynccontextmanager
async def server(
    answers: list[bytes | None], *, one_per_connection: bool = False
) -> AsyncIterator[tuple[str, list[bytes]]]:
    """Answers each request with the next of `answers` (None: close the connection instead,
    after the request arrived), closing the connection after each answer if
    `one_per_connection`; yields its URL and every request it read."""
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                seen.append(head + await reader.readexactly(length))
                answer = answers.pop(0)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if one_per_connection:
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield f"http://127.0.0.1:{port}", seen


async def test_requests_share_a_kept_alive_connection() -> None:
    body = OK + b'{"short_code":"K7Q2"}'[:20]
    async with (
        server([body, body]) as (url, seen),
        LightClient(url, {"Authorization": "Bearer t"}, connections=1) as client,
    ):
        first = await client.post("/v1/reports", json={"n": 1}, headers={"Idempotency-Key": "a"})
        second = await client.post("/v1/reports", json={"n": 2})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.content == b'{"short_code":"K7Q2"'
    assert b"Idempotency-Key: a\r\n" in seen[0]
    assert b"Authorization: Bearer t\r\n" in seen[1]
    assert seen[1].endswith(b'{"n":2}')


async def test_an_idle_connection_the_server_closed_is_replaced_not_broken() -> None:
    body = OK + b"x" * 20
    async with (
        server([body, body], one_per_connection=True) as (url, seen),
        LightClient(url, {}, connections=1) as client,
    ):
        assert (await client.post("/", json={})).status_code == 201
        await asyncio.sleep(0.05)  # the server closed it meanwhile: only shows it is idle
        assert (await client.post("/", json={})).status_code == 201
    assert len(seen) == 2


async def test_a_connection_that_breaks_mid_request_says_so() -> None:
    async with server([None]) as (url, _), LightClient(url, {}, connections=1) as client:
        with pytest.raises(TransportError) as broken:
            await client.post("/", json={})
    assert broken.value.kind == "IncompleteReadError"
