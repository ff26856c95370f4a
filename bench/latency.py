"""Latency summaries shared by the benchmarks (run as scripts, so imported by file name)."""

from __future__ import annotations

import statistics


def summary(seconds: list[float]) -> dict[str, float]:
    """n, p50, p99, mean and max in milliseconds (nearest-rank percentiles)."""
    ms = sorted(v * 1000 for v in seconds)

    def pick(q: float) -> float:
        return round(ms[min(len(ms) - 1, round(q * (len(ms) - 1)))], 1)

    return {
        "n": len(ms),
        "p50_ms": pick(0.5),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ms), 1),
        "max_ms": pick(1.0),
    }
