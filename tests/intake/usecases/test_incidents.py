"""Viewing (audited, personal data by role), listing by pages, and triage, called directly."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import asyncpg
import pytest
from intake.domain.triage import Checklist
from intake.usecases.list_incidents import list_incidents
from intake.usecases.submit_report import submit_report
from intake.usecases.triage_incident import triage_incident
from intake.usecases.view_incident import view_incident
from qorgau_common.auth import Caller
from qorgau_common.errors import Conflict, InvalidInput, NotFound

from tests.intake.support import (
    cipher,
    counts,
    db_dump,
    fetch,
    link_key,
    outbox_events,
    report,
)

OPERATOR = Caller("operator-1", "operator")
SUPERVISOR = Caller("supervisor-1", "supervisor")
ADMIN = Caller("admin-1", "admin")


async def submit(pool: asyncpg.Pool, call_id: str, **changes: object) -> uuid.UUID:
    incident, _ = await submit_report(
        pool, cipher(), link_key(), report(call_id, **changes), actor="operator-1"
    )
    return incident.id


async def test_operators_see_the_incident_supervisors_also_the_people(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit(pool, "102-v1")
    seen = await view_incident(pool, cipher(), OPERATOR, incident_id)
    assert (seen.incident.status, seen.incident.district) == ("reported", "yesil")
    assert seen.personal is None
    assert [line.status for line in seen.timeline] == ["reported"]
    for caller in (SUPERVISOR, ADMIN):
        full = await view_incident(pool, cipher(), caller, incident_id)
        assert full.personal == {
            "caller_phone": "+77012345678",
            "caller_name": None,
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


async def test_the_callers_name_is_sealed_and_shown_only_to_supervisors(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit(pool, "102-caller", caller={"name": "Жанар\u200b Омарова"})
    assert (await view_incident(pool, cipher(), OPERATOR, incident_id)).personal is None
    full = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    assert full.personal is not None
    assert full.personal["caller_name"] == "Жанар Омарова"  # the shared line rules apply
    [event] = await outbox_events(database_url)
    assert "Жанар" not in event.model_dump_json()
    assert "Жанар" not in await db_dump(database_url)  # every table, the outbox included


async def test_a_missing_incident_is_not_found(pool: asyncpg.Pool) -> None:
    with pytest.raises(NotFound):
        await view_incident(pool, cipher(), OPERATOR, uuid.uuid4())
    with pytest.raises(NotFound):
        await triage_incident(pool, OPERATOR, uuid.uuid4(), district="nura", checklist=None)


async def test_incidents_are_listed_newest_first_a_page_at_a_time(
    pool: asyncpg.Pool, database_url: str
) -> None:
    made = []
    for n in range(5):
        changes: dict[str, object] = {"received_at": f"2026-11-0{n + 1}T10:00:00+05:00"}
        if n % 2:
            changes["district"] = None
        made.append(await submit(pool, f"102-p{n}", **changes))
    seen: list[uuid.UUID] = []
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        page, more = await list_incidents(
            pool, OPERATOR, status=None, district=None, since=None, after=after, limit=2
        )
        seen += [i.id for i in page]
        if not more:
            break
        after = (page[-1].received_at, page[-1].id)
    assert seen == made[::-1]
    waiting, _ = await list_incidents(
        pool, OPERATOR, status="awaiting_triage", district=None, since=None, after=None, limit=50
    )
    assert [i.id for i in waiting] == [made[3], made[1]]
    recent, more = await list_incidents(
        pool,
        OPERATOR,
        status=None,
        district="yesil",
        since=datetime.fromisoformat("2026-11-03T00:00:00+05:00"),
        after=None,
        limit=50,
    )
    assert ([i.id for i in recent], more) == ([made[4], made[2]], False)
    audits = await fetch(
        database_url, "SELECT detail FROM intake.audit_log WHERE action = $1", "incident.list"
    )
    assert json.loads(audits[-1]["detail"]) == {"count": 2, "status": None, "district": "yesil"}


async def test_triage_places_a_waiting_report_and_publishes_it_again(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit(pool, "102-t1", district=None)
    only_checklist, _ = await triage_incident(
        pool, OPERATOR, incident_id, district=None, checklist=Checklist(strangulation=True)
    )
    assert (only_checklist.status, only_checklist.risk_level) == ("awaiting_triage", "high")
    with pytest.raises(InvalidInput) as unknown:
        await triage_incident(pool, OPERATOR, incident_id, district="atlantis", checklist=None)
    assert unknown.value.field == "district"

    placed, lines = await triage_incident(
        pool, OPERATOR, incident_id, district="nura", checklist=None
    )
    assert (placed.status, placed.district, placed.district_source) == (
        "reported",
        "nura",
        "triage",
    )
    assert [line.status for line in lines] == ["awaiting_triage", "triaged", "triaged"]
    assert lines[-1].detail["published"] is True
    events = await outbox_events(database_url)
    # The rise is published at once (routing's supervisor holds the case), then the district.
    assert [(e.district, e.risk_level) for e in events] == [
        (None, "standard"),
        (None, "high"),
        ("nura", "high"),
    ]
    assert len({e.event_id for e in events}) == 3

    with pytest.raises(Conflict):
        await triage_incident(pool, OPERATOR, incident_id, district="yesil", checklist=None)
    audits = await fetch(
        database_url, "SELECT count(*) AS n FROM intake.audit_log WHERE action = 'incident.triage'"
    )
    assert audits[0]["n"] == 2
    assert (await counts(database_url, "outbox"))["outbox"] == 3
