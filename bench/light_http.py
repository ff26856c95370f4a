"""The bench's HTTP client: keep-alive HTTP/1.1 over asyncio streams, parsed by httptools.

The load generator runs on the same two cores as the stack it measures. httpx cost the bench
about 8 ms of CPU per report (profile of 1 December 2026: 8.3 ms, against the whole stack's
27), a fifth of the machine at saturation, taken from the stack. This client does only what
the bench needs (POST a JSON body on a pool of kept-alive connections, read the status and
the body), for a fraction of that; the bench still reports its CPU as `bench client`.

A connection the server closed while idle is noticed before it is used again (never counted
as broken); one that breaks during a request raises `TransportError`, named by what broke, and
the caller retries with the same Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httptools


class TransportError(Exception):
    """The connection broke before a whole response came back; `kind` says how."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass
class Response:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


@dataclass
class _Reading:
    """httptools' callbacks for one response."""

    body: bytearray = field(default_factory=bytearray)
    close: bool = False
    done: bool = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"connection" and value.lower() == b"close":
            self.close = True

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.done = True


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LightClient:
    """POST JSON to one server over at most `connections` kept-alive connections."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        connections: int,
        timeout_s: float = 30.0,
    ) -> None:
        url = urlsplit(base_url)
        self._host = url.hostname or "127.0.0.1"
        self._port = url.port or 80
        host = f"Host: {self._host}:{self._port}\r\n"
        self._headers = host + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []
        self._timeout_s = timeout_s

    async def __aenter__(self) -> LightClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()

    async def post(
        self, path: str, *, json: Any, headers: Mapping[str, str] | None = None
    ) -> Response:
        body = _dumps(json)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"POST {path} HTTP/1.1\r\n{self._headers}{extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        request = head.encode() + body
        async with self._slots:
            reader, writer = await self._connection()
            try:
                async with asyncio.timeout(self._timeout_s):
                    writer.write(request)
                    status, reading = await _read_response(reader)
            except TimeoutError:
                writer.close()
                raise TransportError("ReadTimeout") from None
            except (OSError, asyncio.IncompleteReadError, httptools.HttpParserError) as exc:
                writer.close()
                raise TransportError(type(exc).__name__) from exc
            if reading.close:
                writer.close()
            else:
                self._idle.append((reader, writer))
        return Response(status, bytes(reading.body))

    async def _connection(self) -> _Connection:
        while self._idle:
            reader, writer = self._idle.pop()
            if not (reader.at_eof() or writer.is_closing()):
                return reader, writer
            writer.close()  # closed by the server while idle (its keep-alive timeout)
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port), self._timeout_s
            )
        except TimeoutError:
            raise TransportError("ConnectTimeout") from None
        except OSError as exc:
            raise TransportError("ConnectError") from exc


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, _Reading]:
    reading = _Reading()
    parser = httptools.HttpResponseParser(reading)
    while not reading.done:
        data = await reader.read(65536)
        if not data:
            raise asyncio.IncompleteReadError(b"", None)  # closed before a whole response
        parser.feed_data(data)
    return parser.get_status_code(), reading


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
