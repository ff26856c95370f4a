"""Broker construction and explicit topic creation."""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.subscriber.usecase import BatchSubscriber, DefaultSubscriber
from prometheus_client import REGISTRY
from qorgau_contracts import TOPICS

from .settings import ServiceSettings

_TOPIC_ALREADY_EXISTS = 36


def make_broker(settings: ServiceSettings, client_id: str) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        request_timeout_ms=10_000,
        logger=None,
        # FastStream's own consume/publish metrics, beside the domain ones, on /metrics.
        middlewares=(KafkaPrometheusMiddleware(registry=REGISTRY, app_name=client_id),),
    )


def subscribe(
    broker: KafkaBroker,
    topics: str | list[str],
    settings: ServiceSettings,
    group_id: str,
    *,
    description: str,
    batch: bool = False,
) -> DefaultSubscriber | BatchSubscriber:
    """A subscriber with manual ack: offsets commit only after our transaction does.

    With `batch`, each poll hands over up to `consumer_batch_max_records` records at once
    (whatever is there: a poll never waits to fill a batch) and one ack commits them all;
    a poll that finds nothing waits `consumer_batch_timeout_ms` and pauses as long.
    """
    group = settings.consumer_group or group_id
    names = [topics] if isinstance(topics, str) else topics
    title = group if len(names) > 1 else f"{group}/{names[0]}"
    if batch:
        return broker.subscriber(
            *names,
            batch=True,
            max_records=settings.consumer_batch_max_records,
            # FastStream sleeps this long after a poll that found nothing (its default of
            # 200 ms cost a report at a quiet hour up to 200 ms at each hop, 205 ms p50 in all).
            batch_timeout_ms=settings.consumer_batch_timeout_ms,
            group_id=group,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            title=title,
            description=description,
        )
    return broker.subscriber(
        *names,
        group_id=group,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        title=title,
        description=description,
    )


def topic_partitions() -> dict[str, int]:
    """Every topic with its partition count; dead-letter topics get one partition."""
    specs: dict[str, int] = {}
    for topic in TOPICS:
        specs[topic.name] = topic.partitions
        specs[topic.dlq] = 1
    return specs


async def ensure_topics(
    bootstrap_servers: str, specs: Mapping[str, int] | None = None, replication: int = 1
) -> list[str]:
    """Create topics explicitly (brokers may auto-create them with the wrong partition count).

    Returns the names created now; an existing topic counts as success.
    """
    wanted = dict(specs or topic_partitions())
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
    await admin.start()
    created: list[str] = []
    try:
        for name, partitions in wanted.items():
            response = await admin.create_topics([NewTopic(name, partitions, replication)])
            for topic_name, code, *rest in response.topic_errors:
                if code == 0:
                    created.append(topic_name)
                elif code != _TOPIC_ALREADY_EXISTS:
                    raise RuntimeError(f"cannot create topic {topic_name}: error {code} {rest}")
    finally:
        await admin.close()
    return created
