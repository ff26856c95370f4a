"""Finding a lost log: one partition's sign rewinds every partition still assigned, even when
the group rebalanced while we looked (a hand-written fake consumer)."""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from qorgau_common.positions import rewind_past_log_end

A, B, C = (TopicPartition("t.v1", n) for n in range(3))


class FakeConsumer:
    """Positions and high watermarks per partition; `position()` of `rebalance_on` takes
    partition C away, as a rebalance between the checks and the seek would."""

    def __init__(self, positions: dict[TopicPartition, int], ends: dict[TopicPartition, int]):
        self.assigned = set(positions)
        self.positions: dict[TopicPartition, int] = dict(positions)
        self.ends = ends
        self.rebalance_on: TopicPartition | None = None
        self.sought: list[TopicPartition] = []

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def highwater(self, tp: TopicPartition) -> int:
        return self.ends[tp]

    async def position(self, tp: TopicPartition) -> int:
        if tp == self.rebalance_on:
            self.assigned.discard(C)
        return self.positions[tp]

    async def seek_to_beginning(self, *tps: TopicPartition) -> None:
        if set(tps) - self.assigned:  # as aiokafka: the whole seek is refused
            raise IllegalStateError("not assigned")
        self.sought += tps


async def test_one_partition_past_its_end_rewinds_all_of_them() -> None:
    consumer = FakeConsumer({A: 5, B: 40, C: 3}, {A: 9, B: 7, C: 8})
    assert await rewind_past_log_end(consumer, "test") == [A, B, C]
    assert sorted(consumer.sought) == [A, B, C]


async def test_a_rebalance_while_looking_still_rewinds_what_is_still_ours() -> None:
    consumer = FakeConsumer({A: 5, B: 40, C: 3}, {A: 9, B: 7, C: 8})
    consumer.rebalance_on = B
    assert await rewind_past_log_end(consumer, "test") == [A, B]
    assert sorted(consumer.sought) == [A, B]


async def test_a_high_watermark_below_the_last_seen_is_a_lost_log() -> None:
    consumer = FakeConsumer({A: 2, B: 2}, {A: 3, B: 3})
    seen = {A: 3, B: 50}
    assert await rewind_past_log_end(consumer, "test", seen) == [A, B]
    assert seen == {}  # the new log's marks are learnt afresh


async def test_a_live_log_rewinds_nothing_and_its_marks_are_kept() -> None:
    consumer = FakeConsumer({A: 2, B: 3}, {A: 3, B: 3})
    seen: dict[TopicPartition, int] = {}
    assert await rewind_past_log_end(consumer, "test", seen) == []
    assert seen == {A: 3, B: 3}
    assert consumer.sought == []
