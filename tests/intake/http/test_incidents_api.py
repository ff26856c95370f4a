"""Incident routes over the real app and PostgreSQL: roles, pages, triage, their problems."""

from __future__ import annotations

from typing import Any

import httpx

from tests.intake.support import ADMIN, AUTH, SUPERVISOR, report_body


async def create(api: httpx.AsyncClient, call_id: str, **changes: Any) -> dict[str, Any]:
    response = await api.post("/v1/reports", json=report_body(call_id, **changes), headers=AUTH)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_operators_see_the_incident_supervisors_also_the_people(
    api: httpx.AsyncClient,
) -> None:
    created = await create(api, "102-v1")
    path = f"/v1/incidents/{created['incident_id']}"
    as_operator = await api.get(path, headers=AUTH)
    assert as_operator.status_code == 200
    view = as_operator.json()
    assert (view["status"], view["district"], view["personal"]) == ("reported", "yesil", None)
    assert view["short_code"] == created["short_code"]
    assert [e["status"] for e in view["timeline"]] == ["reported"]
    assert view["timeline"][0]["detail"] == {"channel": "call_102", "district_source": "operator"}
    assert view["messages"] == []
    assert "Айгерим" not in as_operator.text
    assert "+7701" not in as_operator.text
    for headers in (SUPERVISOR, ADMIN):
        full = (await api.get(path, headers=headers)).json()
        assert full["personal"]["victim_name"] == "Айгерим Сапарова"
        assert full["personal"]["caller_phone"] == "+77012345678"


async def test_the_callers_name_is_accepted_and_shown_only_to_supervisors(
    api: httpx.AsyncClient,
) -> None:
    created = await create(api, "102-caller", caller={"name": "Жанар Омарова"})
    path = f"/v1/incidents/{created['incident_id']}"
    as_operator = await api.get(path, headers=AUTH)
    assert "Жанар" not in as_operator.text
    full = (await api.get(path, headers=SUPERVISOR)).json()
    assert full["personal"]["caller_name"] == "Жанар Омарова"
    for bad in ({"name": "\u200b "}, {"name": "Жанар\nОмарова"}, {"nick": "Ж"}):
        refused = await api.post(
            "/v1/reports", json=report_body("102-caller-bad", caller=bad), headers=AUTH
        )
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"].startswith("caller"), refused.text


async def test_incidents_are_listed_a_page_at_a_time_with_a_cursor(api: httpx.AsyncClient) -> None:
    made = []
    for n in range(5):
        changes: dict[str, Any] = {"received_at": f"2026-11-0{n + 1}T10:00:00+05:00"}
        if n % 2:
            changes["district"] = None
        made.append((await create(api, f"102-p{n}", **changes))["incident_id"])
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/v1/incidents", params=params, headers=AUTH)).json()
        seen += [i["incident_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]
    waiting = await api.get("/v1/incidents", params={"status": "awaiting_triage"}, headers=AUTH)
    assert [i["incident_id"] for i in waiting.json()["items"]] == [made[3], made[1]]
    recent = await api.get(
        "/v1/incidents",
        params={"district": "yesil", "since": "2026-11-03T00:00:00+05:00"},
        headers=AUTH,
    )
    assert [i["incident_id"] for i in recent.json()["items"]] == [made[4], made[2]]
    assert recent.json()["next_cursor"] is None
    for bad in ({"limit": 0}, {"status": "lost"}, {"cursor": "???"}, {"since": "yesterday"}):
        response = await api.get("/v1/incidents", params=bad, headers=AUTH)
        assert response.status_code == 422, bad


async def test_triage_over_http(api: httpx.AsyncClient) -> None:
    created = await create(api, "102-t1", district=None)
    path = f"/v1/incidents/{created['incident_id']}/triage"
    only_checklist = await api.patch(
        path, json={"checklist": {"strangulation": True}}, headers=AUTH
    )
    assert only_checklist.status_code == 200
    assert (only_checklist.json()["status"], only_checklist.json()["risk_level"]) == (
        "awaiting_triage",
        "high",
    )
    unknown = await api.patch(path, json={"district": "atlantis"}, headers=AUTH)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "district"
    assert (await api.patch(path, json={}, headers=AUTH)).status_code == 422
    placed = await api.patch(path, json={"district": "nura"}, headers=AUTH)
    assert placed.status_code == 200
    view = placed.json()
    assert (view["status"], view["district"], view["district_source"]) == (
        "reported",
        "nura",
        "triage",
    )
    assert [e["status"] for e in view["timeline"]] == ["awaiting_triage", "triaged", "triaged"]
    moved = await api.patch(path, json={"district": "yesil"}, headers=AUTH)
    assert moved.status_code == 409
    assert moved.headers["content-type"] == "application/problem+json"
    missing = await api.patch(
        "/v1/incidents/00000000-0000-0000-0000-000000000000/triage",
        json={"district": "nura"},
        headers=AUTH,
    )
    assert missing.status_code == 404
