"""What every service runs besides its handlers: pool, migrations, broker, outbox relay.

Start order: pool → migrations → broker (producer and consumers) → relay. Stop order is
the reverse of what matters: consumers stop and finish in-flight work first, then the
relay drains what they wrote, then the pool closes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Generic, TypeVar

import asyncpg
import structlog
from faststream.kafka import KafkaBroker

from .broker_link import BrokerLink
from .db import apply_migrations, create_pool
from .infrastructure import is_infrastructure_error
from .kafka import make_broker
from .relay import OutboxRelay
from .retention import purge
from .routes import EventRoutes, Published, declare_publishers
from .settings import ServiceSettings
from .tracing import configure_tracing

log = structlog.get_logger(__name__)

_PURGE_EVERY_S = 3600.0
_DATABASE_WAIT_S = 120.0

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
        ready_needs_broker: bool = True,
        after_log_lost: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self._migrations = migrations
        self._routes: EventRoutes[Any] = routes or EventRoutes()
        self._deps = deps
        self._published = published
        self._ready_needs_broker = ready_needs_broker
        self._after_log_lost = after_log_lost
        self._built_deps: D | None = None
        self._pool: asyncpg.Pool | None = None
        self._link = BrokerLink(settings, service, self.build_broker)
        self._relay: OutboxRelay | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "runtime not started"
        return self._pool

    @property
    def broker(self) -> KafkaBroker:
        assert self._link.broker is not None, "broker not joined"
        return self._link.broker

    async def start(self) -> None:
        """Pool and migrations must work; the broker is joined within a bound, else later.

        A broker that is down or a group join that stalls (seen on Tansu) does not keep the
        service from starting (see `broker_link`). A service whose readiness does not need
        the broker (`ready_needs_broker=False`) does not wait for the join at all.
        """
        configure_tracing(self.service)
        self._pool = await self._open_database()
        self._relay = OutboxRelay(
            self._pool,
            self.service,
            self._link.send,
            poll_interval_s=self.settings.outbox_poll_interval_s,
            max_attempts=self.settings.outbox_max_attempts,
            on_failure=self._link.on_send_failure,
        )
        self._link.on_joined.append(self._relay.retry_now)
        if not self._ready_needs_broker:
            # Its job does not wait for the broker (intake takes reports into its outbox):
            # it serves at once and joins in the background (`keep`), rather than answer
            # nothing for the 5-13 s a group join takes after a crash.
            log.info("serving before the broker is joined; joining in the background")
        elif not await self._link.join():
            log.warning("broker not joined yet; will keep trying")
        self._tasks = [
            asyncio.create_task(self._link.keep(), name=f"{self.service}-broker"),
            asyncio.create_task(self._relay.run(), name=f"{self.service}-outbox"),
            asyncio.create_task(self._purge_rounds(), name=f"{self.service}-purge"),
        ]
        if self._after_log_lost is not None:
            self._tasks.append(
                asyncio.create_task(self._on_log_lost(self._after_log_lost), name="log-lost")
            )
        log.info("service started")

    async def _open_database(self) -> asyncpg.Pool:
        """Pool and migrations, waiting (bounded) for a database that is restarting: a
        service started during a PostgreSQL restart or failover must not exit for it."""
        delay, waited = 0.5, 0.0
        while True:
            try:
                pool = await create_pool(self.settings.database_url)
                try:
                    async with pool.acquire() as conn:
                        await apply_migrations(conn, self.service, self._migrations)
                except BaseException:
                    await pool.close()
                    raise
                return pool
            except Exception as exc:
                if not is_infrastructure_error(exc) or waited >= _DATABASE_WAIT_S:
                    raise
                log.warning("database not answering yet; waiting", error=type(exc).__name__)
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 5.0)

    async def _on_log_lost(self, redeliver: Callable[[], Awaitable[object]]) -> None:
        """Each time the broker is found to have lost its log: say again at once what it may
        have lost, instead of waiting for reconciliation's usual delay."""
        while True:
            await self._link.log_lost.wait()
            self._link.log_lost.clear()
            log.warning("the broker lost its log; redelivering what it may have held")
            try:
                await redeliver()
            except Exception as exc:  # reconciliation's usual rounds still run
                log.warning("redelivery after the lost log failed", error=type(exc).__name__)

    async def _purge_rounds(self) -> None:
        keep_outbox = timedelta(days=self.settings.outbox_retention_days)
        keep_inbox = timedelta(days=self.settings.inbox_retention_days)
        while True:
            try:
                await purge(self.pool, self.service, outbox_keep=keep_outbox, inbox_keep=keep_inbox)
            except Exception as exc:  # the next round retries
                log.warning("purge failed; will retry", error=type(exc).__name__)
            await asyncio.sleep(_PURGE_EVERY_S)

    def build_broker(self) -> KafkaBroker:
        """The service's broker with its subscribers and publishers declared, not started.

        Also what the AsyncAPI document is generated from.
        """
        broker = make_broker(self.settings, client_id=f"qorgau-{self.service}")
        self._routes.subscribe(
            broker, self.settings, self.service, self.deps, pool=lambda: self.pool
        )
        declare_publishers(broker, self.service, self._published)
        return broker

    def deps(self) -> D:
        """What every handler gets besides its event; built once, after start."""
        if self._built_deps is None:
            assert self._deps is not None, "a service with routes must give deps"
            self._built_deps = self._deps(self)
        return self._built_deps

    async def stop(self) -> None:
        await self.stop_consuming()
        await self.close()

    async def stop_consuming(self) -> None:
        """Stop the relay, then the consumers (in-flight handlers finish and commit first).

        Rows committed after the relay stopped are published at the next start, by this or
        another replica: the outbox keeps them.
        """
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._link.stop()

    async def close(self) -> None:
        """Close the pool."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        log.info("service stopped")

    async def ready(self) -> tuple[bool, dict[str, bool]]:
        """Readiness means "can do my job": PostgreSQL answers, and the broker is reachable
        for a service that needs it to work (intake accepts reports through a broker outage:
        the outbox keeps them). Every check is reported either way."""
        checks = {"postgres": False, "kafka": False}
        with contextlib.suppress(Exception):
            checks["postgres"] = await asyncio.wait_for(self.pool.fetchval("SELECT true"), 2)
        checks["kafka"] = await self._link.ping()
        needed = ["postgres", "kafka"] if self._ready_needs_broker else ["postgres"]
        return all(checks[name] for name in needed), checks
