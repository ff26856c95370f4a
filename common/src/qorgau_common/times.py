"""One validation layer for times from outside. Pure.

Nothing before 2000-01-01 is a time this system can mean, and a time far in the future is
a typo or an attack: year 1 or 9999 overflows as soon as it is shifted to UTC or by a
window, and PostgreSQL refuses what Python accepts. So:

- an *event time* (when a call came in, when a message was sent) lies between
  2000-01-01 and now + 1 day (clocks drift; use cases may be stricter);
- a *bounded time* (a query's `since=`/`until=`, a cursor, a planned shift) lies between
  2000-01-01 and 2100-01-01;
- an epoch from a platform (seconds or milliseconds) becomes a datetime only inside the
  event window; outside it, it is refused before any conversion can overflow.

Use them as pydantic types (`EventTime`, `BoundedTime`) or call the checks directly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

__all__ = [
    "EARLIEST",
    "EVENT_SKEW",
    "LATEST",
    "BoundedTime",
    "EventTime",
    "TimeRejected",
    "bounded_time",
    "event_time",
    "from_epoch",
]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
EVENT_SKEW = timedelta(days=1)


class TimeRejected(ValueError):
    """A time outside the window this system accepts."""


def event_time(value: datetime, now: datetime | None = None) -> datetime:
    """`value` (aware) if it lies in [2000-01-01, now + 1 day]."""
    latest = (now or datetime.now(UTC)) + EVENT_SKEW
    if value.tzinfo is None:
        raise TimeRejected("must have a timezone")
    if not EARLIEST <= value <= latest:
        raise TimeRejected("must be between 2000-01-01 and one day from now")
    return value


def bounded_time(value: datetime) -> datetime:
    """`value` (aware) if it lies in [2000-01-01, 2100-01-01)."""
    if value.tzinfo is None:
        raise TimeRejected("must have a timezone")
    if not EARLIEST <= value < LATEST:
        raise TimeRejected("must be between 2000-01-01 and 2100-01-01")
    return value


def from_epoch(value: float, *, unit_s: float = 1.0, now: datetime | None = None) -> datetime:
    """A platform's epoch timestamp (in units of `unit_s` seconds: 1e-3 for milliseconds)
    as an aware UTC datetime inside the event window; refused outside it."""
    latest = (now or datetime.now(UTC)) + EVENT_SKEW
    seconds = value * unit_s
    if not EARLIEST.timestamp() <= seconds <= latest.timestamp():  # also refuses NaN
        raise TimeRejected("timestamp must be between 2000-01-01 and one day from now")
    return datetime.fromtimestamp(seconds, UTC)


def _event_time_now(value: datetime) -> datetime:
    return event_time(value)


EventTime = Annotated[AwareDatetime, AfterValidator(_event_time_now)]
BoundedTime = Annotated[AwareDatetime, AfterValidator(bounded_time)]
