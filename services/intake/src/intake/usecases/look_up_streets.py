"""Street suggestions and district resolution for an address being typed (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from intake.db import gazetteer
from intake.domain.streets import Resolution, gazetteer_date, normalise_street, resolve


@dataclass(frozen=True)
class Suggestion:
    street: str
    district: str


@dataclass(frozen=True)
class Suggestions:
    gazetteer_version: int | None
    items: list[Suggestion]


async def suggest_streets(pool: asyncpg.Pool, typed: str, limit: int, now: datetime) -> Suggestions:
    key = normalise_street(typed)
    if not key:
        return Suggestions(None, [])
    async with pool.acquire() as conn:
        version, rows = await gazetteer.streets_starting(conn, key, gazetteer_date(now), limit)
    return Suggestions(version, [Suggestion(street, district) for street, district in rows])


async def resolve_street(
    pool: asyncpg.Pool, street: str, now: datetime
) -> tuple[int | None, Resolution]:
    key = normalise_street(street)
    async with pool.acquire() as conn:
        version, matches = await gazetteer.lookup(conn, key, gazetteer_date(now))
    return version, resolve(key, matches)
