"""What every handler needs, wired once in main and found on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import Request

from console.clients.ports import IntakeApi, RosterApi, RoutingApi
from console.config import ConsoleSettings
from console.domain.login_policy import LoginPolicy
from console.usecases.live_feed import LiveFeed

from .templating import Pages


@dataclass
class Deps:
    settings: ConsoleSettings
    pool: asyncpg.Pool
    intake: IntakeApi
    routing: RoutingApi
    feed: LiveFeed
    pages: Pages
    outlines: dict[str, Any]
    roster: RosterApi

    @property
    def login_policy(self) -> LoginPolicy:
        from datetime import timedelta

        s = self.settings
        return LoginPolicy(
            max_failures=s.login_max_failures,
            lockout=timedelta(seconds=s.login_lockout_s),
            ip_max_failures=s.login_ip_max_failures,
        )


def deps(request: Request) -> Deps:
    found: Deps = request.app.state.deps
    return found
