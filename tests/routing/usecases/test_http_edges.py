"""Routing's API at its edges (issue 11): nulls in a PATCH, NUL characters, times out of
range; each a 4xx that names the field, and nothing stored."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tests.routing.usecases.test_http import BOSS, a_case, api  # noqa: F401

NEW = {
    "id": "YSL-09",
    "name": "Новиков",
    "phone": "8 702 555 12 34",
    "home_district": "yesil",
}


@pytest.mark.parametrize("body", [{"name": None}, {"covers": None}, {"active": None}])
async def test_nulls_in_an_officer_patch_are_422(
    api: httpx.AsyncClient,  # noqa: F811
    pool: asyncpg.Pool,
    body: dict[str, Any],
) -> None:
    before = await pool.fetchrow("SELECT * FROM routing.officers WHERE id = 'YSL-01'")
    response = await api.patch("/v1/officers/YSL-01", headers=BOSS, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == next(iter(body))
    assert await pool.fetchrow("SELECT * FROM routing.officers WHERE id = 'YSL-01'") == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "name": "Нови\x00ков"}, "name"),
        ({**NEW, "name": "\u200b\u202e"}, "name"),
        ({**NEW, "phone": "8 702\x00 555 12 34"}, "phone"),
    ],
)
async def test_officer_names_and_phones_are_checked_text(
    api: httpx.AsyncClient,  # noqa: F811
    pool: asyncpg.Pool,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await api.post("/v1/officers", headers=BOSS, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await pool.fetchval("SELECT count(*) FROM routing.officers WHERE id = 'YSL-09'") == 0
    renamed = await api.patch("/v1/officers/YSL-01", headers=BOSS, json={"name": "Ин\x00спектор"})
    assert renamed.status_code == 422


async def test_a_bidi_override_in_a_name_is_removed(api: httpx.AsyncClient) -> None:  # noqa: F811
    created = await api.post("/v1/officers", headers=BOSS, json={**NEW, "name": "\u202eНовиков"})
    assert (created.status_code, created.json()["name"]) == (201, "Новиков")


async def test_a_reassign_reason_with_a_nul_is_422(
    api: httpx.AsyncClient,  # noqa: F811
    pool: asyncpg.Pool,
) -> None:
    first: Any = await a_case(pool)
    response = await api.post(
        f"/v1/incidents/{first.incident_id}/reassign",
        headers=BOSS,
        json={"officer_id": "YSL-03", "reason": "closer\x00 to the address"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "reason"
    assert await pool.fetchval("SELECT count(*) FROM routing.audit_log") == 0


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("0001-01-01T00:00:00+05:00", "0001-01-01T08:00:00+05:00"),
        ("9999-12-31T20:00:00-05:00", "9999-12-31T23:00:00-05:00"),
        ("1999-12-31T08:00:00Z", "1999-12-31T20:00:00Z"),
    ],
)
async def test_shift_times_out_of_range_are_422(
    api: httpx.AsyncClient,  # noqa: F811
    pool: asyncpg.Pool,
    starts_at: str,
    ends_at: str,
) -> None:
    before = await pool.fetchval("SELECT count(*) FROM routing.shifts")
    shift = {"officer_id": "YSL-01", "starts_at": starts_at, "ends_at": ends_at}
    response = await api.post("/v1/shifts", headers=BOSS, json=shift)
    assert response.status_code == 422, response.text
    assert await pool.fetchval("SELECT count(*) FROM routing.shifts") == before
    listed = await api.get("/v1/shifts", headers=BOSS, params={"since": starts_at})
    assert listed.status_code == 422, listed.text
