"""Round 2 of the console over fake intake and routing: the roster changed by a supervisor,
several cards reassigned at once, the caller's name, inline checks, compressed pages."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.console.support import Console, account, console, log_in


@pytest.fixture
async def c(database_url: str):  # type: ignore[no-untyped-def]
    async with console(database_url) as running:
        await account(running, "op", "operator")
        await account(running, "sup", "supervisor")
        yield running


async def audited(c: Console) -> list[tuple[str, str, str]]:
    rows = await c.pool.fetch(
        "SELECT action, subject, result FROM console.action_audit ORDER BY id"
    )
    return [(r["action"], r["subject"], r["result"]) for r in rows]


async def test_a_supervisor_sets_an_officers_status_audited(c: Console) -> None:
    async with c.client() as client:
        csrf = await log_in(client, "sup")
        assert (
            await client.post("/roster/YSL-02/status", data={"status": "busy"})
        ).status_code == 403
        done = await client.post("/roster/YSL-02/status", data={"status": "busy", "csrf": csrf})
        assert done.status_code == 303
        assert done.headers["location"] == "/roster?done=YSL-02#officer-YSL-02"
        page = await client.get(done.headers["location"])
        unknown = await client.post("/roster/NOPE-9/status", data={"status": "off", "csrf": csrf})
    assert next(o for o in c.world.officers if o.id == "YSL-02").status == "busy"
    assert re.search(r'id="status-YSL-02".*?<option value="busy" selected>', page.text, re.S)
    assert unknown.status_code == 422
    assert 'id="problem-NOPE-9"' not in unknown.text  # no row for it: shown on no row
    assert await audited(c) == [
        ("officer.status", "YSL-02", "done"),
        ("officer.status", "NOPE-9", "refused"),
    ]


async def test_shifts_are_added_for_tomorrow_and_removed_errors_inline(c: Console) -> None:
    c.world.shifts = []
    form = {"day": "tomorrow", "starts": "20:00", "ends": "08:00"}
    async with c.client() as client:
        csrf = await log_in(client, "sup")
        added = await client.post("/roster/YSL-01/shifts", data={**form, "csrf": csrf})
        assert added.status_code == 303, added.text
        overlap = await client.post(
            "/roster/YSL-01/shifts", data={**form, "starts": "22:00", "csrf": csrf}
        )
        assert overlap.status_code == 422
        assert 'id="problem-YSL-01"' in overlap.text
        assert "пересекается с другой сменой" in overlap.text
        bad = await client.post(
            "/roster/YSL-01/shifts", data={**form, "ends": "20:00", "csrf": csrf}
        )
        assert "Смена должна закончиться позже" in bad.text
        assert c.world.shifts is not None
        [shift] = c.world.shifts
        removed = await client.post(f"/roster/YSL-01/shifts/{shift.id}/remove", data={"csrf": csrf})
        assert removed.status_code == 303
        again = await client.post(f"/roster/YSL-01/shifts/{shift.id}/remove", data={"csrf": csrf})
        assert "routing не знает" in again.text
    tomorrow = (datetime.now(UTC) + timedelta(hours=5)).date() + timedelta(days=1)
    assert (shift.starts_at.date(), shift.starts_at.hour, shift.ends_at.hour) == (tomorrow, 20, 8)
    assert shift.ends_at - shift.starts_at == timedelta(hours=12)
    assert c.world.shifts == []
    assert [a[2] for a in await audited(c)] == ["done", "refused", "done", "refused"]


async def test_several_cards_go_to_one_officer_each_with_its_result(c: Console) -> None:
    first, second, gone = (c.world.add(officer_id=None) for _ in range(3))
    c.world.set_status(gone.summary.incident_id, "resolved")
    chosen = [x.summary.incident_id for x in (first, second, gone)]
    async with c.client() as client:
        csrf = await log_in(client, "sup")
        board = await client.get("/board")
        assert f'value="{first.summary.incident_id}" form="bulk"' in board.text
        empty = await client.post(
            "/board/reassign", data={"csrf": csrf, "officer_id": "YSL-02", "reason": "рядом"}
        )
        assert empty.status_code == 422
        assert 'id="bulk-error"' in empty.text
        done = await client.post(
            "/board/reassign",
            data={"csrf": csrf, "officer_id": "YSL-02", "reason": "ближе", "incident_ids": chosen},
        )
    assert done.status_code == 200
    results = dict(re.findall(r'data-incident="([^"]+)" data-result="(\w+)"', done.text))
    assert results == dict(zip(chosen, ["done", "done", "conflict"], strict=True))
    assert (first.officer_id, second.officer_id) == ("YSL-02", "YSL-02")
    assert [a[2] for a in await audited(c)] == ["done", "done", "conflict"]


async def test_the_callers_name_reaches_intake_and_is_not_shown_after_filing(c: Console) -> None:
    form = {
        "channel": "call_102",
        "call_id": "102-caller-1",
        "caller_phone": "8 701 234 56 78",
        "caller_name": "Жанар\u200b Омарова",
        "street": "ул. Сыганак",
        "narrative": "Крики за стеной",
    }
    async with c.client() as client:
        csrf = await log_in(client, "op")
        new = await client.get("/operator/new")
        assert 'for="caller_name"' in new.text
        filed = await client.post("/operator/new", data={**form, "csrf": csrf})
    assert filed.status_code == 200
    assert c.intake.submitted[0]["caller"] == {"name": "Жанар Омарова"}
    assert "Жанар" not in filed.text


async def test_the_inline_check_answers_for_the_fields_left_in_the_users_language(
    c: Console,
) -> None:
    async with c.client() as client:
        csrf = await log_in(client, "op")
        await client.post("/language", data={"lang": "kk", "csrf": csrf, "back": "/"})
        answer = await client.post(
            "/operator/check",
            data={
                "csrf": csrf,
                "fields": "caller_phone,caller_name,narrative,call_id,bogus",
                "caller_phone": "12",
                "caller_name": "Жанар\nОмарова",
                "narrative": "\u200b",
                "call_id": "102-1",
            },
        )
    assert answer.status_code == 200
    errors = answer.json()["errors"]
    assert errors == {
        "caller_phone": "Телефон нөмірін енгізіңіз, мысалы 8 701 234 56 78.",
        "caller_name": "Көрінбейтін басқару таңбаларын алып тастаңыз (бір жол, жол ауыстырусыз).",
        "narrative": errors["narrative"],
        "call_id": "",
    }
    assert errors["narrative"]
    assert c.intake.submitted == []  # intake is not called


async def test_pages_are_compressed_and_the_live_stream_is_not(c: Console) -> None:
    for n in range(30):
        c.world.add(district=("yesil", None)[n % 2])
    async with c.client() as client:
        await log_in(client, "sup")
        plain = await client.get("/board", headers={"Accept-Encoding": "identity"})
        packed = await client.get("/board", headers={"Accept-Encoding": "gzip"})
        css = await client.get("/static/console.css", headers={"Accept-Encoding": "gzip"})
        await c.app.state.feed.close()  # the stream ends after its first event
        stream = await client.get("/events", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert css.headers["content-encoding"] == "gzip"
    assert len(packed.content) == len(plain.content)  # httpx decodes it
    assert len(gzip.compress(plain.content)) < len(plain.content) / 4
    assert "content-encoding" not in stream.headers
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert "event: changed" in stream.text
    assert json.dumps(stream.headers.get("cache-control")) == '"no-store"'
