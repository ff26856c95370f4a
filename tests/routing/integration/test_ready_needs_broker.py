"""Routing is not ready while the broker is down: it can do nothing without it.

Readiness means "can do my job" (issue 11). Routing's work comes from and goes to the
broker, so unlike intake's its readiness needs the broker too.
"""

from __future__ import annotations

import pytest
from qorgau_local.broker import free_port
from routing.config import RoutingSettings
from routing.main import create_app

from tests.harness import FAST_KAFKA, readiness, serving

pytestmark = pytest.mark.integration


async def test_routing_is_unready_while_the_broker_is_down(routing_database: str) -> None:
    """Nothing listens at the bootstrap address: readiness is 503, postgres true, kafka
    false."""
    settings = RoutingSettings(
        database_url=routing_database,
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
        kafka_start_timeout_s=1,
        **FAST_KAFKA,
    )
    async with serving(create_app(settings)) as app:
        ready = await readiness(app)
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"] == {"postgres": True, "kafka": False}
