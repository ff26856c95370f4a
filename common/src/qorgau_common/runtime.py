"""What every service runs besides its handlers: pool, migrations, broker, outbox relay.

Start order: pool → migrations → broker (producer and consumers) → relay. Stop order is
the reverse of what matters: consumers stop and finish in-flight work first, then the
relay drains what they wrote, then the pool closes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import asyncpg
import structlog
from faststream.kafka import KafkaBroker

from .db import apply_migrations, create_pool
from .kafka import make_broker
from .outbox import OutboxMessage, OutboxRelay
from .routes import EventRoutes, Published, declare_publishers
from .settings import ServiceSettings
from .tracing import configure_tracing

log = structlog.get_logger(__name__)

_BROKER_STOP_S = 25.0

D = TypeVar("D")


class ServiceRuntime(Generic[D]):
    """Pool, migrations, one consumer for every routed topic, and the outbox relay.

    `deps` builds what each handler gets besides its event (the pool, the policy, a
    sender...); it is called once the runtime has started, so it may read `pool`.
    """

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        service: str,
        migrations: tuple[str, ...],
        routes: EventRoutes[D] | None = None,
        deps: Callable[[ServiceRuntime[D]], D] | None = None,
        published: tuple[Published, ...] = (),
    ) -> None:
        self.settings = settings
        self.service = service
        self._migrations = migrations
        self._routes: EventRoutes[Any] = routes or EventRoutes()
        self._deps = deps
        self._published = published
        self._built_deps: D | None = None
        self._pool: asyncpg.Pool | None = None
        self._broker: KafkaBroker | None = None
        self._relay: OutboxRelay | None = None
        self._relay_task: asyncio.Task[None] | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "runtime not started"
        return self._pool

    @property
    def broker(self) -> KafkaBroker:
        assert self._broker is not None, "runtime not started"
        return self._broker

    async def start(self) -> None:
        configure_tracing(self.service)
        self._pool = await create_pool(self.settings.database_url)
        async with self._pool.acquire() as conn:
            await apply_migrations(conn, self.service, self._migrations)
        self._broker = self.build_broker()
        await self._broker.start()
        self._relay = OutboxRelay(
            self._pool,
            self.service,
            self._publish,
            poll_interval_s=self.settings.outbox_poll_interval_s,
        )
        self._relay_task = asyncio.create_task(self._relay.run(), name=f"{self.service}-outbox")
        log.info("service started")

    def build_broker(self) -> KafkaBroker:
        """The service's broker with its subscribers and publishers declared, not started.

        Also what the AsyncAPI document is generated from.
        """
        broker = make_broker(self.settings, client_id=f"qorgau-{self.service}")
        self._routes.subscribe(broker, self.settings, self.service, self.deps)
        declare_publishers(broker, self.service, self._published)
        return broker

    def deps(self) -> D:
        """What every handler gets besides its event; built once, after start."""
        if self._built_deps is None:
            assert self._deps is not None, "a service with routes must give deps"
            self._built_deps = self._deps(self)
        return self._built_deps

    async def _publish(self, message: OutboxMessage) -> None:
        await self.broker.publish(
            message.payload, topic=message.topic, key=message.key, headers=message.headers
        )

    async def stop(self) -> None:
        await self.stop_consuming()
        await self.close()

    async def stop_consuming(self) -> None:
        """Stop the relay, then the consumers (in-flight handlers finish and commit first).

        Rows committed after the relay stopped are published at the next start, by this or
        another replica: the outbox keeps them.
        """
        if self._relay_task is not None:
            self._relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay_task
            self._relay_task = None
        if self._broker is not None:
            try:
                # A consumer caught in a group rebalance can keep stop() waiting; what it had
                # not committed is redelivered to the next consumer, and consumers deduplicate.
                await asyncio.wait_for(self._broker.stop(), _BROKER_STOP_S)
            except TimeoutError:
                log.warning("broker did not stop in time; uncommitted messages will be redelivered")
            self._broker = None

    async def close(self) -> None:
        """Close the pool."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        log.info("service stopped")

    async def ready(self) -> dict[str, bool]:
        """Readiness: PostgreSQL answers and the broker is reachable."""
        checks = {"postgres": False, "kafka": False}
        with contextlib.suppress(Exception):
            checks["postgres"] = await asyncio.wait_for(self.pool.fetchval("SELECT true"), 2)
        with contextlib.suppress(Exception):
            checks["kafka"] = bool(await self.broker.ping(timeout=2))
        return checks
