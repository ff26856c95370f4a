"""The officer's answer is the truth: each scenario of issue 10 through the real stack.

One stack for the module (scenarios share it, each with its own incidents); a development
SMSC owned by the test plays the officers' phones. Deadlines are short for high priority so
a case moves on within seconds; drills have no provider (never sent).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from qorgau_common.auth import create_token
from qorgau_common.db import create_pool
from qorgau_local.broker import free_port
from qorgau_local.isolated import Isolated, launched
from qorgau_local.postgres import Postgres
from qorgau_local.smsc import DevSmsc, Sms

from tests import harness
from tests.harness import FAST_KAFKA

pytestmark = pytest.mark.e2e

OPERATOR = {"Authorization": "Bearer qorgau-dev-operator"}
DUTY = {"Authorization": "Bearer e2e-duty-token"}
HIGH_DEADLINE_S = 5


@dataclass
class World:
    stack: Isolated
    smsc: DevSmsc
    intake: httpx.AsyncClient
    routing: httpx.AsyncClient

    async def report(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "channel": "call_102",
            "call_id": f"102-e2e-{uuid.uuid4().hex[:12]}",
            "address": {"street": "ул. Сыганак", "house": "10"},
            "district": "yesil",
            "language": "ru",
            "caller_phone": "+7 701 234 56 78",
            "narrative": "Соседи слышат крики.",
            **changes,
        }
        response = await self.intake.post("/v1/reports", json=body, headers=OPERATOR)
        assert response.status_code == 201, response.text
        accepted: dict[str, Any] = response.json()
        return accepted

    async def sms(self, predicate: Callable[[Sms], bool], within_s: float = 15) -> Sms:
        return await self.smsc.wait_for(predicate, within_s=within_s)

    async def alert_for(self, code: str) -> Sms:
        return await self.sms(lambda s: s.text.startswith(f"Qorgau {code} "))

    async def reply(self, phone: str, text: str) -> None:
        await self.smsc.send_reply(phone, text)

    async def entry(self, incident_id: str) -> dict[str, Any]:
        board = (await self.routing.get("/v1/board", headers=DUTY)).json()
        entry: dict[str, Any]
        (entry,) = [e for e in board["open"] if e["incident_id"] == incident_id] or [{}]
        return entry

    async def incident(self, incident_id: str) -> dict[str, Any]:
        response = await self.intake.get(f"/v1/incidents/{incident_id}", headers=OPERATOR)
        assert response.status_code == 200, response.text
        seen: dict[str, Any] = response.json()
        return seen

    async def officer_of(self, phone: str) -> str:
        officers = (await self.routing.get("/v1/officers", headers=DUTY)).json()
        (officer,) = [o["id"] for o in officers if o["phone"] == phone]
        return str(officer)

    async def give(self, incident_id: str, officer_id: str) -> None:
        response = await self.routing.post(
            f"/v1/incidents/{incident_id}/reassign",
            json={"officer_id": officer_id, "reason": "e2e: one officer, two cases"},
            headers=DUTY,
        )
        assert response.status_code == 200, response.text


async def eventually(check: Callable[[], Any], what: str, within_s: float = 15) -> Any:
    """Poll `check` until it returns something truthy, or fail saying `what`."""
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > end:
            raise AssertionError(f"not within {within_s} s: {what}")
        await asyncio.sleep(0.2)


@pytest.fixture(scope="module")
async def world(pg: Postgres, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    url = await harness.fresh_database(pg)
    smsc = DevSmsc(port=free_port())
    await smsc.start()
    env = {f"QORGAU_{key.upper()}": str(value) for key, value in FAST_KAFKA.items()}
    env |= {
        "QORGAU_ROUTING_ACK_DEADLINE_HIGH_S": str(HIGH_DEADLINE_S),
        "QORGAU_NOTIFY_EXERCISE_PROVIDER": "none",
    }
    try:
        async with launched(url, smsc.port, tmp_path_factory.mktemp("state"), env) as stack:
            pool = await create_pool(url, max_size=1)
            async with pool.acquire() as conn:
                await create_token(conn, "routing", "e2e-duty", "supervisor", "e2e-duty-token")
            await pool.close()
            routing_url = f"http://127.0.0.1:{stack.ports['routing']}"
            async with (
                httpx.AsyncClient(base_url=stack.intake_url, timeout=10) as intake,
                httpx.AsyncClient(base_url=routing_url, timeout=10) as routing,
            ):
                yield World(stack, smsc, intake, routing)
    finally:
        await smsc.stop()
        await harness.drop_database(pg, url)


async def test_a_bare_reply_with_two_cases_asks_for_the_code_then_code_then_close(
    world: World,
) -> None:
    first = await world.report()
    officer_phone = (await world.alert_for(first["short_code"])).destination
    second = await world.report()
    await world.alert_for(second["short_code"])
    await world.give(second["incident_id"], await world.officer_of(officer_phone))
    await world.sms(
        lambda s: (
            s.destination == officer_phone and s.text.startswith(f"Qorgau {second['short_code']} ")
        )
    )
    mine = {first["short_code"], second["short_code"]}

    await world.reply(officer_phone, "1")
    asked = await world.sms(lambda s: s.destination == officer_phone and "Укажите код" in s.text)
    assert all(code in asked.text for code in mine), asked.text
    assert (await world.entry(first["incident_id"]))["assignment_status"] == "open"

    await world.reply(officer_phone, f"1 {first['short_code']}")
    confirmed = await world.sms(lambda s: s.text.startswith(f"Принято: {first['short_code']}"))
    assert confirmed.text == f"Принято: {first['short_code']}, Есиль, ул. Сыганак 10"

    async def acknowledged() -> bool:
        entry = await world.entry(first["incident_id"])
        seen = await world.incident(first["incident_id"])
        return entry.get("status") == "acknowledged" and seen["status"] == "acknowledged"

    await eventually(acknowledged, "routing's board and intake show the acknowledgement")
    assert (await world.entry(second["incident_id"]))["assignment_status"] == "open"

    await world.reply(officer_phone, f"3 {first['short_code']} ЗП")
    await world.sms(lambda s: s.text.startswith(f"Закрыто: {first['short_code']}, итог ЗП"))

    async def resolved() -> bool:
        seen = await world.incident(first["incident_id"])
        return seen["status"] == "resolved" and not await world.entry(first["incident_id"])

    await eventually(resolved, "intake shows the case resolved; it left routing's board")
    seen = await world.incident(first["incident_id"])
    lines = [line["status"] for line in seen["timeline"]]
    assert "assignment_acknowledged" in lines
    assert lines[-1] in ("resolved", "assignment_resolved")


async def test_a_late_reply_after_the_case_moved_gets_an_honest_answer(world: World) -> None:
    case = await world.report(district="almaty", checklist={"weapon": True})  # moves on after 5 s
    code = case["short_code"]
    first = (await world.alert_for(code)).destination
    await world.sms(
        lambda s: s.text.startswith(f"Qorgau {code} ") and s.destination not in (first,)
        and not s.destination.startswith("+770000099"),
        within_s=HIGH_DEADLINE_S + 15,
    )  # fmt: skip
    await world.reply(first, f"1 {code}")
    honest = await world.sms(lambda s: s.destination == first and "передано другому" in s.text)
    assert honest.text.startswith(f"{code} передано другому сотруднику")
    entry = await world.entry(case["incident_id"])
    assert entry["status"] == "assigned"
    assert entry["officer_id"] != await world.officer_of(first)

    async def expired() -> list[dict[str, Any]]:
        seen = await world.incident(case["incident_id"])
        return [line for line in seen["timeline"] if line["status"] == "assignment_expired"]

    lines = await eventually(expired, "intake's timeline shows why the first attempt moved on")
    assert lines[0]["detail"]["reason"] == "ack deadline missed"
    assert (await world.incident(case["incident_id"]))["status"] == "assigned"


async def test_a_supervisors_reply_goes_to_their_case_not_to_a_notice(world: World) -> None:
    moving = await world.report(district="baikonyr", checklist={"weapon": True})
    notice = await world.sms(
        lambda s: (
            s.text.startswith(f"Qorgau {moving['short_code']} ")
            and s.destination.startswith("+770000099")
        ),
        within_s=HIGH_DEADLINE_S + 15,
    )
    boss = notice.destination
    own = await world.report(district=None)
    await world.alert_for(own["short_code"])
    entry = await world.entry(own["incident_id"])
    if entry["officer_id"] != await world.officer_of(boss):
        await world.give(own["incident_id"], await world.officer_of(boss))
    await world.sms(
        lambda s: s.destination == boss and s.text.startswith(f"Qorgau {own['short_code']} ")
    )
    # Then a notice reaches the supervisor after their own case: the newest alert on their
    # phone is a notice (the old matching took the newest, so "1" went to the notice).
    later = await world.report(district="baikonyr", checklist={"weapon": True})
    await world.sms(
        lambda s: s.destination == boss and s.text.startswith(f"Qorgau {later['short_code']} "),
        within_s=HIGH_DEADLINE_S + 15,
    )
    await world.reply(boss, "1")
    await world.sms(
        lambda s: s.destination == boss and s.text.startswith(f"Принято: {own['short_code']}")
    )
    await eventually(
        lambda: _status(world, own["incident_id"], "acknowledged"), "the supervisor's case accepted"
    )
    assert (await world.entry(moving["incident_id"]))["status"] == "assigned"


async def test_a_drill_never_sent_does_not_take_a_real_reply(world: World) -> None:
    real = await world.report(district="saryarka")
    phone = (await world.alert_for(real["short_code"])).destination
    drill = await world.report(district="saryarka", exercise=True)
    await eventually(lambda: _assigned(world, drill["incident_id"]), "routing assigned the drill")
    await world.give(drill["incident_id"], await world.officer_of(phone))
    await world.reply(phone, "1")
    await world.sms(
        lambda s: s.destination == phone and s.text.startswith(f"Принято: {real['short_code']}")
    )
    await eventually(
        lambda: _status(world, real["incident_id"], "acknowledged"), "real case accepted"
    )
    assert not any(drill["short_code"] in s.text for s in world.smsc.received)


async def test_triage_finding_a_district_moves_the_case_from_the_supervisor(world: World) -> None:
    case = await world.report(district=None, address={"street": "нет такой улицы", "house": "1"})
    supervisor = (await world.alert_for(case["short_code"])).destination
    assert supervisor.startswith("+770000099")
    response = await world.intake.patch(
        f"/v1/incidents/{case['incident_id']}/triage", json={"district": "nura"}, headers=OPERATOR
    )
    assert response.status_code == 200, response.text
    inspector = await world.sms(
        lambda s: s.text.startswith(f"Qorgau {case['short_code']} ") and s.destination != supervisor
    )
    assert "Нура" in inspector.text
    entry = await world.entry(case["incident_id"])
    assert (entry["district"], entry["attempt"]) == ("nura", 2)


async def test_a_priority_rise_shortens_the_deadline_and_tells_the_officer(world: World) -> None:
    case = await world.report(district="saraishyk")  # standard: 15 minutes
    code = case["short_code"]
    phone = (await world.alert_for(code)).destination
    before = (await world.entry(case["incident_id"]))["ack_deadline"]
    response = await world.intake.patch(
        f"/v1/incidents/{case['incident_id']}/triage",
        json={"checklist": {"danger_now": True}},
        headers=OPERATOR,
    )
    assert response.status_code == 200, response.text
    update = await world.sms(
        lambda s: s.destination == phone and s.text.startswith(f"Qorgau {code}: ")
    )
    assert "риск ВЫСОКИЙ" in update.text, update.text
    assert "СРОЧНО" in update.text, update.text

    async def shorter() -> bool:
        return bool((await world.entry(case["incident_id"]))["ack_deadline"] < before)

    await eventually(shorter, "routing shortened the open deadline")


async def _status(world: World, incident_id: str, status: str) -> bool:
    return bool((await world.incident(incident_id))["status"] == status)


async def _assigned(world: World, incident_id: str) -> bool:
    return bool((await world.entry(incident_id)).get("officer_id"))
