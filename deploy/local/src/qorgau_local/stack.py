"""`make run`: everything Qorgau needs on one machine, started in order, stopped in order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from intake.__main__ import SAMPLE_GAZETTEER
from intake.consumers import MIGRATIONS as INTAKE_MIGRATIONS
from intake.domain.crypto import new_key_spec
from intake.domain.linking import new_link_key
from intake.usecases.load_gazetteer import load_gazetteer
from notify.consumers import MIGRATIONS as NOTIFY_MIGRATIONS
from qorgau_common.auth import create_token
from qorgau_common.db import migrate
from qorgau_common.kafka import ensure_topics
from routing.consumers import MIGRATIONS as ROUTING_MIGRATIONS
from routing.seed import seed_demo

from .broker import BrokerError, port_in_use, start_tansu
from .config import LocalSettings
from .console_demo import ConsoleTokens, banner_lines, console_env, prepare_console
from .postgres import Postgres, find_postgres, stop_quietly
from .procs import child_preexec, stop_process

SCHEMAS = {"intake": INTAKE_MIGRATIONS, "routing": ROUTING_MIGRATIONS, "notify": NOTIFY_MIGRATIONS}
READY_LINE = "Qorgau is ready."


async def migrate_all(database_url: str) -> None:
    """Apply every service's migrations (each to its own schema); safe to repeat."""
    for schema, packages in SCHEMAS.items():
        await migrate(database_url, schema, packages)


class StackError(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"[qorgau] {message}", flush=True)


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path | None
    health_url: str | None = None


@dataclass
class Stack:
    settings: LocalSettings
    postgres: Postgres | None = None
    broker: subprocess.Popen[bytes] | None = None
    children: list[Child] = field(default_factory=list)
    database_url: str = ""
    bootstrap: str = ""
    console_tokens: ConsoleTokens | None = None

    @property
    def logs(self) -> Path:
        return self.settings.state_dir / "logs"

    async def prepare(self) -> None:
        """PostgreSQL, broker, topics, migrations, demo roster, operator token."""
        s = self.settings
        s.state_dir.mkdir(parents=True, exist_ok=True)
        self.postgres = await find_postgres(s.database_url, s.state_dir / "pgdata")
        self.database_url = (
            s.database_url
            if s.database_url
            else await self.postgres.create_database(s.database_name)
        )
        say(f"PostgreSQL: {self.postgres.source}")
        if s.kafka_bootstrap_servers:
            self.bootstrap = s.kafka_bootstrap_servers
            say(f"Kafka: {self.bootstrap} (configured)")
        else:
            self.broker = start_tansu(s.kafka_port, self.logs / "tansu.log")
            self.bootstrap = f"127.0.0.1:{s.kafka_port}"
            say(f"Kafka: bundled Tansu on {self.bootstrap} (memory only)")
        created = await ensure_topics(self.bootstrap)
        say(f"topics ready ({len(created)} created)")
        await migrate_all(self.database_url)
        say("migrations applied")
        officers = await seed_demo(self.database_url, days=7)
        say(f"demo roster: {officers} officers over six districts, shifts covering now")
        await self._sample_gazetteer()
        await self._operator_token()
        self.console_tokens = await prepare_console(self.database_url, s.state_dir)
        say("console: service tokens and demo accounts ready")

    async def _operator_token(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.database_url)
        try:
            await create_token(
                conn, "intake", "local-operator", "operator", self.settings.operator_token
            )
        finally:
            await conn.close()

    async def _sample_gazetteer(self) -> None:
        """Load intake's SAMPLE street gazetteer once, unless a gazetteer is already loaded."""
        import asyncpg

        conn = await asyncpg.connect(self.database_url)
        try:
            if await conn.fetchval("SELECT count(*) FROM intake.gazetteer_versions"):
                return
            version, rows = await load_gazetteer(
                conn,
                SAMPLE_GAZETTEER.read_text("utf-8"),
                source=SAMPLE_GAZETTEER.name,
                loaded_by="make run",
            )
        finally:
            await conn.close()
        say(f"sample gazetteer loaded (version {version}, {rows} streets; a SAMPLE, not official)")

    def _dev_secret(self, variable: str, file_name: str, generate: Callable[[], str]) -> str:
        """The configured value, else one generated on the first run and kept in the state
        folder (0600), so records written by one run can be read by the next."""
        configured = os.environ.get(variable)
        if configured:
            return configured
        path = self.settings.state_dir / file_name
        if not path.exists():
            path.write_text(generate())
            path.chmod(0o600)
        return path.read_text().strip()

    def _service_env(self) -> dict[str, str]:
        s = self.settings
        return {
            **os.environ,
            "QORGAU_DATABASE_URL": self.database_url,
            "QORGAU_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "QORGAU_INTAKE_HTTP_PORT": str(s.intake_port),
            "QORGAU_ROUTING_HTTP_PORT": str(s.routing_port),
            "QORGAU_NOTIFY_HTTP_PORT": str(s.notify_port),
            "QORGAU_INTAKE_ENCRYPTION_KEYS": self._dev_secret(
                "QORGAU_INTAKE_ENCRYPTION_KEYS",
                "intake-encryption-keys",
                lambda: new_key_spec("local1"),
            ),
            "QORGAU_INTAKE_LINK_KEY": self._dev_secret(
                "QORGAU_INTAKE_LINK_KEY", "intake-link-key", new_link_key
            ),
            # Drills may go to the development SMSC: it is a simulator, never a phone.
            **(
                {
                    "QORGAU_NOTIFY_SMPP_PORT": str(s.smsc_port),
                    "QORGAU_NOTIFY_EXERCISE_PROVIDER": os.environ.get(
                        "QORGAU_NOTIFY_EXERCISE_PROVIDER", "smpp"
                    ),
                }
                if s.smsc
                else {}
            ),
            **(
                console_env(self.console_tokens, s.console_port, s.intake_port, s.routing_port)
                if self.console_tokens
                else {}
            ),
            "PYTHONUNBUFFERED": "1",
        }

    def _spawn(
        self,
        name: str,
        args: list[str],
        *,
        to_terminal: bool = False,
        health_url: str | None = None,
    ) -> None:
        log_path = None if to_terminal else self.logs / f"{name}.log"
        self.logs.mkdir(parents=True, exist_ok=True)
        out = None if to_terminal else (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", *args],
            env=self._service_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            preexec_fn=child_preexec,
        )
        if out is not None:
            out.close()
        self.children.append(Child(name, proc, log_path, health_url))

    def start_processes(self) -> None:
        s = self.settings
        ports = {"intake": s.intake_port, "routing": s.routing_port, "notify": s.notify_port}
        ports["console"] = s.console_port
        if s.smsc:
            ports["smsc"] = s.smsc_port
        busy = [f"{name} ({port})" for name, port in ports.items() if port_in_use(port)]
        if busy:
            raise StackError(
                f"ports already in use: {', '.join(busy)}; stop what uses them or set "
                "QORGAU_LOCAL_<NAME>_PORT"
            )
        if s.smsc:
            # The control endpoint (port + 1) lets a person answer as an inspector:
            # `python -m qorgau_local smsc reply PHONE TEXT`.
            control = ["--http-port", str(s.smsc_port + 1)]
            args = ["qorgau_local", "smsc", "--port", str(s.smsc_port), *control]
            if s.smsc_auto_reply:
                args += ["--auto-reply", s.smsc_auto_reply]
            self._spawn("smsc", args, to_terminal=True)
        for name, port in ports.items():
            if name != "smsc":
                self._spawn(
                    name, [name, "serve"], health_url=f"http://127.0.0.1:{port}/health/ready"
                )

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + self.settings.ready_timeout_s
        pending = [c for c in self.children if c.health_url]
        async with httpx.AsyncClient(timeout=2) as client:
            while pending:
                self.check_children()
                if time.monotonic() > deadline:
                    names = ", ".join(c.name for c in pending)
                    raise StackError(
                        f"not ready after {self.settings.ready_timeout_s:.0f}s: {names}"
                    )
                still = []
                for child in pending:
                    assert child.health_url is not None
                    try:
                        ok = (await client.get(child.health_url)).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    if not ok:
                        still.append(child)
                pending = still
                if pending:
                    await asyncio.sleep(0.2)

    def check_children(self) -> None:
        for child in self.children:
            code = child.proc.poll()
            if code is not None:
                where = f"; see {child.log_path}" if child.log_path else ""
                tail = _tail(child.log_path) if child.log_path else ""
                raise StackError(f"{child.name} exited with code {code}{where}{tail}")

    def stop(self) -> None:
        """Services first (they finish in-flight work), then the SMSC, broker, database."""
        for child in reversed(self.children):
            if child.proc.poll() is None:
                child.proc.terminate()
        for child in reversed(self.children):
            stop_process(child.proc, timeout=25)
        self.children.clear()
        if self.broker is not None:
            stop_process(self.broker, timeout=5)
            self.broker = None
        stop_quietly(self.postgres)
        self.postgres = None

    def banner(self) -> str:
        s = self.settings
        token = s.operator_token
        lines = [
            READY_LINE,
            f"  intake API    http://127.0.0.1:{s.intake_port}/v1/reports",
            f"  API docs      http://127.0.0.1:{s.intake_port}/docs",
            f"  routing       http://127.0.0.1:{s.routing_port}/health/ready  (docs /docs)",
            f"  notify        http://127.0.0.1:{s.notify_port}/health/ready  (docs /docs)",
            f"  metrics       http://127.0.0.1:{{{s.intake_port},{s.routing_port},"
            f"{s.notify_port}}}/metrics",
            f"  Kafka         {self.bootstrap}",
            f"  PostgreSQL    {self.postgres.source if self.postgres else 'configured'}",
        ]
        if s.smsc:
            reply = f", answers '{s.smsc_auto_reply} <code>'" if s.smsc_auto_reply else ""
            control = (
                f" --control http://127.0.0.1:{s.smsc_port + 1}" if s.smsc_port != 2775 else ""
            )
            lines += [
                f"  dev SMSC      smpp://127.0.0.1:{s.smsc_port} (prints every SMS{reply})",
                f"  reply as an inspector: .venv/bin/python -m qorgau_local smsc{control}"
                " reply PHONE '1 CODE'",
            ]
        lines += [
            *banner_lines(s.console_port),
            f"  service logs  {self.logs}/",
            f"  operator token: {token}",
            "Submit a report (README has more):",
            f"  curl -s -X POST http://127.0.0.1:{s.intake_port}/v1/reports \\",
            f"    -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\",
            "    -d @docs/examples/report.json",
            "  (a repeated call_id returns the first incident; change it to send another)",
            "Press Ctrl-C to stop.",
        ]
        return "\n".join(lines)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\n" + "\n".join(f"    {line}" for line in content)


async def run(settings: LocalSettings) -> int:
    stack = Stack(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    started = time.monotonic()
    try:
        await stack.prepare()
        stack.start_processes()
        await stack.wait_ready()
        print(stack.banner(), flush=True)
        say(f"ready in {time.monotonic() - started:.1f}s")
        while not stopping.is_set():
            stack.check_children()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), 0.5)
        say("stopping")
        return 0
    except (StackError, BrokerError) as exc:
        say(f"error: {exc}")
        return 1
    finally:
        await asyncio.to_thread(stack.stop)
        say("stopped; nothing of ours is left running")
