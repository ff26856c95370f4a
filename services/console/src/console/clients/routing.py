"""routing's supervisor API (OpenAPI at routing's /openapi.json)."""

from __future__ import annotations

from datetime import datetime

import httpx

from console.domain.models import Board, Officer, Shift

from ._http import call, reachable
from .ports import Reply


class RoutingClient:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self._client = client
        self._token = token

    async def board(self) -> Board:
        response = await call(self._client, "GET", "/v1/board", token=self._token)
        return Board.model_validate(response.json())

    async def officers(self) -> list[Officer]:
        response = await call(self._client, "GET", "/v1/officers", token=self._token)
        return [Officer.model_validate(o) for o in response.json()]

    async def shifts(self, since: datetime, until: datetime) -> list[Shift]:
        response = await call(
            self._client,
            "GET",
            "/v1/shifts",
            token=self._token,
            params={"since": since.isoformat(), "until": until.isoformat()},
        )
        return [Shift.model_validate(s) for s in response.json()]

    async def reassign(self, incident_id: str, officer_id: str, reason: str) -> int:
        response = await call(
            self._client,
            "POST",
            f"/v1/incidents/{incident_id}/reassign",
            token=self._token,
            json={"officer_id": officer_id, "reason": reason},
        )
        return int(response.json()["attempt"])

    async def resolve(self, assignment_id: str, outcome: str) -> None:
        await call(
            self._client,
            "POST",
            f"/v1/assignments/{assignment_id}/resolve",
            token=self._token,
            json={"outcome": outcome},
        )

    async def reply(self, assignment_id: str, officer_id: str, reply: Reply) -> str:
        response = await call(
            self._client,
            "POST",
            f"/v1/assignments/{assignment_id}/reply",
            token=self._token,
            needed="acknowledge and decline from the console",
            json={"officer_id": officer_id, "reply": reply, "channel": "console"},
        )
        return str(response.json()["status"])

    async def ready(self) -> bool:
        return await reachable(self._client)
