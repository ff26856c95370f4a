"""What every consumer and route gets besides its input, built once the runtime has started."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from .domain.escalation import EscalationPolicy


@dataclass(frozen=True)
class RoutingDeps:
    pool: asyncpg.Pool
    policy: EscalationPolicy
