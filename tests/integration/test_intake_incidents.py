"""Incident views (audited, personal data by role), keyset pages, triage, the gazetteer and
linking of repeat reports, over real PostgreSQL and a real broker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from intake.gazetteer_load import load_gazetteer
from intake.streets import GazetteerFileError
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from tests.harness import read_topic
from tests.integration.intake_support import ADMIN, AUTH, SUPERVISOR, counts, fetch, running_intake

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[2] / "services/intake/src/intake/gazetteer"


def body(call_id: str, **changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "channel": "call_102",
        "call_id": call_id,
        "caller_phone": "8 701 234 56 78",
        "victim": {"name": "Айгерим Сапарова", "phone": "8 705 111 22 33"},
        "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
        "district": "yesil",
        "narrative": "Муж угрожает ножом.",
    }
    report.update(changes)
    return report


@pytest.fixture
async def client(database_url: str, kafka: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running_intake(database_url, kafka) as (_, client):
        yield client


async def load_sample(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        text = (SAMPLE / "astana_sample.csv").read_text()
        version, rows = await load_gazetteer(conn, text, source="sample", loaded_by="test")
    finally:
        await conn.close()
    assert rows > 0
    return version


async def test_operators_see_the_incident_supervisors_also_the_people(
    client: httpx.AsyncClient, database_url: str
) -> None:
    created = (await client.post("/v1/reports", json=body("102-v1"), headers=AUTH)).json()
    path = f"/v1/incidents/{created['incident_id']}"

    as_operator = await client.get(path, headers=AUTH)
    assert as_operator.status_code == 200
    view = as_operator.json()
    assert view["status"] == "reported"
    assert view["district"] == "yesil"
    assert view["personal"] is None
    assert [e["status"] for e in view["timeline"]] == ["reported"]
    assert "Айгерим" not in as_operator.text
    assert "+7701" not in as_operator.text

    for headers in (SUPERVISOR, ADMIN):
        full = (await client.get(path, headers=headers)).json()
        assert full["personal"] == {
            "caller_phone": "+77012345678",
            "victim_name": "Айгерим Сапарова",
            "victim_phone": "+77051112233",
            "narrative": "Муж угрожает ножом.",
        }
    views = await fetch(
        database_url,
        "SELECT actor, detail FROM intake.audit_log WHERE action = 'incident.view' ORDER BY id",
    )
    assert [(v["actor"], json.loads(v["detail"])["personal"]) for v in views] == [
        ("operator-1", False),
        ("supervisor-1", True),
        ("admin-1", True),
    ]


async def test_missing_incidents_and_tokens(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/incidents/00000000-0000-0000-0000-000000000000", headers=AUTH)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/incidents")).status_code == 401
    assert (await client.get("/v1/incidents/not-a-uuid", headers=AUTH)).status_code == 422


async def test_incidents_are_listed_newest_first_a_page_at_a_time(
    client: httpx.AsyncClient,
) -> None:
    made = []
    for n in range(5):
        at = f"2026-11-0{n + 1}T10:00:00+05:00"
        changes: dict[str, Any] = {"received_at": at}
        if n % 2:
            changes["district"] = None
        response = await client.post("/v1/reports", json=body(f"102-p{n}", **changes), headers=AUTH)
        made.append(response.json()["incident_id"])
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/incidents", params=params, headers=AUTH)).json()
        seen += [i["incident_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]
    waiting = await client.get("/v1/incidents", params={"status": "awaiting_triage"}, headers=AUTH)
    assert [i["incident_id"] for i in waiting.json()["items"]] == [made[3], made[1]]
    recent = await client.get(
        "/v1/incidents",
        params={"district": "yesil", "since": "2026-11-03T00:00:00+05:00"},
        headers=AUTH,
    )
    assert [i["incident_id"] for i in recent.json()["items"]] == [made[4], made[2]]
    for bad in ({"limit": 0}, {"status": "lost"}, {"cursor": "???"}, {"since": "yesterday"}):
        response = await client.get("/v1/incidents", params=bad, headers=AUTH)
        assert response.status_code == 422, bad


async def test_triage_places_a_waiting_report_and_publishes_it_again(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    created = (
        await client.post("/v1/reports", json=body("102-t1", district=None), headers=AUTH)
    ).json()
    assert created["status"] == "awaiting_triage"
    path = f"/v1/incidents/{created['incident_id']}/triage"

    only_checklist = await client.patch(
        path, json={"checklist": {"strangulation": True}}, headers=AUTH
    )
    assert only_checklist.status_code == 200
    assert only_checklist.json()["status"] == "awaiting_triage"
    assert only_checklist.json()["risk_level"] == "high"

    unknown = await client.patch(path, json={"district": "atlantis"}, headers=AUTH)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "district"
    assert (await client.patch(path, json={}, headers=AUTH)).status_code == 422

    placed = await client.patch(path, json={"district": "nura"}, headers=AUTH)
    assert placed.status_code == 200
    view = placed.json()
    assert (view["status"], view["district"], view["district_source"]) == (
        "reported",
        "nura",
        "triage",
    )
    assert [e["status"] for e in view["timeline"]] == ["awaiting_triage", "triaged", "triaged"]

    events = [
        IncidentReported.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.name, 2)
    ]
    assert [(e.district, e.risk_level) for e in events] == [(None, "standard"), ("nura", "high")]
    assert events[0].event_id != events[1].event_id

    moved = await client.patch(path, json={"district": "yesil"}, headers=AUTH)
    assert moved.status_code == 409
    audits = await fetch(
        database_url, "SELECT count(*) AS n FROM intake.audit_log WHERE action = 'incident.triage'"
    )
    assert audits[0]["n"] == 2
    assert (await counts(database_url, "outbox"))["outbox"] == 2


async def test_a_report_without_a_district_is_placed_by_the_gazetteer(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    version = await load_sample(database_url)
    placed = await client.post(
        "/v1/reports",
        json=body("102-g1", district=None, address={"street": "Сығанақ көшесі", "house": "3"}),
        headers=AUTH,
    )
    assert placed.status_code == 201
    assert (placed.json()["status"], placed.json()["district"]) == ("reported", "yesil")
    view = (await client.get(f"/v1/incidents/{placed.json()['incident_id']}", headers=AUTH)).json()
    assert (view["district_source"], view["gazetteer_version"]) == ("gazetteer", version)

    unknown = await client.post(
        "/v1/reports",
        json=body("102-g2", district=None, address={"street": "ул. Несуществующая", "house": "1"}),
        headers=AUTH,
    )
    assert unknown.json()["status"] == "awaiting_triage"
    assert unknown.json()["district"] is None
    events = [
        IncidentReported.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.name, 2)
    ]
    by_id = {str(e.incident_id): e for e in events}
    assert by_id[unknown.json()["incident_id"]].district_unresolved_reason == (
        "street not in the gazetteer"
    )
    # Boundaries change: Shakarim avenue moved to Saraishyk in 2024.
    moved = await client.post(
        "/v1/reports",
        json=body(
            "102-g3",
            district=None,
            address={"street": "проспект Шакарима", "house": "7"},
            received_at="2023-06-01T12:00:00+05:00",
        ),
        headers=AUTH,
    )
    assert moved.json()["district"] == "almaty"


async def test_a_bad_gazetteer_file_loads_nothing(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(GazetteerFileError) as info:
            await load_gazetteer(
                conn,
                "street,district,valid_from,valid_to\nул. А,yesil,2020-01-01,\nул. Б,mars,x,\n",
                source="bad.csv",
                loaded_by="test",
            )
        assert info.value.problems[0].startswith("line 3:")
        assert await conn.fetchval("SELECT count(*) FROM intake.gazetteer") == 0
        assert await conn.fetchval("SELECT count(*) FROM intake.gazetteer_versions") == 0
    finally:
        await conn.close()


async def test_repeat_reports_are_linked_and_raise_the_risk(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    first = (
        await client.post("/v1/reports", json=body("102-l1", checklist={}), headers=AUTH)
    ).json()
    assert first["risk_level"] == "standard"
    # Same flat written differently, another caller: linked by the address.
    same_place = await client.post(
        "/v1/reports",
        json=body(
            "102-l2",
            caller_phone="+7 777 000 11 22",
            victim={},
            address={"street": "Сыганак улица", "house": " 10", "apartment": "5"},
        ),
        headers=AUTH,
    )
    # The earlier victim calls herself from another address: linked by the phone.
    same_person = await client.post(
        "/v1/reports",
        json=body(
            "102-l3",
            caller_phone="8 705 111 22 33",
            victim={},
            address={"street": "пр. Туран", "house": "1"},
        ),
        headers=AUTH,
    )
    unrelated = await client.post(
        "/v1/reports",
        json=body(
            "102-l4",
            caller_phone="+7 747 555 66 77",
            victim={},
            address={"street": "ул. Сыганак", "house": "10", "apartment": "6"},
        ),
        headers=AUTH,
    )
    assert same_place.json()["risk_level"] == "medium"  # standard, raised by the repeat
    events = {
        str(e.incident_id): e
        for e in (
            IncidentReported.model_validate_json(r.value)
            for r in await read_topic(kafka, INCIDENT_REPORTED.name, 4)
        )
    }
    assert [str(i) for i in events[same_place.json()["incident_id"]].linked_incident_ids] == [
        first["incident_id"]
    ]
    assert str(first["incident_id"]) in {
        str(i) for i in events[same_person.json()["incident_id"]].linked_incident_ids
    }
    assert events[unrelated.json()["incident_id"]].linked_incident_ids == ()
    assert "repeat" in events[same_person.json()["incident_id"]].risk_flags
    # Only keyed hashes are stored: no phone or street in the link table.
    dump = json.dumps(
        [dict(r) for r in await fetch(database_url, "SELECT * FROM intake.incident_link_keys")],
        default=str,
    )
    assert "7012345678" not in dump
    assert "сыганак" not in dump.lower()


async def test_a_repeat_more_than_a_year_later_is_not_linked(
    client: httpx.AsyncClient, kafka: str
) -> None:
    old = body("102-o1", received_at="2024-01-01T10:00:00+05:00")
    await client.post("/v1/reports", json=old, headers=AUTH)
    await client.post("/v1/reports", json=body("102-o2"), headers=AUTH)
    events = [
        IncidentReported.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.name, 2)
    ]
    assert all(e.linked_incident_ids == () for e in events)
