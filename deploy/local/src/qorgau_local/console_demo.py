"""The console under `make run`: its service tokens for intake and routing, one demo account
per role, its environment and its lines in the banner."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from console.db import MIGRATIONS as CONSOLE_MIGRATIONS
from console.db import SCHEMA as CONSOLE_SCHEMA
from console.usecases.accounts import ensure_user
from qorgau_common.auth import create_token
from qorgau_common.db import create_pool, migrate

# The demo inspector is a Yesil officer of the demo roster; a supervisor can give them a case.
DEMO_INSPECTOR_OFFICER = "YSL-01"
DEMO_ACCOUNTS: tuple[tuple[str, str, str | None], ...] = (
    ("operator", "Оператор 102", None),
    ("supervisor", "Дежурный руководитель", None),
    ("inspector", "Инспектор YSL-01", DEMO_INSPECTOR_OFFICER),
    ("admin", "Администратор", None),
)


def demo_password(role: str) -> str:
    return f"qorgau-{role}-demo"


@dataclass(frozen=True)
class ConsoleTokens:
    intake_operator: str
    intake_personal: str
    routing: str


def _kept(state_dir: Path, name: str) -> str:
    """A token generated on the first run and kept (0600), so a restart reuses it."""
    path = state_dir / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


async def prepare_console(database_url: str, state_dir: Path) -> ConsoleTokens:
    """Migrations, the console's service tokens (stored hashed by intake and routing) and the
    demo accounts; safe to repeat."""
    await migrate(database_url, CONSOLE_SCHEMA, CONSOLE_MIGRATIONS)
    tokens = ConsoleTokens(
        _kept(state_dir, "console-intake-operator-token"),
        _kept(state_dir, "console-intake-personal-token"),
        _kept(state_dir, "console-routing-token"),
    )
    conn = await asyncpg.connect(database_url)
    try:
        await create_token(conn, "intake", "console-operator", "operator", tokens.intake_operator)
        await create_token(conn, "intake", "console", "supervisor", tokens.intake_personal)
        await create_token(conn, "routing", "console", "supervisor", tokens.routing)
    finally:
        await conn.close()
    pool = await create_pool(database_url, max_size=2)
    try:
        for role, name, officer in DEMO_ACCOUNTS:
            await ensure_user(
                pool, role, role, demo_password(role), display_name=name, officer_id=officer
            )
    finally:
        await pool.close()
    return tokens


def console_env(
    tokens: ConsoleTokens, port: int, intake_port: int, routing_port: int
) -> dict[str, str]:
    return {
        "QORGAU_CONSOLE_HTTP_PORT": str(port),
        "QORGAU_CONSOLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "QORGAU_CONSOLE_INTAKE_URL": f"http://127.0.0.1:{intake_port}",
        "QORGAU_CONSOLE_ROUTING_URL": f"http://127.0.0.1:{routing_port}",
        "QORGAU_CONSOLE_INTAKE_OPERATOR_TOKEN": tokens.intake_operator,
        "QORGAU_CONSOLE_INTAKE_PERSONAL_TOKEN": tokens.intake_personal,
        "QORGAU_CONSOLE_ROUTING_TOKEN": tokens.routing,
        # Plain http on 127.0.0.1: a Secure cookie would never come back.
        "QORGAU_CONSOLE_COOKIE_SECURE": "false",
    }


def banner_lines(port: int) -> list[str]:
    lines = [f"  console       http://127.0.0.1:{port}/  (log in with a demo account)"]
    for role, _, officer in DEMO_ACCOUNTS:
        linked = f"  (officer {officer})" if officer else ""
        lines.append(f"    {role:<11} password {demo_password(role)}{linked}")
    return lines
