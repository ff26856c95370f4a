"""Bearer tokens (stored as SHA-256 of a random secret) with roles.

Each service keeps its own `api_tokens` in its own schema; the audit trail is in `audit`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .db import Connection
from .errors import Forbidden, Unauthorized

Role = Literal["operator", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("operator", "supervisor", "admin")

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    token_id: uuid.UUID | None = None  # which token called: what idempotency keys belong to


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def token_caller(conn: Connection | asyncpg.Pool, schema: str, token: str) -> Caller | None:
    row = await conn.fetchrow(
        f'SELECT id, name, role FROM "{schema}".api_tokens'
        " WHERE token_sha256 = $1 AND revoked_at IS NULL",
        token_digest(token),
    )
    return Caller(row["name"], row["role"], row["id"]) if row else None


async def create_token(
    conn: Connection, schema: str, name: str, role: Role, token: str
) -> uuid.UUID:
    token_id = uuid.uuid4()
    await conn.execute(
        f'INSERT INTO "{schema}".api_tokens (id, name, role, token_sha256)'
        " VALUES ($1, $2, $3, $4) ON CONFLICT (token_sha256) DO NOTHING",
        token_id,
        name,
        role,
        token_digest(token),
    )
    return token_id


async def list_tokens(conn: Connection, schema: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        f'SELECT id, name, role, created_at, revoked_at FROM "{schema}".api_tokens'
        " ORDER BY created_at"
    )


async def revoke_token(conn: Connection, schema: str, token_id: uuid.UUID) -> bool:
    done = await conn.fetchval(
        f'UPDATE "{schema}".api_tokens SET revoked_at = now()'
        " WHERE id = $1 AND revoked_at IS NULL RETURNING true",
        token_id,
    )
    return bool(done)


def require_role(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """FastAPI dependency: a live bearer token of one of `roles` (401/403 otherwise)."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        if credentials is None:
            raise Unauthorized()
        runtime = request.app.state.runtime
        caller = await token_caller(runtime.pool, runtime.service, credentials.credentials)
        if caller is None:
            raise Unauthorized()
        if caller.role not in roles:
            raise Forbidden()
        return caller

    return dependency
