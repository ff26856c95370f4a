"""One report → one trace across intake, routing and notify, and the counters move."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack

import asyncpg
import httpx
import pytest
from intake.main import create_app as intake_app
from notify.config import NotifySettings
from notify.main import create_app as notify_app
from opentelemetry.sdk.trace import ReadableSpan
from prometheus_client import REGISTRY
from qorgau_common.auth import create_token
from qorgau_local.smsc import DevSmsc
from routing.config import RoutingSettings
from routing.main import create_app as routing_app
from routing.seed import seed_demo

from tests.conftest import SPANS
from tests.harness import FAST_KAFKA, serving
from tests.intake.support import intake_settings

pytestmark = pytest.mark.integration

REPORT = {
    "channel": "call_102",
    "call_id": "102-trace-0001",
    "caller_phone": "+7 701 234 56 78",
    "address": {"street": "ул. Сыганак", "house": "10"},
    "district": "yesil",
    "narrative": "Тест трассировки.",
}


def attributes(span: ReadableSpan) -> Mapping[str, object]:
    assert span.attributes is not None, span.name  # the SDK gives every span its attributes
    return span.attributes


@pytest.fixture
async def intake(database_url: str, kafka: str, smsc: DevSmsc) -> AsyncIterator[httpx.AsyncClient]:
    await seed_demo(database_url, days=2)
    conn = await asyncpg.connect(database_url)
    await create_token(conn, "intake", "op", "operator", "trace-token")
    await conn.close()
    common = {"database_url": database_url, "kafka_bootstrap_servers": kafka, **FAST_KAFKA}
    intake = intake_app(intake_settings(database_url, kafka))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serving(routing_app(RoutingSettings(**common))))
        await stack.enter_async_context(
            serving(notify_app(NotifySettings(smpp_port=smsc.port, **common)))
        )
        await stack.enter_async_context(serving(intake))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=intake), base_url="http://intake"
        )
        yield await stack.enter_async_context(client)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_one_report_is_one_trace_through_the_three_services(
    intake: httpx.AsyncClient, smsc: DevSmsc
) -> None:
    published = sample(
        "qorgau_outbox_published_total", service="intake", topic="incident.reported.v1"
    )
    applied = sample(
        "qorgau_events_consumed_total",
        service="notify",
        topic="incident.assigned.v1",
        outcome="applied",
    )
    SPANS.clear()
    response = await intake.post(
        "/v1/reports", json=REPORT, headers={"Authorization": "Bearer trace-token"}
    )
    assert response.status_code == 201, response.text
    code = response.json()["short_code"]
    await smsc.wait_for(lambda s: code in s.text, within_s=15)
    # The SMSC has the SMS before notify's send span ends (at the submit_sm_resp).
    async with asyncio.timeout(10):
        while not any(s.name == "sms send smpp" for s in SPANS.get_finished_spans()):
            await asyncio.sleep(0.01)

    spans = SPANS.get_finished_spans()
    server = next(s for s in spans if s.name == "POST /v1/reports" and s.parent is None)
    trace_id = server.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]
    services = {attributes(s).get("qorgau.service") for s in in_trace} - {None}
    names = {s.name for s in in_trace}
    assert services >= {"intake", "routing", "notify"}
    assert {
        "incident.reported.v1 publish",
        "incident.reported.v1 process",
        "incident.assigned.v1 publish",
        "incident.assigned.v1 process",
        "sms send smpp",
    } <= names
    # Nothing outside this trace claims to be part of this report's path.
    assert all(
        attributes(s).get("incident_id") in (None, response.json()["incident_id"]) for s in in_trace
    )
    assert (
        sample("qorgau_outbox_published_total", service="intake", topic="incident.reported.v1")
        == published + 1
    )
    assert (
        sample(
            "qorgau_events_consumed_total",
            service="notify",
            topic="incident.assigned.v1",
            outcome="applied",
        )
        == applied + 1
    )
