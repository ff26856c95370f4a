"""The console in-process over fake intake and routing, and a logged-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from console.clients.fakes import FakeIntake, FakeRouting, FakeWorld
from console.config import ConsoleSettings
from console.main import create_app
from console.usecases.accounts import create_user
from fastapi import FastAPI

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Console:
    app: FastAPI
    world: FakeWorld
    intake: FakeIntake
    pool: asyncpg.Pool

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://console.test"
        )


@asynccontextmanager
async def console(database_url: str, **settings: Any) -> AsyncIterator[Console]:
    world = FakeWorld()
    intake = FakeIntake(world)
    values: dict[str, Any] = {"cookie_secure": False, "poll_interval_s": 0.05, **settings}
    config = ConsoleSettings(database_url=database_url, **values)
    routing = FakeRouting(world)
    app = create_app(config, intake=intake, routing=routing, roster=routing)
    async with app.router.lifespan_context(app):
        yield Console(app, world, intake, app.state.deps.pool)


async def account(c: Console, username: str, role: str, officer_id: str | None = None) -> None:
    await create_user(c.pool, username, role, PASSWORD, officer_id=officer_id)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Logs in like a browser; the CSRF token of the session."""
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"username": username, "password": password, "csrf": csrf_of(page.text)}
    )
    assert response.status_code == 303, response.text
    home = await client.get(response.headers["location"])
    return csrf_of(home.text)
