"""What a service consumes: each topic's contract and its named handler, behind one group member.

A service declares its handlers at module level, findable by name:

    ROUTES: EventRoutes[RoutingDeps] = EventRoutes()

    @ROUTES.on(INCIDENT_REPORTED, IncidentReported, description="Assign each reported incident.")
    async def on_incident_reported(event: IncidentReported, deps: RoutingDeps) -> None:
        await assign_incident(deps.pool, event, deps.policy)

and the runtime subscribes them all with a single Kafka consumer. A route whose effect lives
wholly in the service's database says `shared=True`: a batch of such records is first applied
in one transaction (`unit_of_work`), and one by one only if that fails. One consumer per service
process means one group member and one join: on Tansu each member's join costs about half
the session timeout and every new member of a group makes all the others rejoin, so three
subscribers in one group took 5-12 s to settle and could stall in the rebalance storm.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber
from qorgau_contracts import Event, Topic

from .consumer import EventConsumer, SharedBatches
from .kafka import subscribe
from .settings import ServiceSettings

__all__ = ["EventRoutes", "Published", "Route", "declare_publishers"]

D = TypeVar("D")
E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Route(Generic[D]):
    topic: Topic
    model: type[Event]
    handler: Callable[[Any, D], Awaitable[None]]
    description: str
    shared: bool = False


@dataclass(frozen=True)
class Published:
    """An event the service publishes through its outbox (declared for the AsyncAPI document)."""

    topic: Topic
    schema: type[Event]
    description: str


class EventRoutes(Generic[D]):
    """Topic → (contract, handler). `D` is what every handler gets besides the event."""

    def __init__(self) -> None:
        self._routes: dict[str, Route[D]] = {}

    def on(
        self, topic: Topic, model: type[E], *, description: str, shared: bool = False
    ) -> Callable[[Callable[[E, D], Awaitable[None]]], Callable[[E, D], Awaitable[None]]]:
        """`shared`: the handler's only effect is one `unit_of_work` in this service's
        database (no SMS, no HTTP call, no second connection), so a batch of its records
        may share one transaction."""

        def add(handler: Callable[[E, D], Awaitable[None]]) -> Callable[[E, D], Awaitable[None]]:
            if topic.name in self._routes:
                raise ValueError(f"{topic.name} already has a handler")
            self._routes[topic.name] = Route(topic, model, handler, description, shared)
            return handler

        return add

    @property
    def routes(self) -> tuple[Route[D], ...]:
        return tuple(self._routes.values())

    def subscribe(
        self,
        broker: KafkaBroker,
        settings: ServiceSettings,
        service: str,
        deps: Callable[[], D],
        pool: Callable[[], asyncpg.Pool] | None = None,
    ) -> BatchSubscriber | None:
        """One manual-ack subscriber for every routed topic, each message behind the guard."""
        if not self._routes:
            return None
        consumer = EventConsumer(broker, service, max_attempts=settings.consumer_max_attempts)
        routes = self._routes
        together = frozenset(name for name, r in routes.items() if r.shared)
        shared = (
            SharedBatches(pool, together, inbox=service) if pool is not None and together else None
        )
        description = " ".join(f"{name}: {r.description}" for name, r in routes.items())
        subscriber = subscribe(
            broker, list(routes), settings, service, description=description, batch=True
        )
        assert isinstance(subscriber, BatchSubscriber)

        def route_of(topic: str) -> tuple[type[Event], Callable[[Any], Awaitable[None]]]:
            route = routes[topic]
            given = deps()

            async def apply(event: Event) -> None:
                await route.handler(event, given)

            return route.model, apply

        @subscriber
        async def handle(msg: KafkaMessage) -> None:
            await consumer.consume_batch(msg, route_of, shared=shared)

        return subscriber


def declare_publishers(broker: KafkaBroker, service: str, published: tuple[Published, ...]) -> None:
    for p in published:
        broker.publisher(
            p.topic.name,
            title=f"{service}/{p.topic.name.removesuffix('.v1').replace('.', '_')}",
            description=p.description,
            schema=p.schema,
        )
