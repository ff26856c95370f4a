"""Shared fixtures. Integration and e2e tests use real PostgreSQL and a real broker."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.postgres import Postgres
from qorgau_local.procs import stop_process
from qorgau_local.smsc import DevSmsc

from tests import harness

# Parallel workers (pytest-xdist) each take their own port lane (see qorgau_local.broker).
if (_worker := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    os.environ.setdefault("QORGAU_PORT_LANE", _worker.removeprefix("gw"))

# One tracer provider for the whole session (it can be set only once per process); services
# started in-process keep it, and tests read their spans from SPANS.
SPANS = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(SPANS))
trace.set_tracer_provider(_provider)

settings.register_profile(
    "qorgau", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("qorgau")


@pytest.fixture(scope="session")
def docker() -> bool:
    return harness.docker_available()


@pytest.fixture(scope="session")
async def pg(tmp_path_factory: pytest.TempPathFactory, docker: bool) -> AsyncIterator[Postgres]:
    with contextlib.ExitStack() as stack:
        if docker and not os.environ.get("QORGAU_TEST_DATABASE_URL"):
            server = stack.enter_context(harness.docker_postgres())
        else:
            server = await harness.find_test_postgres(tmp_path_factory.mktemp("pgdata"))
        yield server
        await harness.finish_drops(server)
        server.stop()


@pytest.fixture
async def database_url(pg: Postgres) -> AsyncIterator[str]:
    url = await harness.fresh_database(pg)
    yield url
    await harness.drop_database(pg, url)


@pytest.fixture(scope="session")
def docker_kafka(docker: bool) -> Iterator[str | None]:
    if not docker:
        yield None
        return
    with harness.docker_kafka() as bootstrap:
        yield bootstrap


@pytest.fixture
async def kafka(docker_kafka: str | None, tmp_path: Path) -> AsyncIterator[str]:
    if docker_kafka is not None:
        await harness.reset_topics(docker_kafka)
        yield docker_kafka
        return
    async with harness.tansu(tmp_path) as bootstrap:
        yield bootstrap


@pytest.fixture
def empty_broker(tmp_path: Path) -> Iterator[str]:
    """A fresh broker on which no topic was created (unlike the `kafka` fixture)."""
    port = free_port()
    proc = start_tansu(port, tmp_path / "tansu.log")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(proc, timeout=5)


@pytest.fixture
async def smsc() -> AsyncIterator[DevSmsc]:
    """A development SMSC on a free port, owned by the test."""
    smsc = DevSmsc(port=free_port())
    await smsc.start()
    yield smsc
    await smsc.stop()
