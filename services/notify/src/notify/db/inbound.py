"""SQL for inbound SMS kept until acted on (`notify.inbound`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg
from qorgau_common.db import Connection

InboundKind = Literal["receipt", "reply"]


@dataclass(frozen=True)
class Inbound:
    id: int
    kind: InboundKind
    provider: str
    body: dict[str, Any]
    received_at: datetime


async def keep(conn: Connection, kind: InboundKind, provider: str, body: dict[str, Any]) -> int:
    inbound_id: int = await conn.fetchval(
        "INSERT INTO notify.inbound (kind, provider, body) VALUES ($1, $2, $3) RETURNING id",
        kind,
        provider,
        json.dumps(body),
    )
    return inbound_id


async def keep_all(
    conn: Connection, arrived: list[tuple[InboundKind, str, dict[str, Any]]]
) -> list[int]:
    """Keep every (kind, provider, body) in one statement; their ids, in the same order.

    The ids come from one sequence, drawn in the order of the ordered SELECT."""
    rows = await conn.fetch(
        "INSERT INTO notify.inbound (kind, provider, body)"
        " SELECT kind, provider, body::jsonb"
        " FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY"
        " AS arrived(kind, provider, body, n) ORDER BY n RETURNING id",
        [kind for kind, _, _ in arrived],
        [provider for _, provider, _ in arrived],
        [json.dumps(body) for _, _, body in arrived],
    )
    return sorted(int(r["id"]) for r in rows)


# Rows a group's shared transaction took at once (`take_all`); `take` answers for them.
_TAKEN_AHEAD: ContextVar[set[int] | None] = ContextVar("notify_inbound_taken", default=None)


async def take_all(conn: Connection, inbound_ids: Sequence[int]) -> set[int]:
    """Remove the rows in the caller's transaction, in one statement: the ids this
    transaction acts on (not those acted on already, nor those another transaction has)."""
    rows = await conn.fetch(
        "DELETE FROM notify.inbound WHERE id IN ("
        " SELECT id FROM notify.inbound WHERE id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED)"
        " RETURNING id",
        list(inbound_ids),
    )
    return {int(r["id"]) for r in rows}


@contextmanager
def taken_ahead(inbound_ids: set[int]) -> Iterator[None]:
    """Within the block, `take` of one of `inbound_ids` is answered from them (once each)."""
    token = _TAKEN_AHEAD.set(set(inbound_ids))
    try:
        yield
    finally:
        _TAKEN_AHEAD.reset(token)


async def take(conn: Connection, inbound_id: int) -> bool:
    """Remove the row in the caller's transaction: True if this transaction is the one that
    acts on it (False: it was acted on already, or another transaction has it now)."""
    ahead = _TAKEN_AHEAD.get()
    if ahead is not None and inbound_id in ahead:
        ahead.discard(inbound_id)
        return True
    taken = await conn.fetchval(
        "DELETE FROM notify.inbound WHERE id = ("
        " SELECT id FROM notify.inbound WHERE id = $1 FOR UPDATE SKIP LOCKED) RETURNING id",
        inbound_id,
    )
    return taken is not None


async def fresh(conn: Connection, limit: int) -> list[Inbound]:
    """Rows never tried (`attempts` 0), oldest first: what waits in the table alone while
    acting is behind. Not locked: whoever acts on one takes it (`take`, `take_all`)."""
    rows = await conn.fetch(
        "SELECT id, kind, provider, body, received_at FROM notify.inbound"
        " WHERE attempts = 0 ORDER BY id LIMIT $1",
        limit,
    )
    return [_row(r) for r in rows]


async def waiting(
    conn: Connection, older_than_s: float, max_attempts: int, limit: int
) -> list[Inbound]:
    """Rows not acted on after `older_than_s`: their first try failed or their process died.
    Rows that failed `max_attempts` times are left for a person (`parked`)."""
    rows = await conn.fetch(
        "SELECT id, kind, provider, body, received_at FROM notify.inbound"
        " WHERE received_at < now() - make_interval(secs => $1) AND attempts < $2"
        " ORDER BY id LIMIT $3",
        older_than_s,
        max_attempts,
        limit,
    )
    return [_row(r) for r in rows]


def _row(r: asyncpg.Record) -> Inbound:
    return Inbound(r["id"], r["kind"], r["provider"], json.loads(r["body"]), r["received_at"])


async def failed(conn: Connection, inbound_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE notify.inbound SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
        inbound_id,
        error[:500],
    )


async def counts(conn: Connection, max_attempts: int) -> tuple[int, int]:
    """(waiting, parked)."""
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE attempts < $1) AS waiting,"
        " count(*) FILTER (WHERE attempts >= $1) AS parked FROM notify.inbound",
        max_attempts,
    )
    assert row is not None
    return int(row["waiting"]), int(row["parked"])
