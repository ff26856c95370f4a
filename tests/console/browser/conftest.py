"""One stack per module, started the way `make run` starts it, and Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright
from qorgau_local.isolated import Isolated, launched
from qorgau_local.postgres import Postgres
from qorgau_local.smsc import DevSmsc

from tests import harness
from tests.harness import FAST_KAFKA

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
async def stack_db(pg: Postgres) -> AsyncIterator[str]:
    url = await harness.fresh_database(pg)
    yield url
    await harness.drop_database(pg, url)


@pytest.fixture(scope="module")
async def module_smsc() -> AsyncIterator[DevSmsc]:
    from qorgau_local.broker import free_port

    smsc = DevSmsc(port=free_port())
    smsc.behaviour.auto_reply_delay_s = 0.3
    await smsc.start()
    yield smsc
    await smsc.stop()


@pytest.fixture(scope="module")
async def stack(
    stack_db: str,
    docker_kafka: str | None,
    module_smsc: DevSmsc,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Isolated]:
    env = {f"QORGAU_{key.upper()}": str(value) for key, value in FAST_KAFKA.items()}
    env["QORGAU_CONSOLE_POLL_INTERVAL_S"] = "0.25"
    if docker_kafka:
        env["QORGAU_KAFKA_BOOTSTRAP_SERVERS"] = docker_kafka
    state = tmp_path_factory.mktemp("console-stack")
    async with launched(stack_db, module_smsc.port, state / "state", env) as running:
        running.state_dir = state / "state"  # type: ignore[attr-defined]
        running.database_url = stack_db  # type: ignore[attr-defined]
        yield running


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make browser` installs it"
    async with async_playwright() as p:
        found = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield found
        await found.close()


@pytest.fixture(scope="session")
def shots() -> Path | None:
    """`QORGAU_CONSOLE_SCREENSHOTS=docs/console` writes a screenshot of each main screen."""
    folder = os.environ.get("QORGAU_CONSOLE_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path
