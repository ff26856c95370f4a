"""routing's roster API (`PUT /v1/officers/{id}/status`, `POST /v1/shifts`,
`DELETE /v1/shifts/{id}`), with the console's routing token."""

from __future__ import annotations

from datetime import datetime

import httpx

from ._http import call
from .ports import OfficerStatus


class RosterClient:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self._client = client
        self._token = token

    async def set_status(self, officer_id: str, status: OfficerStatus) -> None:
        await call(
            self._client,
            "PUT",
            f"/v1/officers/{officer_id}/status",
            token=self._token,
            json={"status": status},
        )

    async def add_shift(self, officer_id: str, starts_at: datetime, ends_at: datetime) -> int:
        response = await call(
            self._client,
            "POST",
            "/v1/shifts",
            token=self._token,
            json={
                "officer_id": officer_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
        return int(response.json()["id"])

    async def remove_shift(self, shift_id: int) -> None:
        await call(self._client, "DELETE", f"/v1/shifts/{shift_id}", token=self._token)
