"""Input edges at the use-case level: the gazetteer's day is Astana's, street keys and
address links survive decomposed Unicode and invisible characters."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import asyncpg
from intake.usecases.load_gazetteer import load_gazetteer
from intake.usecases.submit_report import submit_report

from tests.intake.support import cipher, link_key, report

# 02:00 on 1 March 2026 in Astana is still 28 February in UTC.
EARLY_MORNING = datetime(2026, 2, 28, 21, 0, tzinfo=UTC)
MOVED = """street,district,valid_from,valid_to
ул. Сыганак,yesil,2018-01-01,2026-03-01
ул. Сыганак,nura,2026-03-01,
ул. Кенесары,saryarka,2018-01-01,
"""


async def submit(pool: asyncpg.Pool, call_id: str, **changes: object) -> object:
    incident, _ = await submit_report(
        pool,
        cipher(),
        link_key(),
        report(call_id, district=None, received_at=EARLY_MORNING, **changes),
        actor="operator-1",
        now=EARLY_MORNING,
    )
    return incident


async def test_the_gazetteer_day_is_the_day_in_astana(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await load_gazetteer(conn, MOVED, source="test", loaded_by="test")
    incident = await submit(pool, "102-0001")
    assert incident.district == "nura"  # type: ignore[attr-defined]


async def test_decomposed_and_invisible_characters_still_find_the_street_and_the_link(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await load_gazetteer(conn, MOVED, source="test", loaded_by="test")
    typed = {"street": "ул. Кенесары", "house": "1", "apartment": "2"}
    first = await submit(pool, "102-0001", address=typed)
    pasted = {
        "street": unicodedata.normalize("NFD", "ул. Ке\u200bне\u2066сары"),
        "house": "1\u200d",
        "apartment": "\u202a2",
    }
    again = await submit(pool, "102-0002", address=pasted, caller_phone="8 702 000 00 01")
    assert again.district == "saryarka"  # type: ignore[attr-defined]
    assert again.address_line == first.address_line  # type: ignore[attr-defined]
    assert again.linked_incident_ids == (first.id,)  # type: ignore[attr-defined]
