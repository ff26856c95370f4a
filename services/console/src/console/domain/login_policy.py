"""Login throttling: lock an account after repeated failures, refuse a noisy address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Verdict = Literal["try", "locked", "throttled"]


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    ip_max_failures: int = 20


def may_try(
    locked_until: datetime | None, ip_failures: int, now: datetime, policy: LoginPolicy
) -> Verdict:
    """Checked before the password, so a locked account reveals nothing about it."""
    if ip_failures >= policy.ip_max_failures:
        return "throttled"
    if locked_until is not None and locked_until > now:
        return "locked"
    return "try"


def after_failure(
    failed_count: int, now: datetime, policy: LoginPolicy
) -> tuple[int, datetime | None]:
    """The new failure count and lock: the Nth failure in a row locks the account."""
    failed = failed_count + 1
    if failed >= policy.max_failures:
        return 0, now + policy.lockout
    return failed, None
