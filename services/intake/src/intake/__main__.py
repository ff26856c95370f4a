"""`python -m intake [serve | token create|list|revoke | new-key]`."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import uuid

import asyncpg
from qorgau_common.db import migrate
from qorgau_common.http import serve
from qorgau_common.logging import configure_logging

from . import repository as repo
from .config import IntakeSettings
from .crypto import KeyConfigError, new_key_spec
from .handlers import MIGRATIONS, SERVICE
from .main import create_app


async def _tokens(settings: IntakeSettings, args: argparse.Namespace) -> None:
    await migrate(settings.database_url, SERVICE, MIGRATIONS)
    conn = await asyncpg.connect(settings.database_url)
    try:
        if args.action == "create":
            token = args.token or secrets.token_urlsafe(32)
            token_id = await repo.create_token(conn, args.name, args.role, token)
            print(f"token id {token_id} ({args.role}, {args.name}); keep it secret:\n{token}")
        elif args.action == "list":
            for row in await repo.list_tokens(conn):
                state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
                print(f"{row['id']}  {row['role']:<10}  {row['name']:<24}  {state}")
        elif not await repo.revoke_token(conn, uuid.UUID(args.id)):
            sys.exit(f"no active token {args.id}")
        else:
            print(f"revoked {args.id}")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="intake", description="Qorgau intake service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP API and the outbox relay (default)")
    sub.add_parser(
        "new-key", help="print a fresh encryption key spec for QORGAU_INTAKE_ENCRYPTION_KEYS"
    )
    tokens = sub.add_parser("token", help="manage API bearer tokens (stored hashed)")
    actions = tokens.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create")
    create.add_argument("--name", required=True, help="who the token is for")
    create.add_argument("--role", required=True, choices=("operator", "supervisor", "admin"))
    create.add_argument("--token", help="use this value instead of a random one (dev only)")
    actions.add_parser("list")
    revoke = actions.add_parser("revoke")
    revoke.add_argument("id")
    args = parser.parse_args()

    if args.command == "new-key":
        print(new_key_spec(f"k{uuid.uuid4().hex[:6]}"))
        return
    settings = IntakeSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    if args.command == "token":
        asyncio.run(_tokens(settings, args))
        return
    try:
        app = create_app(settings)
    except KeyConfigError as exc:
        sys.exit(f"intake: {exc} (set QORGAU_INTAKE_ENCRYPTION_KEYS; `python -m intake new-key`)")
    serve(app, settings)


if __name__ == "__main__":
    main()
