"""intake's operator API (OpenAPI at intake's /openapi.json)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from console.domain.models import IncidentDetail, IncidentSummary, ReportAccepted, StreetSuggestion

from ._http import call, reachable
from .errors import Rejected


class IntakeClient:
    """Two tokens: an operator one for filing and listing, a supervisor one for the
    decrypted detail, used only when the console's own rules allow the view."""

    def __init__(self, client: httpx.AsyncClient, operator_token: str, personal_token: str):
        self._client = client
        self._operator = operator_token
        self._personal = personal_token

    async def submit_report(self, report: dict[str, Any]) -> ReportAccepted:
        response = await call(
            self._client, "POST", "/v1/reports", token=self._operator, json=report
        )
        return ReportAccepted.model_validate(response.json())

    async def incidents(self, limit: int = 200) -> list[IncidentSummary]:
        response = await call(
            self._client, "GET", "/v1/incidents", token=self._operator, params={"limit": limit}
        )
        return [IncidentSummary.model_validate(i) for i in response.json()["items"]]

    async def incident(self, incident_id: str, *, personal: bool) -> IncidentDetail | None:
        token = self._personal if personal else self._operator
        try:
            response = await call(self._client, "GET", f"/v1/incidents/{incident_id}", token=token)
        except Rejected as exc:
            if exc.status == 404:
                return None
            raise
        return IncidentDetail.model_validate(response.json())

    async def set_district(self, incident_id: str, district: str) -> IncidentDetail:
        response = await call(
            self._client,
            "PATCH",
            f"/v1/incidents/{incident_id}/triage",
            token=self._personal,
            json={"district": district},
        )
        return IncidentDetail.model_validate(response.json())

    async def street_suggestions(self, prefix: str) -> Sequence[StreetSuggestion]:
        response = await call(
            self._client,
            "POST",
            "/v1/gazetteer/streets/search",
            token=self._operator,
            needed="street suggestions",
            json={"q": prefix, "limit": 8},
        )
        return [StreetSuggestion.model_validate(s) for s in response.json()["items"]]

    async def ready(self) -> bool:
        return await reachable(self._client)
