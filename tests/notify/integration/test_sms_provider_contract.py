"""One contract for every SMS provider, run against SMPP (the development SMSC), the HTTP
gateway (a local Mobizon-shaped server) and the in-package fake, as eventsourcing runs one
recorder suite against each recorder. Real TCP; no database, no broker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from notify.providers.base import CLAIM_LOST, Rejected, SmsProvider, Submitted
from notify.providers.fake import FakeProvider
from notify.providers.http_gateway import HttpGatewayConfig, HttpGatewayProvider
from notify.providers.smpp import SmppConfig, SmppProvider
from qorgau_local.broker import free_port
from qorgau_local.smsc import DevSmsc

from .support import gateway

pytestmark = pytest.mark.integration

PHONE = "+77000003001"
ALERT = "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 принял, 2 не могу"


@dataclass
class Harness:
    """A provider, how to see what reached phones, and how to make its far end misbehave."""

    provider: SmsProvider
    delivered: Callable[[], list[tuple[str, str]]]
    refuse_numbers: Callable[[], None]
    throttle: Callable[[], None]
    unreachable: Callable[[], contextlib.AbstractAsyncContextManager[SmsProvider]]


async def nothing(_: object) -> None:
    return None


async def no_reply(_: str, __: str) -> None:
    return None


@contextlib.asynccontextmanager
async def smpp_harness(smsc: DevSmsc) -> AsyncIterator[Harness]:
    def provider(port: int) -> SmppProvider:
        config = SmppConfig(
            "127.0.0.1", port, "qorgau", "qorgau", bind_wait_s=0.2, throttle_retries=1
        )
        return SmppProvider(config, on_receipt=nothing, on_reply=no_reply)

    @contextlib.asynccontextmanager
    async def unreachable() -> AsyncIterator[SmsProvider]:
        down = provider(free_port())
        await down.start()
        try:
            yield down
        finally:
            await down.stop()

    def refuse() -> None:
        smsc.behaviour.reject_destinations = frozenset({PHONE})

    def throttle() -> None:
        smsc.behaviour.throttle_next = 1_000

    smpp = provider(smsc.port)
    await smpp.start()
    assert await smpp.wait_bound(10), "the SMPP bind did not come up"
    try:
        yield Harness(
            smpp,
            lambda: [(s.destination, s.text) for s in smsc.received],
            refuse,
            throttle,
            unreachable,
        )
    finally:
        await smpp.stop()


@contextlib.asynccontextmanager
async def http_harness() -> AsyncIterator[Harness]:
    def provider(url: str) -> HttpGatewayProvider:
        return HttpGatewayProvider(HttpGatewayConfig(url, "test-key", rate_per_s=100))

    @contextlib.asynccontextmanager
    async def unreachable() -> AsyncIterator[SmsProvider]:
        down = provider(f"http://127.0.0.1:{free_port()}")
        await down.start()
        try:
            yield down
        finally:
            await down.stop()

    async with gateway() as gw:

        def refuse() -> None:
            gw.answer_code = 1

        def throttle() -> None:
            gw.status_code = 429

        http = provider(gw.url)
        await http.start()
        try:
            yield Harness(
                http,
                lambda: [(f"+{s['recipient']}", s["text"]) for s in gw.sent],
                refuse,
                throttle,
                unreachable,
            )
        finally:
            await http.stop()


@contextlib.asynccontextmanager
async def fake_harness() -> AsyncIterator[Harness]:
    fake = FakeProvider()

    @contextlib.asynccontextmanager
    async def unreachable() -> AsyncIterator[SmsProvider]:
        down = FakeProvider()
        down.refuse("down", "unavailable", times=10)
        yield down

    yield Harness(
        fake,
        lambda: [(s.phone, s.text) for s in fake.sent],
        lambda: fake.refuse("refused", "permanent", times=10),
        lambda: fake.refuse("throttled", "throttled", times=10),
        unreachable,
    )


@pytest.fixture(params=["smpp", "http", "fake"])
async def harness(request: pytest.FixtureRequest, smsc: DevSmsc) -> AsyncIterator[Harness]:
    if request.param == "smpp":
        async with smpp_harness(smsc) as h:
            yield h
    elif request.param == "http":
        async with http_harness() as h:
            yield h
    else:
        async with fake_harness() as h:
            yield h


async def test_an_alert_is_submitted_once_with_its_message_ids(harness: Harness) -> None:
    wire: list[int] = []

    async def on_wire() -> bool:
        wire.append(len(harness.delivered()))  # what had reached phones at that moment
        return True

    result = await harness.provider.send(PHONE, ALERT, on_wire)
    assert isinstance(result, Submitted)
    assert result.message_ids
    assert all(result.message_ids)
    assert wire == [0]  # asked once, before anything went out
    assert harness.delivered() == [(PHONE, ALERT)]
    assert harness.provider.healthy


async def test_a_lost_claim_sends_nothing(harness: Harness) -> None:
    async def claim_lost() -> bool:
        return False

    assert await harness.provider.send(PHONE, ALERT, claim_lost) is CLAIM_LOST
    assert harness.delivered() == []


async def test_a_refused_number_is_a_permanent_rejection(harness: Harness) -> None:
    harness.refuse_numbers()
    result = await harness.provider.send(PHONE, ALERT)
    assert isinstance(result, Rejected)
    assert (result.kind, result.retryable) == ("permanent", False)
    assert harness.delivered() == []


async def test_throttling_past_the_budget_is_reported_as_throttled(harness: Harness) -> None:
    harness.throttle()
    result = await harness.provider.send(PHONE, ALERT)
    assert isinstance(result, Rejected)
    assert (result.kind, result.retryable) == ("throttled", True)
    assert harness.delivered() == []


async def test_an_unreachable_provider_is_a_retryable_failure_and_unhealthy(
    harness: Harness,
) -> None:
    async with harness.unreachable() as down:
        result = await down.send(PHONE, ALERT)
        assert isinstance(result, Rejected)
        assert result.kind in ("unavailable", "error")
        assert result.retryable
        assert not down.healthy
