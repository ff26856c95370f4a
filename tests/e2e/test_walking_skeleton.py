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

REPORT = {
    "channel": "call_111",
    "call_id": "111-e2e-0001",
    "caller_phone": "+7 701 234 56 78",
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
        " Ответ: 1 принял, 2 не могу"
    )
    assert sms.destination.startswith("+7700000")  # a demo Saraishyk inspector
    for personal in ("701", "крики"):
        assert personal not in sms.text

    assert await stack.interrupt() == 0
    assert "[qorgau] stopped; nothing of ours is left running" in stack.output
    for name, port in stack.ports.items():
        assert not port_in_use(port), f"{name} still listens on {port}"
