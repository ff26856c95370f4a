"""How `qorgau_common.kafka.subscribe` builds a batch subscriber."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from qorgau_common.kafka import subscribe
from qorgau_common.settings import ServiceSettings


def test_an_idle_batch_poll_is_short() -> None:
    """FastStream's batch subscriber sleeps its `batch_timeout_ms` after a poll that found
    nothing: its default of 200 ms made the first event after a quiet spell wait up to that
    long at every hop. The setting bounds both the poll and that sleep."""
    settings = ServiceSettings(consumer_batch_timeout_ms=15)
    subscriber = subscribe(
        KafkaBroker(), "incident.reported.v1", settings, "routing", description="t", batch=True
    )
    assert subscriber.batch_timeout_ms == 15  # type: ignore[union-attr]
    assert ServiceSettings().consumer_batch_timeout_ms == 20
