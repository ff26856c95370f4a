"""submit_report over real PostgreSQL: what is stored (encrypted), audited and put in the
outbox for `incident.reported.v1`, repeats, placement by the gazetteer, and linking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from intake.__main__ import SAMPLE_GAZETTEER
from intake.domain.report import ReportRejected
from intake.domain.streets import GazetteerFileError
from intake.usecases.load_gazetteer import load_gazetteer
from intake.usecases.submit_report import submit_report

from tests.intake.support import (
    cipher,
    counts,
    db_dump,
    fetch,
    link_key,
    outbox_events,
    report,
)

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
PERSONAL = ("+77012345678", "7012345678", "Айгерим", "+77051112233", "угрожает")


async def submit(pool: asyncpg.Pool, call_id: str, key: str | None = None, **changes: Any) -> Any:
    return await submit_report(
        pool,
        cipher(),
        link_key(),
        report(call_id, **changes),
        actor="operator-1",
        idempotency_key=key,
        now=NOW,
    )


async def test_a_report_is_stored_encrypted_audited_and_queued_for_routing(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident, created = await submit(pool, "102-0001", checklist={"weapon": True})
    assert created
    assert (incident.status, incident.district, incident.priority, incident.risk_level) == (
        "reported",
        "yesil",
        "high",
        "high",
    )
    [event] = await outbox_events(database_url)
    assert event.incident_id == incident.id
    assert (event.short_code, event.channel, event.received_at) == (
        incident.short_code,
        "call_102",
        NOW,
    )
    assert event.address_line == "ул. Сыганак 10 кв 5"
    assert "weapon" in event.risk_flags
    raw = event.model_dump_json()
    dump = await db_dump(database_url)
    for value in PERSONAL:
        assert value not in raw
        assert value not in dump
    audit = await fetch(database_url, "SELECT actor, action, incident_id FROM intake.audit_log")
    assert [tuple(a) for a in audit] == [("operator-1", "report.create", incident.id)]
    lines = await fetch(database_url, "SELECT status, detail FROM intake.incident_timeline")
    assert [line["status"] for line in lines] == ["reported"]
    assert '"district_source": "operator"' in lines[0]["detail"]


async def test_repeating_a_call_id_or_idempotency_key_creates_nothing_new(
    pool: asyncpg.Pool, database_url: str
) -> None:
    first, created = await submit(pool, "102-0001")
    again, created_again = await submit(pool, "102-0001")
    assert (created, created_again) == (True, False)
    assert again == first
    one, _ = await submit(pool, "102-0002", key="retry-7")
    two, created_two = await submit(pool, "102-0002", key="retry-7")
    assert not created_two
    assert two.id == one.id
    assert await counts(database_url, "incidents", "outbox", "audit_log") == {
        "incidents": 2,
        "outbox": 2,
        "audit_log": 2,
    }


async def test_a_report_without_a_district_waits_for_triage(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident, _ = await submit(pool, "102-0001", district=None)
    assert (incident.status, incident.district) == ("awaiting_triage", None)
    [event] = await outbox_events(database_url)
    assert (event.district, event.district_unresolved_reason) == (None, "no gazetteer loaded")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"district": "atlantis"}, "district", id="unknown-district"),
        pytest.param(
            {"received_at": (NOW + timedelta(minutes=6)).isoformat()}, "received_at", id="future"
        ),
    ],
)
async def test_a_rejected_report_changes_nothing(
    pool: asyncpg.Pool, database_url: str, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ReportRejected) as info:
        await submit(pool, "102-0001", **changes)
    assert info.value.field == field
    assert set((await counts(database_url)).values()) == {0}


async def test_sql_and_html_are_stored_as_plain_text(pool: asyncpg.Pool, database_url: str) -> None:
    street = "'); DROP TABLE intake.incidents; -- <script>alert(1)</script>"
    await submit(pool, "102-0001", address={"street": street, "house": "1"})
    [row] = await fetch(database_url, "SELECT address_line FROM intake.incidents")
    assert row["address_line"] == f"{street} 1"


async def load_sample(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        text = SAMPLE_GAZETTEER.read_text()
        version, rows = await load_gazetteer(conn, text, source="sample", loaded_by="test")
    assert rows > 0
    return version


async def test_a_report_without_a_district_is_placed_by_the_gazetteer(
    pool: asyncpg.Pool, database_url: str
) -> None:
    version = await load_sample(pool)
    placed, _ = await submit(
        pool, "102-g1", district=None, address={"street": "Сығанақ көшесі", "house": "3"}
    )
    assert (placed.status, placed.district) == ("reported", "yesil")
    assert (placed.district_source, placed.gazetteer_version) == ("gazetteer", version)
    unknown, _ = await submit(
        pool, "102-g2", district=None, address={"street": "ул. Несуществующая", "house": "1"}
    )
    assert (unknown.status, unknown.district) == ("awaiting_triage", None)
    events = {e.incident_id: e for e in await outbox_events(database_url)}
    assert events[unknown.id].district_unresolved_reason == "street not in the gazetteer"
    # Boundaries change: Shakarim avenue moved to Saraishyk in 2024.
    moved, _ = await submit(
        pool,
        "102-g3",
        district=None,
        address={"street": "проспект Шакарима", "house": "7"},
        received_at="2023-06-01T12:00:00+05:00",
    )
    assert moved.district == "almaty"


async def test_a_bad_gazetteer_file_loads_nothing(pool: asyncpg.Pool, database_url: str) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(GazetteerFileError) as info:
            await load_gazetteer(
                conn,
                "street,district,valid_from,valid_to\nул. А,yesil,2020-01-01,\nул. Б,mars,x,\n",
                source="bad.csv",
                loaded_by="test",
            )
    assert info.value.problems[0].startswith("line 3:")
    assert await counts(database_url, "gazetteer", "gazetteer_versions") == {
        "gazetteer": 0,
        "gazetteer_versions": 0,
    }


async def test_repeat_reports_are_linked_and_raise_the_risk(
    pool: asyncpg.Pool, database_url: str
) -> None:
    first, _ = await submit(pool, "102-l1", checklist={})
    assert first.risk_level == "standard"
    # Same flat written differently, another caller: linked by the address.
    same_place, _ = await submit(
        pool,
        "102-l2",
        caller_phone="+7 777 000 11 22",
        victim={},
        address={"street": "Сыганак улица", "house": " 10", "apartment": "5"},
    )
    # The earlier victim calls herself from another address: linked by the phone.
    same_person, _ = await submit(
        pool,
        "102-l3",
        caller_phone="8 705 111 22 33",
        victim={},
        address={"street": "пр. Туран", "house": "1"},
    )
    unrelated, _ = await submit(
        pool,
        "102-l4",
        caller_phone="+7 747 555 66 77",
        victim={},
        address={"street": "ул. Сыганак", "house": "10", "apartment": "6"},
    )
    assert same_place.risk_level == "medium"  # standard, raised by the repeat
    events = {e.incident_id: e for e in await outbox_events(database_url)}
    assert events[same_place.id].linked_incident_ids == (first.id,)
    assert first.id in events[same_person.id].linked_incident_ids
    assert "repeat" in events[same_person.id].risk_flags
    assert events[unrelated.id].linked_incident_ids == ()
    # Only keyed hashes are stored: no phone or street in the link table.
    dump = await db_dump(database_url, "incident_link_keys")
    assert "7012345678" not in dump
    assert "сыганак" not in dump.lower()


async def test_a_repeat_more_than_a_year_later_is_not_linked(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await submit(pool, "102-o1", received_at="2025-11-01T10:00:00+05:00")
    await submit(pool, "102-o2")
    assert all(e.linked_incident_ids == () for e in await outbox_events(database_url))


async def test_a_new_report_is_stored_in_four_statements(database_url: str) -> None:
    """No lookup before the insert: a repeat is found by the insert's conflict and an unknown
    district by its foreign key (a new report, the common case, pays nothing for either).
    The links' lookup, the insert (with its link keys and first timeline line), the audit
    line and the event."""
    statements: list[str] = []

    async def counted(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda record: statements.append(" ".join(record.query.split())))

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, init=counted)
    try:
        await submit(pool, "102-0007", key="k-7")
        statements.clear()  # the first one introspected the connection's types
        _, created = await submit(pool, "102-0008", key="k-8")
        assert created
        # Less BEGIN, COMMIT and a plain pool's reset query on release.
        ours = [
            s
            for s in statements
            if s.rstrip(";") not in ("BEGIN", "COMMIT") and "pg_advisory_unlock_all" not in s
        ]
        assert len(ours) == 4, "; ".join(s[:40] for s in ours)
        _, created = await submit(pool, "102-0008", key="k-8")  # found by the insert's conflict
        assert not created
    finally:
        await pool.close()
