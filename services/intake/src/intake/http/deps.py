"""What the routes get from the app: the runtime's pool (as the chassis' bearer-token check
reads it) and intake's keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg
from fastapi import Request

from intake.domain.crypto import FieldCipher
from intake.domain.linking import LinkKey


@dataclass
class IntakeDeps:
    cipher: FieldCipher
    link_key: LinkKey
    telegram_secret_token: str = ""
    meta_app_secret: str = ""
    meta_verify_token: str = ""
    follow_up_window: timedelta = timedelta(minutes=30)


def deps_of(request: Request) -> IntakeDeps:
    deps: IntakeDeps = request.app.state.deps
    return deps


def pool_of(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.runtime.pool
    return pool
