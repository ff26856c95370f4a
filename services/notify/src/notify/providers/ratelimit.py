"""A per-provider rate limit: aiolimiter's leaky bucket, sized from a rate and a burst."""

from __future__ import annotations

from aiolimiter import AsyncLimiter


def rate_limit(rate_per_s: float, burst: float | None = None) -> AsyncLimiter:
    """At most `rate_per_s` on average, and `burst` (default a tenth of a second's worth, at
    least one) at once: the bucket holds `burst` and drains at `rate_per_s`."""
    size = burst if burst is not None else max(1.0, rate_per_s / 10)
    return AsyncLimiter(max_rate=size, time_period=size / rate_per_s)
