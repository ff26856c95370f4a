"""`POST /v1/reports` over the real app and PostgreSQL (no broker): status codes, headers and
precise problems that never echo what was sent."""

from __future__ import annotations

from typing import Any

import httpx

from tests.intake.support import AUTH, outbox_events, report_body

PERSONAL = {"phone": "+77012345678", "name": "Айгерим Сапарова", "narrative": "угрожает ножом"}


def body(**changes: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "victim": {"name": PERSONAL["name"], "age_band": "30-44", "sex": "female"},
        "checklist": {"weapon": True},
        "narrative": f"Муж {PERSONAL['narrative']}, дети дома.",
    }
    return report_body(**{**defaults, **changes})


async def test_a_report_is_accepted_with_its_location(
    api: httpx.AsyncClient, database_url: str
) -> None:
    response = await api.post("/v1/reports", json=body(), headers=AUTH)
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert set(accepted) == {
        "incident_id",
        "short_code",
        "status",
        "district",
        "priority",
        "risk_level",
    }
    assert (accepted["status"], accepted["district"]) == ("reported", "yesil")
    assert (accepted["priority"], accepted["risk_level"]) == ("high", "high")
    assert response.headers["location"] == f"/v1/incidents/{accepted['incident_id']}"
    [event] = await outbox_events(database_url)
    assert str(event.incident_id) == accepted["incident_id"]
    assert event.short_code == accepted["short_code"]


async def test_a_repeat_is_200_with_the_same_incident(api: httpx.AsyncClient) -> None:
    first = await api.post("/v1/reports", json=body(), headers=AUTH)
    again = await api.post("/v1/reports", json=body(), headers=AUTH)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    keyed = {**AUTH, "Idempotency-Key": "retry-7"}
    one = await api.post("/v1/reports", json=body(call_id="102-0002"), headers=keyed)
    two = await api.post("/v1/reports", json=body(call_id="102-0002"), headers=keyed)
    assert (one.status_code, two.status_code) == (201, 200)
    assert two.json()["incident_id"] == one.json()["incident_id"]
    assert two.headers["location"] == one.headers["location"]


async def test_liveness_and_the_documented_api(api: httpx.AsyncClient) -> None:
    assert (await api.get("/health/live")).status_code == 200
    spec = (await api.get("/openapi.json")).json()
    assert {
        "/v1/reports",
        "/v1/incidents",
        "/v1/incidents/{incident_id}",
        "/v1/incidents/{incident_id}/triage",
        "/v1/webhooks/telegram",
        "/v1/webhooks/meta",
    } <= set(spec["paths"])
    assert spec["paths"]["/v1/reports"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/ReportIn"}
