"""The pages over fake intake and routing: roles, CSRF, personal data and its audit."""

from __future__ import annotations

import pytest

from tests.console.support import Console, account, console, log_in

AREAS = {
    "operator": ["/operator/new", "/operator/recent"],
    "supervisor": ["/board", "/roster", "/map", "/map/incidents.json"],
    "inspector": ["/cases"],
}
FORM = {
    "channel": "call_102",
    "call_id": "102-t-1",
    "caller_phone": "8 701 234 56 78",
    "victim_name": "Гүлнар Сейітқызы",
    "victim_phone": "8 702 000 11 22",
    "street": "ул. Сыганак",
    "house": "10",
    "narrative": "Муж угрожает ножом",
    "weapon": "on",
}


@pytest.fixture
async def c(database_url: str):  # type: ignore[no-untyped-def]
    async with console(database_url) as running:
        await account(running, "op", "operator")
        await account(running, "sup", "supervisor")
        await account(running, "insp", "inspector", officer_id="YSL-01")
        await account(running, "other", "inspector", officer_id="YSL-02")
        yield running


async def test_each_role_is_refused_the_others_pages(c: Console) -> None:
    for role, own in AREAS.items():
        async with c.client() as client:
            await log_in(client, {"operator": "op", "supervisor": "sup", "inspector": "insp"}[role])
            for area, paths in AREAS.items():
                for path in paths:
                    status = (await client.get(path)).status_code
                    assert status == (200 if area == role else 403), (role, path, status)
    async with c.client() as anonymous:
        assert (await anonymous.get("/board")).headers["location"] == "/login"


async def test_pages_forbid_inline_scripts(c: Console) -> None:
    async with c.client() as client:
        await log_in(client, "op")
        page = await client.get("/operator/new")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in page.text
    assert " onclick=" not in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_an_operator_files_a_report_and_then_sees_no_personal_field(c: Console) -> None:
    async with c.client() as client:
        csrf = await log_in(client, "op")
        refused = await client.post("/operator/new", data=FORM)
        assert refused.status_code == 403  # no CSRF token
        filed = await client.post("/operator/new", data={**FORM, "csrf": csrf})
        assert filed.status_code == 200
        sent = c.intake.submitted[0]
        assert sent["victim"]["name"] == "Гүлнар Сейітқызы"
        assert sent["checklist"]["weapon"]
        code = next(iter(c.world.cases.values())).summary.short_code
        assert code in filed.text
        recent = await client.get("/operator/recent")
        for page in (filed.text, recent.text):
            for personal in ("Гүлнар", "702 000", "ножом", "701 234"):
                assert personal not in page
        assert code in recent.text


async def test_errors_show_next_to_their_fields_in_the_users_language(c: Console) -> None:
    async with c.client() as client:
        csrf = await log_in(client, "op")
        await client.post("/language", data={"lang": "kk", "csrf": csrf, "back": "/operator/new"})
        page = await client.post("/operator/new", data={**FORM, "caller_phone": "12", "csrf": csrf})
    assert page.status_code == 422
    assert 'id="caller_phone-error" role="alert">' in page.text  # filled, not hidden
    assert 'aria-describedby="caller_phone-error" aria-invalid="true"' in page.text
    assert 'id="victim_phone-error" role="alert" hidden>' in page.text
    assert "Телефон нөмірін енгізіңіз" in page.text
    assert 'value="Гүлнар Сейітқызы"' in page.text  # what was typed is kept


async def test_an_inspector_sees_only_their_own_case_and_each_view_is_audited(c: Console) -> None:
    mine = c.world.add(officer_id="YSL-01")
    theirs = c.world.add(officer_id="YSL-02")
    async with c.client() as client:
        await log_in(client, "insp")
        listing = await client.get("/cases")
        assert mine.summary.short_code in listing.text
        assert theirs.summary.short_code not in listing.text
        assert (await client.get(f"/cases/{theirs.summary.incident_id}")).status_code == 404
        case = await client.get(f"/cases/{mine.summary.incident_id}")
        assert "+77011234567" in case.text
    views = await c.pool.fetch("SELECT incident_id, purpose FROM console.view_audit")
    assert [(str(v["incident_id"]), v["purpose"]) for v in views] == [
        (mine.summary.incident_id, "inspector.detail")
    ]
    assert c.world.personal_views == [mine.summary.incident_id]


async def test_an_inspector_acknowledges_and_resolves_through_routing(c: Console) -> None:
    case = c.world.add(officer_id="YSL-01")
    incident = case.summary.incident_id
    async with c.client() as client:
        csrf = await log_in(client, "insp")
        ack = await client.post(f"/cases/{incident}/acknowledge", data={"csrf": csrf})
        assert ack.headers["location"].endswith("result=done")
        assert case.status == "acknowledged"
        done = await client.post(
            f"/cases/{incident}/resolve", data={"csrf": csrf, "outcome": "protective_order_issued"}
        )
        assert done.headers["location"] == "/cases?result=done"
        assert case.status == "resolved"


async def test_not_available_yet_when_routing_lacks_the_reply_path(c: Console) -> None:
    c.world.replies_available = False
    case = c.world.add(officer_id="YSL-01")
    async with c.client() as client:
        csrf = await log_in(client, "insp")
        answer = await client.post(
            f"/cases/{case.summary.incident_id}/acknowledge", data={"csrf": csrf}
        )
        page = await client.get(answer.headers["location"])
    assert answer.headers["location"].endswith("result=not_available")
    assert "Пока недоступно" in page.text
    assert page.status_code == 200


async def test_a_supervisor_reassigns_and_resolves_a_district_less_case(c: Console) -> None:
    case = c.world.add(district=None, officer_id="SUP-01")
    incident = case.summary.incident_id
    async with c.client() as client:
        csrf = await log_in(client, "sup")
        board = await client.get("/board")
        assert case.summary.short_code in board.text
        assert "Без района" in board.text
        moved = await client.post(
            f"/incidents/{incident}/reassign",
            data={"csrf": csrf, "officer_id": "YSL-02", "reason": "ближе всех"},
        )
        assert moved.headers["location"].endswith("result=done")
        assert case.officer_id == "YSL-02"
        done = await client.post(
            f"/incidents/{incident}/resolve", data={"csrf": csrf, "outcome": "no_grounds_found"}
        )
        assert done.headers["location"].endswith("result=done")
        assert case.status == "resolved"


async def test_street_suggestions_and_their_absence(c: Console) -> None:
    async with c.client() as client:
        csrf = await log_in(client, "op")
        found = await client.post("/operator/streets", data={"street": "Сыг", "csrf": csrf})
        assert "ул. Сыганак" in found.text
        c.world.streets_available = False
        missing = await client.post("/operator/streets", data={"street": "Сыг", "csrf": csrf})
    assert missing.status_code == 200
    assert "пока недоступны" in missing.text


async def test_the_live_feed_wakes_a_watcher_on_a_change(c: Console) -> None:
    feed = c.app.state.feed
    async with feed.watching():
        first = (await feed.fresh()).version
        c.world.add()
        newer = await feed.wait_newer(first, timeout_s=5)
    assert newer is not None
    assert newer > first


async def test_probes(c: Console) -> None:
    async with c.client() as client:
        assert (await client.get("/health/live")).status_code == 200
        ready = await client.get("/health/ready")
        assert ready.json()["checks"] == {"postgres": True, "intake": True, "routing": True}
        c.world.up = False
        assert (await client.get("/health/ready")).status_code == 503
