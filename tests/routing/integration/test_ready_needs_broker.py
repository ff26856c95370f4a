"""Routing is not ready while the broker is down: it can do nothing without it.

Readiness means "can do my job" (issue 11). Routing's work comes from and goes to the
broker, so unlike intake's its readiness needs the broker too.
"""

from __future__ import annotations

import pytest
from qorgau_local.broker import free_port
from routing.main import create_app

from tests.harness import readiness, serving
from tests.routing.support import routing_settings

pytestmark = pytest.mark.integration


async def test_routing_is_unready_while_the_broker_is_down(routing_database: str) -> None:
    """Nothing listens at the bootstrap address: readiness is 503, postgres true, kafka
    false."""
    down = f"127.0.0.1:{free_port()}"
    settings = routing_settings(routing_database, down, kafka_start_timeout_s=1)
    async with serving(create_app(settings)) as app:
        ready = await readiness(app)
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"] == {"postgres": True, "kafka": False}
