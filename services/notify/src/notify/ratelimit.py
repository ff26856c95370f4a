"""A per-provider rate limit: a token bucket, refilled continuously."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Pure arithmetic: `take(now)` spends a token, or says how long until one exists."""

    rate_per_s: float
    burst: float
    _tokens: float = field(init=False)
    _at: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._tokens = self.burst

    def take(self, now: float) -> float:
        """0 if a token was taken, else seconds to wait before asking again."""
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate_per_s)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate_per_s


class RateLimiter:
    def __init__(
        self,
        rate_per_s: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bucket = TokenBucket(
            rate_per_s, burst if burst is not None else max(1.0, rate_per_s / 10)
        )
        self._clock = clock

    async def acquire(self) -> None:
        while True:
            wait = self._bucket.take(self._clock())
            if wait <= 0:
                return
            await asyncio.sleep(wait)
