"""Topics the broker lost are created again by the service's broker link.

A restart of the memory-only broker drops every topic. The link creates the missing ones,
with their partition counts, when a send finds a topic gone and on its periodic check
(issue 11), so a service need not be restarted after the broker is.
"""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import UnknownTopicOrPartitionError
from faststream.kafka import KafkaBroker
from qorgau_common import broker_link
from qorgau_common.broker_link import BrokerLink
from qorgau_common.kafka import topic_partitions
from qorgau_common.settings import ServiceSettings

from tests.common.support import partition_counts

pytestmark = pytest.mark.integration


def link_to(bootstrap: str) -> BrokerLink:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, kafka_start_timeout_s=20)

    def build() -> KafkaBroker:
        return KafkaBroker(bootstrap, logger=None)

    return BrokerLink(settings, "test-topics", build)


async def test_a_send_that_finds_its_topic_gone_creates_every_missing_topic(
    empty_broker: str,
) -> None:
    """The relay reports a failed send to the link; an unknown topic means the broker lost
    its topics, and they are all created again with their partition counts."""
    link = link_to(empty_broker)
    assert await partition_counts(empty_broker) == {}
    await link.on_send_failure(UnknownTopicOrPartitionError())
    assert await partition_counts(empty_broker) == topic_partitions()


async def test_the_link_creates_lost_topics_again_on_its_periodic_check(
    empty_broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Topics gone while the link is joined (the broker restarted empty) are back after
    the next check, without a send having failed."""
    monkeypatch.setattr(broker_link, "_TOPIC_CHECK_S", 0.0)
    monkeypatch.setattr(broker_link, "_POSITION_CHECK_S", 0.1)
    link = link_to(empty_broker)
    assert await link.join()
    admin = AIOKafkaAdminClient(bootstrap_servers=empty_broker)
    await admin.start()
    try:
        await admin.delete_topics(list(topic_partitions()))
    finally:
        await admin.close()
    assert await partition_counts(empty_broker) == {}
    keeping = asyncio.create_task(link.keep())
    try:
        async with asyncio.timeout(30):
            while await partition_counts(empty_broker) != topic_partitions():
                await asyncio.sleep(0.1)
    finally:
        keeping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await keeping
        await link.stop()
