"""Notify is not ready while the broker is down: its alerts come through the broker.

Readiness means "can do my job" (issue 11). Notify takes its assignments from the broker
and reports every status on it, so unlike intake's its readiness needs the broker too.
"""

from __future__ import annotations

import pytest
from notify.main import create_app
from qorgau_local.broker import free_port
from qorgau_local.smsc import DevSmsc

from tests.harness import readiness, serving

from .support import settings

pytestmark = pytest.mark.integration


async def test_notify_is_unready_while_the_broker_is_down(database_url: str, smsc: DevSmsc) -> None:
    """Nothing listens at the bootstrap address: readiness is 503, postgres true, kafka
    false."""
    down = f"127.0.0.1:{free_port()}"
    config = settings(database_url, down, smsc.port, kafka_start_timeout_s=1)
    async with serving(create_app(config)) as app:
        ready = await readiness(app)
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"] == {"postgres": True, "kafka": False}
