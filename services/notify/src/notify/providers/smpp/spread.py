"""Which SMPP bind a message goes on. Pure.

A bound bind with a free rate token beats one that would wait for its token; among those,
the fewest messages in flight. Ties go to the first bind from `start` on, so that idle binds
take turns instead of the first one carrying everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BindLoad:
    bound: bool
    in_flight: int  # messages on this bind now (sending or waiting for a token or a slot)
    rate_free: bool  # a submit_sm could take a rate token without waiting


def choose_bind(binds: Sequence[BindLoad], start: int = 0) -> int | None:
    """The index of the bind with the most free room, or None when none is bound."""
    best: int | None = None
    best_key: tuple[bool, int] | None = None
    for offset in range(len(binds)):
        index = (start + offset) % len(binds)
        load = binds[index]
        if not load.bound:
            continue
        key = (not load.rate_free, load.in_flight)
        if best_key is None or key < best_key:
            best, best_key = index, key
    return best
