"""The service's link to the broker: joined within a bound, joined again afresh, topics kept.

A broker that is down, or a group join that stalls (seen on Tansu), must not keep a service
from working: the outbox keeps what it must publish, and the link tries again with a fresh
consumer until it is in. Topics the broker lost (a restart of the memory-only development
broker) are created again at start, every 30 s, and when a send finds one missing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError
from faststream.kafka import KafkaBroker
from prometheus_client import Gauge

from .kafka import ensure_topics
from .outbox import OutboxMessage
from .positions import rewind_past_log_end
from .settings import ServiceSettings

__all__ = ["BROKER_UP", "BrokerLink"]

log = structlog.get_logger(__name__)

BROKER_STOP_S = 25.0
_TOPIC_CHECK_S = 30.0
_POSITION_CHECK_S = 5.0

BROKER_UP = Gauge(
    "qorgau_broker_up", "1 while the service's broker connection answers", ["service"]
)


class BrokerLink:
    def __init__(
        self, settings: ServiceSettings, service: str, build: Callable[[], KafkaBroker]
    ) -> None:
        self._settings = settings
        self._service = service
        self._build = build
        self.broker: KafkaBroker | None = None
        # Set when a consumer found its position past the log end: the broker lost its log,
        # and with it whatever of ours it had not delivered yet.
        self.log_lost = asyncio.Event()
        self._highwaters: dict[TopicPartition, int] = {}  # the last seen, per partition
        self.on_joined: list[Callable[[], None]] = []  # told each time a join succeeds

    async def join(self) -> bool:
        """Create missing topics, then start a fresh broker within the start timeout."""
        broker = self._build()
        bound = self._settings.kafka_start_timeout_s
        try:
            await asyncio.wait_for(self.ensure_topics(), bound)
            await asyncio.wait_for(broker.start(), bound)
        except Exception as exc:
            log.warning("cannot join the broker", error=repr(exc))
            # Said at once: a service started while the broker is down must alert too.
            BROKER_UP.labels(self._service).set(0)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(broker.stop(), BROKER_STOP_S)
            return False
        self.broker = broker
        BROKER_UP.labels(self._service).set(1)
        for joined in self.on_joined:
            joined()
        return True

    async def keep(self) -> None:
        """Until cancelled: join if not joined; recreate topics the broker lost; read again
        a partition whose log the broker lost (see `positions`)."""
        delay = 1.0
        since_topics = _TOPIC_CHECK_S
        while True:
            if self.broker is None:
                delay = 1.0 if await self.join() else min(delay * 2, 30.0)
                since_topics = 0.0
            else:
                await self.rewind_lost_positions()
                up = await self.ping()  # every round: a lost broker shows within seconds
                BROKER_UP.labels(self._service).set(1 if up else 0)
                if up and since_topics >= _TOPIC_CHECK_S:
                    since_topics = 0.0
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(self.ensure_topics(), 10)
            pause = delay if self.broker is None else _POSITION_CHECK_S
            await asyncio.sleep(pause)
            since_topics += pause

    async def rewind_lost_positions(self) -> None:
        if self.broker is None:
            return
        for subscriber in self.broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is not None:
                with contextlib.suppress(Exception):
                    if await rewind_past_log_end(consumer, self._service, self._highwaters):
                        self.log_lost.set()

    async def ping(self) -> bool:
        if self.broker is None:
            return False
        with contextlib.suppress(Exception):
            return bool(await self.broker.ping(timeout=2))
        return False

    async def ensure_topics(self) -> None:
        created = await ensure_topics(self._settings.kafka_bootstrap_servers)
        if created:
            log.warning("topics were missing and are created again", topics=created)

    async def send(self, message: OutboxMessage) -> Awaitable[object]:
        """Hand an outbox row to the producer; the delivery future resolves on the ack."""
        if self.broker is None:
            raise ConnectionError("the broker is not joined yet")
        delivery: Awaitable[object] = await self.broker.publish(
            message.payload,
            topic=message.topic,
            key=message.key,
            headers=message.headers,
            no_confirm=True,
        )
        return delivery

    async def on_send_failure(self, error: BaseException) -> None:
        if isinstance(error, UnknownTopicOrPartitionError | KafkaTimeoutError):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ensure_topics(), 10)

    async def stop(self) -> None:
        """Stop consuming; in-flight handlers finish and commit first."""
        if self.broker is None:
            return
        try:
            # A consumer caught in a group rebalance can keep stop() waiting; what it had
            # not committed is redelivered to the next consumer, and consumers deduplicate.
            await asyncio.wait_for(self.broker.stop(), BROKER_STOP_S)
        except TimeoutError:
            log.warning("broker did not stop in time; uncommitted messages will be redelivered")
        self.broker = None
