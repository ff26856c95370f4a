"""`make bench` works: the stack bench's smoke mode runs and prints every figure.

Numbers are never asserted (they depend on the machine); only that it finishes and says
each figure.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LABELS = (
    "raw kafka hop msg/s",
    "raw PG tx/s on 1 connection",
    "raw PG tx/s on 8 connections",
    "saturation accepted reports/s",
    "saturation e2e SMS/s",
    "saturation broken connections",
    "saturation POST p50/p99",
    "steady latency report->SMS p50",
    "steady latency report->SMS p99",
    "backlog drain",
    "backlog drain rate/s",
    "peak RSS",
    "CPU ms per report",
    "statements per report",
    "commits per report",
    "ratio e2e SMS/s / (PG tx/s on 8 connections / 3)",
    "SMPP is not the ceiling",
)


# A hang guard, not a time goal (about 35 s alone; longer beside the rest of the suite).
@pytest.mark.timeout(300)
def test_the_stack_bench_smoke_run_prints_every_figure() -> None:
    # Not pytest's tmp_path: concurrent pytest sessions on one machine prune each other's
    # older base folders, and this run's PostgreSQL data folder vanished under it.
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-smoke-") as state:
        done = subprocess.run(
            [sys.executable, "bench/stack_bench.py", "--smoke", "--state-dir", state],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=280,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    missing = [label for label in LABELS if label not in done.stdout]
    assert not missing, f"{missing} not printed:\n{done.stdout[-4000:]}"
