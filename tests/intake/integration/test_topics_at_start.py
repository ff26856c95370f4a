"""A service started against a broker that has no topics creates them itself.

The bundled broker keeps nothing across a restart, and a broker may auto-create a topic with
one partition when a client first asks for it. So each service creates every topic with its
declared partition count when it joins (issue 11), not only the launcher and the tests.
"""

from __future__ import annotations

import pytest
from qorgau_contracts import TOPICS

from tests.common.support import partition_counts
from tests.intake.support import running_intake

pytestmark = pytest.mark.integration


async def test_intake_creates_every_topic_with_its_partition_count_when_it_joins(
    database_url: str, empty_broker: str
) -> None:
    """Every topic of every contract (and its dead-letter topic) exists once intake joined,
    with the partition count the contracts declare; none was auto-created with one."""
    assert await partition_counts(empty_broker) == {}
    async with running_intake(database_url, empty_broker, kafka_start_timeout_s=20) as (app, _):
        runtime = app.state.runtime
        assert runtime.broker is not None  # joined: topics are created before joining
        have = await partition_counts(empty_broker)
    wanted = {topic.name: topic.partitions for topic in TOPICS} | {t.dlq: 1 for t in TOPICS}
    assert have == wanted
    assert any(p > 1 for p in wanted.values()), "a partition count other than 1 is checked"
