"""Routing's HTTP API over real PostgreSQL, without a broker: the real app, a pool-only runtime.

The routes translate and delegate; these tests pin the interface (paths, bodies, status codes,
problem details) that supervisors and the console rely on.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest
from qorgau_common.auth import create_token
from qorgau_contracts import IncidentAssigned
from routing.config import RoutingSettings
from routing.deps import RoutingDeps
from routing.domain.roster import ASTANA
from routing.main import create_app
from routing.usecases.assign import assign_incident

from tests.routing.support import (
    POLICY,
    assigned_events,
    load_demo_rota,
    report,
    resolved_events,
)

BOSS = {"Authorization": "Bearer supervisor-token"}


@dataclass
class PostgresOnly:
    """What the routes and the auth dependency read from the runtime, without Kafka."""

    pool: asyncpg.Pool
    service: str = "routing"

    def deps(self) -> RoutingDeps:
        return RoutingDeps(self.pool, POLICY)


@pytest.fixture
async def api(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with pool.acquire() as conn:
        # The routes read the real clock: shifts around today as well.
        await load_demo_rota(conn, (datetime.now(ASTANA) - timedelta(days=1)).date())
        await create_token(conn, "routing", "duty-1", "supervisor", "supervisor-token")
        await create_token(conn, "routing", "op-1", "operator", "operator-token")
    app = create_app(RoutingSettings())
    app.state.runtime = PostgresOnly(pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://routing") as client:
        yield client


async def a_case(pool: asyncpg.Pool, **changes: object) -> IncidentAssigned:
    await assign_incident(pool, report(received_at=datetime.now(ASTANA), **changes), POLICY)
    async with pool.acquire() as conn:
        return (await assigned_events(conn))[-1]


async def test_only_supervisors_and_admins(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/board")).status_code == 401
    operator = await api.get("/v1/board", headers={"Authorization": "Bearer operator-token"})
    assert operator.status_code == 403
    assert operator.headers["content-type"] == "application/problem+json"
    assert (await api.get("/v1/board", headers=BOSS)).status_code == 200
    assert (
        await api.get("/v1/officers", headers={"Authorization": "Bearer nope"})
    ).status_code == 401


async def test_the_board_shows_open_cases_and_reassignment_moves_them(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    first = await a_case(pool)
    board = (await api.get("/v1/board", headers=BOSS)).json()
    assert board["counts"] == {"nura": {"assigned": 1}}
    assert board["escalated"] == []
    (row,) = board["unacknowledged"]
    assert (row["short_code"], row["officer_id"], row["attempt"], row["overdue"]) == (
        first.short_code,
        first.officer_id,
        1,
        False,
    )
    assert row["incident_id"] == str(first.incident_id)
    moved = await api.post(
        f"/v1/incidents/{first.incident_id}/reassign",
        headers=BOSS,
        json={"officer_id": "YSL-03", "reason": "closer to the address"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json() == {
        "incident_id": str(first.incident_id),
        "officer_id": "YSL-03",
        "attempt": 2,
    }
    async with pool.acquire() as conn:
        newest = await assigned_events(conn)
    assert any(a.officer_id == "YSL-03" and a.attempt == 2 for a in newest)


@pytest.mark.parametrize("officer_id", ["NOPE-1", "ALM-01"])
async def test_reassigning_to_an_unknown_or_inactive_officer_is_refused(
    api: httpx.AsyncClient, pool: asyncpg.Pool, officer_id: str
) -> None:
    first = await a_case(pool)
    await api.patch("/v1/officers/ALM-01", headers=BOSS, json={"active": False})
    response = await api.post(
        f"/v1/incidents/{first.incident_id}/reassign",
        headers=BOSS,
        json={"officer_id": officer_id, "reason": "testing refusal"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "officer_id"
    unknown = await api.post(
        f"/v1/incidents/{uuid.uuid4()}/reassign",
        headers=BOSS,
        json={"officer_id": "YSL-01", "reason": "no such case"},
    )
    assert unknown.status_code == 404
    short = await api.post(
        f"/v1/incidents/{first.incident_id}/reassign",
        headers=BOSS,
        json={"officer_id": "YSL-01", "reason": "x"},
    )
    assert short.status_code == 422


async def test_resolving_publishes_the_outcome_and_frees_the_officer(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    first = await a_case(pool)
    response = await api.post(
        f"/v1/assignments/{first.assignment_id}/resolve",
        headers=BOSS,
        json={"outcome": "protective_order_issued"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "assignment_id": str(first.assignment_id),
        "outcome": "protective_order_issued",
    }
    async with pool.acquire() as conn:
        (resolved,) = await resolved_events(conn)
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
    missing = await api.post(
        f"/v1/assignments/{uuid.uuid4()}/resolve", headers=BOSS, json={"outcome": "duplicate"}
    )
    assert missing.status_code == 404
    board = (await api.get("/v1/board", headers=BOSS)).json()
    assert board["open"] == []


async def test_roster_changes_are_validated(api: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    new = {
        "id": "YSL-09",
        "name": "Новиков",
        "phone": "8 702 555 12 34",
        "home_district": "yesil",
        "language": "kk",
    }
    created = await api.post("/v1/officers", headers=BOSS, json=new)
    assert created.status_code == 201, created.text
    assert created.json() == {
        "id": "YSL-09",
        "name": "Новиков",
        "phone": "+77025551234",
        "home_district": "yesil",
        "covers": [],
        "language": "kk",
        "role": "inspector",
        "active": True,
        "status": "available",
    }
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
    extra = await api.post("/v1/officers", headers=BOSS, json={**new, "id": "X-3", "rank": "1"})
    assert extra.status_code == 422
    renamed = await api.patch("/v1/officers/YSL-09", headers=BOSS, json={"name": "Новикова"})
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Новикова")
    assert (await api.patch("/v1/officers/NOPE", headers=BOSS, json={})).status_code == 404
    status = await api.put("/v1/officers/YSL-09/status", headers=BOSS, json={"status": "busy"})
    assert status.json()["status"] == "busy"
    listed = (await api.get("/v1/officers", headers=BOSS)).json()
    assert len(listed) == 51
    assert listed[-1]["id"] == "YSL-09"
    shift = {
        "officer_id": "YSL-09",
        "starts_at": "2030-01-01T08:00:00+05:00",
        "ends_at": "2030-01-01T20:00:00+05:00",
    }
    added = await api.post("/v1/shifts", headers=BOSS, json=shift)
    assert added.status_code == 201
    assert added.json() == {
        "id": added.json()["id"],
        "officer_id": "YSL-09",
        "starts_at": "2030-01-01T08:00:00+05:00",
        "ends_at": "2030-01-01T20:00:00+05:00",
    }
    listed_shifts = await api.get(
        "/v1/shifts",
        headers=BOSS,
        params={
            "officer_id": "YSL-09",
            "since": "2030-01-01T00:00:00Z",
            "until": "2030-01-02T00:00:00Z",
        },
    )
    assert [(s["starts_at"], s["ends_at"]) for s in listed_shifts.json()] == [
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
    shift_id = added.json()["id"]
    assert (await api.delete(f"/v1/shifts/{shift_id}", headers=BOSS)).status_code == 204
    assert (await api.delete(f"/v1/shifts/{shift_id}", headers=BOSS)).status_code == 404
    audit = await pool.fetch("SELECT actor, action FROM routing.audit_log ORDER BY id")
    assert [a["action"] for a in audit] == [
        "officer.create",
        "officer.update",
        "officer.status",
        "shift.create",
        "shift.delete",
    ]
    assert {a["actor"] for a in audit} == {"duty-1"}


async def test_the_console_answers_for_an_officer_by_the_sms_rule(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    first = await a_case(pool)
    assert isinstance(first, IncidentAssigned)
    path = f"/v1/assignments/{first.assignment_id}/reply"
    body = {"officer_id": first.officer_id, "reply": "acknowledge", "channel": "console"}
    stranger = await api.post(path, json={**body, "officer_id": "ALM-01"}, headers=BOSS)
    assert stranger.status_code == 409
    assert stranger.json()["errors"][0]["field"] == "officer_id"
    accepted = await api.post(path, json=body, headers=BOSS)
    assert accepted.json() == {"assignment_id": str(first.assignment_id), "status": "acknowledged"}
    declined = await api.post(path, json={**body, "reply": "decline"}, headers=BOSS)
    assert declined.status_code == 409
    unknown = await api.post(f"/v1/assignments/{uuid.uuid4()}/reply", json=body, headers=BOSS)
    assert unknown.status_code == 404
    entries = (await api.get("/v1/board", headers=BOSS)).json()["open"]
    (entry,) = [e for e in entries if e["incident_id"] == str(first.incident_id)]
    assert (entry["assignment_id"], entry["assignment_status"]) == (
        str(first.assignment_id),
        "acknowledged",
    )
    cases = await api.get(f"/v1/officers/{first.officer_id}/cases", headers=BOSS)
    assert [c["assignment_id"] for c in cases.json()] == [str(first.assignment_id)]
