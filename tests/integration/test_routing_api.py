"""Routing's supervisor API over real PostgreSQL and a real broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from qorgau_common.auth import create_token
from qorgau_contracts import (
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    IncidentAssigned,
    IncidentResolved,
)
from routing.config import RoutingSettings
from routing.main import create_app
from routing.roster import RosterRejected
from routing.seed import import_roster, seed_demo

from tests.factories import reported
from tests.harness import FAST_KAFKA, publish, read_topic, serving

pytestmark = pytest.mark.integration

BOSS = {"Authorization": "Bearer supervisor-token"}


@pytest.fixture
async def api(database_url: str, kafka: str) -> AsyncIterator[httpx.AsyncClient]:
    await seed_demo(database_url, days=2)
    conn = await asyncpg.connect(database_url)
    await create_token(conn, "routing", "duty-1", "supervisor", "supervisor-token")
    await create_token(conn, "routing", "op-1", "operator", "operator-token")
    await conn.close()
    settings = RoutingSettings(
        database_url=database_url, kafka_bootstrap_servers=kafka, **FAST_KAFKA
    )
    async with serving(create_app(settings)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://routing") as client:
            yield client


async def assigned_incident(kafka: str, **changes: Any) -> IncidentAssigned:
    event = reported(**changes)
    await publish(
        kafka,
        INCIDENT_REPORTED.name,
        event.model_dump_json().encode(),
        str(event.incident_id).encode(),
    )
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, 1)
    return IncidentAssigned.model_validate_json(records[0].value)


async def test_only_supervisors_and_admins(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/board")).status_code == 401
    operator = await api.get("/v1/board", headers={"Authorization": "Bearer operator-token"})
    assert operator.status_code == 403
    assert operator.headers["content-type"] == "application/problem+json"
    assert (await api.get("/v1/board", headers=BOSS)).status_code == 200


async def test_the_board_shows_open_cases_and_reassignment_moves_them(
    api: httpx.AsyncClient, kafka: str
) -> None:
    first = await assigned_incident(kafka)
    board = (await api.get("/v1/board", headers=BOSS)).json()
    assert board["counts"] == {"nura": {"assigned": 1}}
    (row,) = board["unacknowledged"]
    assert (row["short_code"], row["officer_id"], row["attempt"]) == (
        first.short_code,
        first.officer_id,
        1,
    )
    moved = await api.post(
        f"/v1/incidents/{first.incident_id}/reassign",
        headers=BOSS,
        json={"officer_id": "YSL-03", "reason": "closer to the address"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["attempt"] == 2
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, 3)
    newest = [IncidentAssigned.model_validate_json(r.value) for r in records]
    assert any(a.officer_id == "YSL-03" and a.attempt == 2 for a in newest)


@pytest.mark.parametrize(
    ("officer_id", "status", "field"),
    [("NOPE-1", 422, "officer_id"), ("ALM-01", 422, "officer_id")],
)
async def test_reassigning_to_an_unknown_or_inactive_officer_is_refused(
    api: httpx.AsyncClient, kafka: str, officer_id: str, status: int, field: str
) -> None:
    first = await assigned_incident(kafka)
    await api.patch("/v1/officers/ALM-01", headers=BOSS, json={"active": False})
    response = await api.post(
        f"/v1/incidents/{first.incident_id}/reassign",
        headers=BOSS,
        json={"officer_id": officer_id, "reason": "testing refusal"},
    )
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field
    unknown = await api.post(
        f"/v1/incidents/{uuid.uuid4()}/reassign",
        headers=BOSS,
        json={"officer_id": "YSL-01", "reason": "no such case"},
    )
    assert unknown.status_code == 404


async def test_resolving_publishes_the_outcome_and_frees_the_officer(
    api: httpx.AsyncClient, kafka: str, database_url: str
) -> None:
    first = await assigned_incident(kafka)
    response = await api.post(
        f"/v1/assignments/{first.assignment_id}/resolve",
        headers=BOSS,
        json={"outcome": "protective_order_issued"},
    )
    assert response.status_code == 200, response.text
    (record,) = await read_topic(kafka, INCIDENT_RESOLVED.name, 1)
    resolved = IncidentResolved.model_validate_json(record.value)
    assert (resolved.outcome, resolved.officer_id, resolved.resolved_by) == (
        "protective_order_issued",
        first.officer_id,
        "duty-1",
    )
    again = await api.post(
        f"/v1/assignments/{first.assignment_id}/resolve",
        headers=BOSS,
        json={"outcome": "duplicate"},
    )
    assert again.status_code == 409
    bad = await api.post(
        f"/v1/assignments/{first.assignment_id}/resolve", headers=BOSS, json={"outcome": "shrugged"}
    )
    assert bad.status_code == 422
    conn = await asyncpg.connect(database_url)
    try:
        load = await conn.fetchval(
            "SELECT count(*) FROM routing.assignments WHERE officer_id = $1"
            " AND status IN ('open', 'acknowledged')",
            first.officer_id,
        )
        audit = await conn.fetch("SELECT actor, action FROM routing.audit_log ORDER BY id")
    finally:
        await conn.close()
    assert load == 0
    assert [tuple(a) for a in audit] == [("duty-1", "assignment.resolve")]


async def test_roster_changes_are_validated(api: httpx.AsyncClient) -> None:
    new = {
        "id": "YSL-09",
        "name": "Новиков",
        "phone": "8 702 555 12 34",
        "home_district": "yesil",
        "language": "kk",
    }
    created = await api.post("/v1/officers", headers=BOSS, json=new)
    assert created.status_code == 201, created.text
    assert created.json()["phone"] == "+77025551234"
    assert (await api.post("/v1/officers", headers=BOSS, json=new)).status_code == 409
    bad_phone = await api.post(
        "/v1/officers", headers=BOSS, json={**new, "id": "X-1", "phone": "12"}
    )
    assert (bad_phone.status_code, bad_phone.json()["errors"][0]["field"]) == (422, "phone")
    bad_district = await api.post(
        "/v1/officers", headers=BOSS, json={**new, "id": "X-2", "home_district": "atlantis"}
    )
    assert (bad_district.status_code, bad_district.json()["errors"][0]["field"]) == (
        422,
        "district",
    )
    status = await api.put("/v1/officers/YSL-09/status", headers=BOSS, json={"status": "busy"})
    assert status.json()["status"] == "busy"
    shift = {
        "officer_id": "YSL-09",
        "starts_at": "2030-01-01T08:00:00+05:00",
        "ends_at": "2030-01-01T20:00:00+05:00",
    }
    assert (await api.post("/v1/shifts", headers=BOSS, json=shift)).status_code == 201
    listed = await api.get(
        "/v1/shifts",
        headers=BOSS,
        params={
            "officer_id": "YSL-09",
            "since": "2030-01-01T00:00:00Z",
            "until": "2030-01-02T00:00:00Z",
        },
    )
    assert [(s["starts_at"], s["ends_at"]) for s in listed.json()] == [
        ("2030-01-01T08:00:00+05:00", "2030-01-01T20:00:00+05:00")
    ]
    overlap = {
        **shift,
        "starts_at": "2030-01-01T19:00:00+05:00",
        "ends_at": "2030-01-02T07:00:00+05:00",
    }
    assert (await api.post("/v1/shifts", headers=BOSS, json=overlap)).status_code == 409
    backwards = {**shift, "ends_at": "2030-01-01T07:00:00+05:00"}
    assert (await api.post("/v1/shifts", headers=BOSS, json=backwards)).status_code == 422


async def test_a_bad_roster_file_imports_nothing(database_url: str) -> None:
    await seed_demo(database_url, days=1)
    conn = await asyncpg.connect(database_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM routing.officers")
        officers = (
            "id,name,phone,home_district,covers,language,role,active\n"
            "NEW-1,Жаңа,+77011112233,yesil,,kk,inspector,true\n"
            "NEW-2,Bad,+7701,yesil,,kk,inspector,true\n"
        )
        with pytest.raises(RosterRejected) as rejected:
            await import_roster(conn, officers, None)
        assert "officers.csv line 3: phone is not a valid number" in str(rejected.value)
        assert await conn.fetchval("SELECT count(*) FROM routing.officers") == before
    finally:
        await conn.close()
