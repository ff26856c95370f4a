"""Intake is ready while the broker is down: it accepts reports into its outbox meanwhile.

Readiness means "can do my job" (issue 11). Intake's job through a broker outage is to take
reports; making its readiness wait for Kafka turned every intake pod unready and sent
operators 503s during an outage.
"""

from __future__ import annotations

import asyncio

import pytest
from qorgau_local.broker import free_port

from tests.intake.support import AUTH, counts, report_body, running_intake

pytestmark = pytest.mark.integration


async def test_intake_is_ready_and_takes_reports_while_the_broker_is_down(
    database_url: str,
) -> None:
    """Nothing listens at the bootstrap address: intake serves at once (it does not wait for
    the broker's join bound), readiness is 200 with postgres true and kafka false, and a
    report is accepted and kept in the outbox."""
    down = f"127.0.0.1:{free_port()}"
    # The default join bound is 60 s: intake must not wait for it before it serves.
    async with asyncio.timeout(20), running_intake(database_url, down, joined=False) as (_, client):
        ready = await client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"postgres": True, "kafka": False}
        created = await client.post("/v1/reports", json=report_body("102-down"), headers=AUTH)
        assert created.status_code == 201, created.text
    assert (await counts(database_url, "incidents", "outbox")) == {"incidents": 1, "outbox": 1}
