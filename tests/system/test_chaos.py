"""The short fault suite (`make chaos` is the full one): 300 reports at 20/s while PostgreSQL,
the broker, intake, routing and notify are each killed -9 and started again.

It asserts the verdict only: nothing accepted is lost, no phone gets the same alert twice,
a second inspector only where the first alert was cut "in doubt" by notify's kill. The
times it prints (recovery, report-to-SMS delay per fault) are figures, never asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qorgau_local.chaos import FAULTS, ChaosPlan, run_chaos

from tests.harness import FAST_KAFKA

pytestmark = pytest.mark.e2e


# A hang guard, not a time goal: the run takes about a minute alone, and longer when it
# shares two cores with the rest of the suite.
@pytest.mark.timeout(300)
async def test_nothing_lost_or_doubled_while_every_part_is_killed(tmp_path: Path) -> None:
    plan = ChaosPlan(
        reports=300,
        rate_per_s=20,
        faults=FAULTS,
        settle_within_s=45,
        env={
            # The system tests' group timeouts: a killed member's partitions move on sooner.
            **{f"QORGAU_{key.upper()}": str(value) for key, value in FAST_KAFKA.items()},
            # What the empty broker lost is republished within the run, not after a minute.
            "QORGAU_INTAKE_RECONCILE_AFTER_S": "10",
            "QORGAU_INTAKE_RECONCILE_INTERVAL_S": "2",
        },
    )
    result = await run_chaos(plan, tmp_path / "chaos")
    print("\n" + result.render())
    assert result.failures == [], result.render()
    assert result.accepted == plan.reports, result.render()
    assert [f.fault for f in result.faults] == list(FAULTS)
