"""The chassis at the HTTP edge: bodies over the limit (chunked or not) are 413, a 405 says
what is allowed, and the OpenAPI document lists the problems each route can answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from qorgau_common.http import service_app

LIMIT = 1000


@dataclass
class Settings:
    max_body_bytes: int = LIMIT


@dataclass
class Runtime:
    settings: Settings = field(default_factory=Settings)


class Thing(BaseModel):
    text: str


def app() -> FastAPI:
    built = service_app(Runtime(), "edge test")  # type: ignore[arg-type]

    @built.post("/v1/things/{thing_id}")
    async def post_thing(thing_id: int, thing: Thing) -> dict[str, Any]:
        return {"id": thing_id, "length": len(thing.text)}

    return built


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t")


async def chunks(total: int) -> AsyncIterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // 100):
        yield b"x" * 100
    yield b'"}'


async def test_an_oversized_body_is_413_chunked_or_not() -> None:
    async with client() as api:
        json = {"Content-Type": "application/json"}
        small = await api.post("/v1/things/1", content=chunks(500), headers=json)
        assert (small.status_code, small.json()) == (200, {"id": 1, "length": 500})
        declared = await api.post("/v1/things/1", content=b"x" * (LIMIT + 1), headers=json)
        assert declared.status_code == 413
        chunked = await api.post("/v1/things/1", content=chunks(5 * LIMIT), headers=json)
        assert chunked.status_code == 413, chunked.text
        assert chunked.headers["content-type"] == "application/problem+json"


async def test_a_405_carries_allow() -> None:
    async with client() as api:
        response = await api.get("/v1/things/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_lists_the_problems() -> None:
    schema = app().openapi()
    responses = schema["paths"]["/v1/things/{thing_id}"]["post"]["responses"]
    assert {"400", "404", "413", "415", "422"} <= set(responses)
    for code in ("400", "404", "413", "415", "422"):
        assert list(responses[code]["content"]) == ["application/problem+json"]
    assert "Problem" in schema["components"]["schemas"]


async def test_a_database_that_is_away_is_a_503_with_retry_after_not_a_500() -> None:
    import asyncpg

    built = app()

    @built.get("/v1/away")
    async def away() -> None:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    @built.get("/v1/bug")
    async def bug() -> None:
        raise asyncpg.UniqueViolationError("duplicate key")

    transport = httpx.ASGITransport(app=built, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/v1/away")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.headers["content-type"] == "application/problem+json"
        bug_response = await client.get("/v1/bug")
        assert bug_response.status_code == 500
        assert "duplicate" not in bug_response.text  # never echoes what the database said


async def test_every_infrastructure_error_is_a_503_whatever_its_class() -> None:
    """asyncpg's InternalClientError (a connection the server dropped mid-request) was a 500
    during the fault suite's PostgreSQL kill: every class the consumers retry is a 503 here."""
    from qorgau_common.infrastructure import INFRASTRUCTURE_ERRORS

    built = app()
    raised: dict[str, type[BaseException]] = {}

    def raising(error: type[BaseException]) -> Callable[[], Awaitable[None]]:
        async def away() -> None:
            raise error("the database went away")

        return away

    for n, error in enumerate(INFRASTRUCTURE_ERRORS):
        raised[f"/v1/away/{n}"] = error
        built.add_api_route(f"/v1/away/{n}", raising(error), methods=["GET"])

    transport = httpx.ASGITransport(app=built, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for path, error in raised.items():
            response = await client.get(path)
            assert response.status_code == 503, error.__name__
