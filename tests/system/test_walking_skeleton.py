"""One report from an operator to an inspector's phone, through the real launcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from qorgau_local.broker import port_in_use
from qorgau_local.isolated import Isolated, launched
from qorgau_local.smsc import DevSmsc

from tests.harness import FAST_KAFKA

pytestmark = pytest.mark.e2e

# The caller's phone (every written form), the victim's name and words of the narrative.
PERSONAL = ("7012345678", "701 234 56 78", "Динара", "Жумабекова", "крики", "помощи")

REPORT = {
    "channel": "call_111",
    "call_id": "111-e2e-0001",
    "caller_phone": "+7 701 234 56 78",
    "victim": {"name": "Динара Жумабекова", "age_band": "30-44", "sex": "female"},
    "address": {"street": "пр. Мангилик Ел", "house": "55", "apartment": "12"},
    "district": "saraishyk",
    "checklist": {"danger_now": True},
    "narrative": "Соседи слышат крики, просят помощи.",
    "language": "ru",
}


@pytest.fixture
async def stack(
    database_url: str, docker_kafka: str | None, smsc: DevSmsc, tmp_path: Path
) -> AsyncIterator[Isolated]:
    env = {f"QORGAU_{key.upper()}": str(value) for key, value in FAST_KAFKA.items()}
    if docker_kafka:
        env["QORGAU_KAFKA_BOOTSTRAP_SERVERS"] = docker_kafka
    async with launched(database_url, smsc.port, tmp_path / "state", env) as stack:
        yield stack


async def test_a_report_reaches_the_inspector_and_ctrl_c_stops_everything(
    stack: Isolated, smsc: DevSmsc
) -> None:
    async with httpx.AsyncClient(base_url=stack.intake_url) as client:
        response = await client.post(
            "/v1/reports", json=REPORT, headers={"Authorization": "Bearer qorgau-dev-operator"}
        )
    assert response.status_code == 201, response.text
    code = response.json()["short_code"]

    sms = await smsc.wait_for(lambda s: code in s.text, within_s=10)
    assert sms.text == (
        f"Qorgau {code} СРОЧНО ВЫСОКИЙ риск. Сарайшык, пр. Мангилик Ел 55 кв 12."
        f" Ответ: 1 {code} принял, 2 {code} не могу"
    )
    assert sms.destination.startswith("+7700000")  # a demo Saraishyk inspector
    for personal in PERSONAL:
        assert personal not in sms.text

    assert await stack.interrupt() == 0
    assert "[qorgau] stopped; nothing of ours is left running" in stack.output
    for name, port in stack.ports.items():
        assert not port_in_use(port), f"{name} still listens on {port}"


async def test_no_personal_data_in_any_log_line(
    stack: Isolated, smsc: DevSmsc, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=stack.intake_url) as client:
        auth = {"Authorization": "Bearer qorgau-dev-operator"}
        accepted = await client.post("/v1/reports", json=REPORT, headers=auth)
        # A rejected report must not leak what it carried either.
        await client.post("/v1/reports", json={**REPORT, "district": "atlantis"}, headers=auth)
    code = accepted.json()["short_code"]
    await smsc.wait_for(lambda s: code in s.text, within_s=10)
    assert await stack.interrupt() == 0
    logs = sorted((tmp_path / "state" / "logs").glob("*.log"))
    assert {p.name for p in logs} >= {"intake.log", "routing.log", "notify.log"}
    lines = [line for p in logs for line in p.read_text().splitlines()] + stack.output
    assert any(code in line or accepted.json()["incident_id"] in line for line in lines)
    for personal in PERSONAL:
        leaking = [line for line in lines if personal in line]
        assert leaking == [], f"{personal!r} appears in logs"
