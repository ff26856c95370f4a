"""Which route an alert takes next, after a provider answered. Pure.

A permanent rejection fails the alert at once. Any other failure (bind down, submit
error, throttled past the retry budget, no receipt in time) moves it to a provider it
has not tried yet; when none is left it waits for the sweeper, and after
`give_up_after_s` it fails so that routing picks the next officer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .base import Rejected


@dataclass(frozen=True)
class SendVia:
    provider: str


@dataclass(frozen=True)
class RetryLater:
    reason: str


@dataclass(frozen=True)
class GiveUp:
    reason: str


Step = SendVia | RetryLater | GiveUp


def first_step(routes: Sequence[str]) -> Step:
    return SendVia(routes[0]) if routes else GiveUp("no SMS provider configured")


def after_rejection(
    rejected: Rejected,
    tried: Sequence[str],
    routes: Sequence[str],
    *,
    age_s: float,
    give_up_after_s: float,
) -> Step:
    if not rejected.retryable:
        return GiveUp(rejected.reason)
    untried = [name for name in routes if name not in tried]
    if untried:
        return SendVia(untried[0])
    if age_s < give_up_after_s:
        return RetryLater(rejected.reason)
    return GiveUp(f"no provider could send: {rejected.reason}")


def receipt_failover(used: str | None, tried: Sequence[str], routes: Sequence[str]) -> str | None:
    """The provider to resend through when `used` gave no receipt in time, if any."""
    untried = [name for name in routes if name != used and name not in tried]
    return untried[0] if untried else None


def routes_for(
    exercise: bool, providers: Sequence[str], exercise_provider: str | None
) -> tuple[str, ...]:
    """Providers in failover order; drills go only to the one marked safe for them."""
    if exercise:
        return tuple(p for p in providers if p == exercise_provider)
    return tuple(providers)


def backoff(attempt: int, base_s: float = 0.2, max_s: float = 5.0) -> float:
    """Delay before retry number `attempt` (1-based): exponential, capped."""
    return float(min(base_s * 2.0 ** (attempt - 1), max_s))
