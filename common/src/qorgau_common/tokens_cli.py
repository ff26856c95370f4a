"""`<service> token create|list|revoke`: the same token commands for every service."""

from __future__ import annotations

import argparse
import secrets
import sys
import uuid

import asyncpg

from .auth import ROLES, create_token, list_tokens, revoke_token
from .db import migrate


def add_token_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tokens = sub.add_parser("token", help="manage API bearer tokens (stored hashed)")
    actions = tokens.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True, help="who the token is for")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--token", help="use this value instead of a random one (dev only)")
    actions.add_parser("list", help="list tokens (never their values)")
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id")


async def run_token_command(
    database_url: str, schema: str, migrations: tuple[str, ...], args: argparse.Namespace
) -> None:
    await migrate(database_url, schema, migrations)
    conn = await asyncpg.connect(database_url)
    try:
        if args.action == "create":
            token = args.token or secrets.token_urlsafe(32)
            token_id = await create_token(conn, schema, args.name, args.role, token)
            print(f"token id {token_id} ({args.role}, {args.name}); keep it secret:\n{token}")
        elif args.action == "list":
            for row in await list_tokens(conn, schema):
                state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
                print(f"{row['id']}  {row['role']:<10}  {row['name']:<24}  {state}")
        elif not await revoke_token(conn, schema, uuid.UUID(args.id)):
            sys.exit(f"no active token {args.id}")
        else:
            print(f"revoked {args.id}")
    finally:
        await conn.close()
