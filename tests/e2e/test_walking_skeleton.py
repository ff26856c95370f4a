"""One report from an operator to an inspector's phone, through the real launcher."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from qorgau_local.broker import free_port, port_in_use
from qorgau_local.smsc import DevSmsc
from qorgau_local.stack import READY_LINE

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


@dataclass
class Launched:
    proc: asyncio.subprocess.Process
    ports: dict[str, int]
    output: list[str] = field(default_factory=list)


async def _collect(proc: asyncio.subprocess.Process, lines: list[str]) -> None:
    assert proc.stdout is not None
    async for raw in proc.stdout:
        lines.append(raw.decode(errors="replace").rstrip())


@pytest.fixture
async def smsc() -> AsyncIterator[DevSmsc]:
    smsc = DevSmsc(port=free_port())
    await smsc.start()
    yield smsc
    await smsc.stop()


@pytest.fixture
async def stack(
    database_url: str, docker_kafka: str | None, smsc: DevSmsc, tmp_path: Path
) -> AsyncIterator[Launched]:
    ports = {name: free_port() for name in ("intake", "routing", "notify", "kafka")}
    env = {
        **os.environ,
        "QORGAU_DATABASE_URL": database_url,
        "QORGAU_LOCAL_STATE_DIR": str(tmp_path / "state"),
        "QORGAU_LOCAL_SMSC": "false",
        "QORGAU_NOTIFY_SMPP_PORT": str(smsc.port),
        **{f"QORGAU_LOCAL_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        **{f"QORGAU_{key.upper()}": str(value) for key, value in FAST_KAFKA.items()},
    }
    if docker_kafka:
        env["QORGAU_KAFKA_BOOTSTRAP_SERVERS"] = docker_kafka
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qorgau_local",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    launched = Launched(proc, ports)
    reader = asyncio.create_task(_collect(proc, launched.output))
    try:
        async with asyncio.timeout(120):
            while READY_LINE not in launched.output:
                assert proc.returncode is None, "\n".join(launched.output)
                await asyncio.sleep(0.1)
        yield launched
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                async with asyncio.timeout(60):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
        reader.cancel()


async def test_a_report_reaches_the_inspector_and_ctrl_c_stops_everything(
    stack: Launched, smsc: DevSmsc
) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports['intake']}") as client:
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

    stack.proc.send_signal(signal.SIGINT)
    async with asyncio.timeout(60):
        assert await stack.proc.wait() == 0
    assert "[qorgau] stopped; nothing of ours is left running" in stack.output
    for name, port in stack.ports.items():
        assert not port_in_use(port), f"{name} still listens on {port}"
