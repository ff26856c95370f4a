"""The whole stack as separate processes one program owns: the fault suite and the bench.

An embedded PostgreSQL (its own data folder, so it can be killed -9 and started again on the
same data), the bundled broker (which keeps nothing across a restart), the development SMSC
(writing every SMS it receives, with the time, to a record file) and intake, routing and
notify (`python -m <service> serve`) with the environment `make run` gives them, on loopback
ports of their own. Each part can be stopped, killed -9 and started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil

from .broker import free_ports, start_tansu, wait_for_port
from .config import LocalSettings
from .postgres import Postgres, answers, start_embedded, stop_quietly
from .procs import child_preexec, stop_process
from .stack import Stack

T = TypeVar("T")

SERVICES = ("intake", "routing", "notify")

# An alert SMS ("Qorgau K7Q2 СРОЧНО ...", a drill prefixed), not an answer ("Qorgau K7Q2: ...").
ALERT = re.compile(r"(?:^|\s)Qorgau ([A-Z0-9]{4}) ")


@dataclass
class Sms:
    at: float
    to: str
    text: str

    @property
    def code(self) -> str | None:
        match = ALERT.search(self.text)
        return match.group(1) if match else None


class SmsRecord:
    """What the SMSC process wrote to its record file, read incrementally."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sms: list[Sms] = []
        self._offset = 0

    def refresh(self) -> list[Sms]:
        if not self.path.exists():
            return self.sms
        with self.path.open("rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next read
        self._offset += end
        for line in data[:end].splitlines():
            if line.strip():
                raw = json.loads(line)
                self.sms.append(Sms(float(raw["at"]), str(raw["to"]), str(raw["text"])))
        return self.sms


def _say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


class ProcessStack:
    """PostgreSQL, broker, SMSC and the three services, each a process this object owns."""

    def __init__(
        self,
        state: Path,
        *,
        env: Mapping[str, str] | None = None,
        smsc_behaviour: Mapping[str, Any] | None = None,
        smsc_auto_reply: str | None = "1",
        ready_within_s: float = 90.0,
        pg_settings: Mapping[str, str] | None = None,
        say: Callable[[str], None] = _say,
    ) -> None:
        """`env`: service settings over what `make run` gives them; `smsc_behaviour`: the
        SMSC's switches (`SmscBehaviour`) set once it listens; `pg_settings`: server settings
        of the embedded PostgreSQL (e.g. `shared_preload_libraries`), applied with a restart
        before anything connects."""
        self.state = state
        self.logs = state / "logs"
        self.extra_env = dict(env or {})
        self.smsc_behaviour = dict(smsc_behaviour or {})
        self.smsc_auto_reply = smsc_auto_reply
        self.ready_within_s = ready_within_s
        self.pg_settings = dict(pg_settings or {})
        self.say = say
        names = ("kafka", "intake", "routing", "notify", "console", "smsc", "smsc_http")
        self.ports = dict(zip(names, free_ports(len(names)), strict=True))
        self.bootstrap = f"127.0.0.1:{self.ports['kafka']}"
        self.pg: Postgres | None = None
        self.database_url = ""
        self.broker: subprocess.Popen[bytes] | None = None
        self.smsc: subprocess.Popen[bytes] | None = None
        self.services: dict[str, subprocess.Popen[bytes]] = {}
        self.env: dict[str, str] = {}
        self.operator_token = ""
        self.killing: set[str] = set()  # parts taken down on purpose (killed or stopped)
        self.crashes: list[str] = []  # parts that exited by themselves
        self.record = SmsRecord(state / "sms.jsonl")
        # Blocking steps (kill and wait, start a server) get threads of their own: asyncio's
        # default executor is the client's getaddrinfo, and must not delay a fault.
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stack")

    async def _blocking(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, functools.partial(fn, *args)
        )

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['intake']}"

    @property
    def smsc_control_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['smsc_http']}"

    # start and stop

    async def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.pg = await self._blocking(start_embedded, self.state / "pgdata")
        if self.pg_settings:
            await self._configure_postgres()
        self.database_url = await self.pg.create_database("qorgau")
        self.broker = await self._blocking(
            start_tansu, self.ports["kafka"], self.logs / "tansu.log"
        )
        settings = LocalSettings.model_validate(
            {
                "QORGAU_DATABASE_URL": self.database_url,
                "QORGAU_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "state_dir": self.state,
                "intake_port": self.ports["intake"],
                "routing_port": self.ports["routing"],
                "notify_port": self.ports["notify"],
                "console_port": self.ports["console"],
                "smsc_port": self.ports["smsc"],
                "kafka_port": self.ports["kafka"],
            }
        )
        self.operator_token = settings.operator_token
        stack = Stack(settings)
        await stack.prepare()  # topics, migrations, demo roster, gazetteer, tokens
        self.env = {
            **stack._service_env(),  # exactly what `make run` gives the services
            **self.extra_env,
        }
        args = [
            "qorgau_local",
            "smsc",
            "--port",
            str(self.ports["smsc"]),
            "--http-port",
            str(self.ports["smsc_http"]),
            "--record",
            str(self.record.path),
        ]
        if self.smsc_auto_reply:
            args += ["--auto-reply", self.smsc_auto_reply]
        self.smsc = self._spawn("smsc", args)
        await self._blocking(wait_for_port, self.ports["smsc"], 30, self.smsc)
        await self._blocking(wait_for_port, self.ports["smsc_http"], 30, self.smsc)
        if self.smsc_behaviour:
            async with httpx.AsyncClient(timeout=5) as client:
                switched = await client.post(
                    f"{self.smsc_control_url}/behaviour", json=self.smsc_behaviour
                )
                switched.raise_for_status()
        for name in SERVICES:
            self.services[name] = self._spawn(name, [name, "serve"])
        await asyncio.gather(*(self.wait_ready(name) for name in SERVICES))

    async def _configure_postgres(self) -> None:
        """ALTER SYSTEM each setting, then a fast restart on the same data so it applies."""
        assert self.pg is not None
        import asyncpg

        conn = await asyncpg.connect(self.pg.server_url)
        try:
            for name, value in self.pg_settings.items():
                await conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        finally:
            await conn.close()
        server = self._embedded()

        def restart() -> None:
            postmaster = psutil.Process(server.get_pid())
            postmaster.send_signal(signal.SIGINT)  # fast shutdown
            postmaster.wait(30)
            with server._lock:
                server.ensure_postgres_running()

        await self._blocking(restart)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", *args],
                env=self.env or {**os.environ, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=child_preexec,
            )

    async def wait_ready(self, name: str) -> float:
        """Until the service's readiness probe says 200; when that was."""
        url = f"http://127.0.0.1:{self.ports[name]}/health/ready"
        deadline = time.monotonic() + self.ready_within_s
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200:
                        return time.time()
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{name} not ready within {self.ready_within_s:.0f} s")

    def stop(self) -> None:
        """Everything this stack started, services first; nothing is left running."""
        procs = [p for p in self.services.values() if p.poll() is None]
        for proc in procs:
            proc.terminate()
        for proc in procs:
            stop_process(proc, timeout=15)
        self.services.clear()
        for other in (self.smsc, self.broker):
            if other is not None:
                stop_process(other, timeout=5)
        self.smsc = self.broker = None
        stop_quietly(self.pg)
        self.pg = None
        self._threads.shutdown(wait=False, cancel_futures=True)

    # one part at a time

    async def stop_service(self, name: str) -> None:
        """A graceful stop (SIGTERM, as a deployment would), kept down until `start_service`."""
        self.killing.add(name)
        await self._blocking(stop_process, self.services[name], 20.0)

    async def start_service(self, name: str) -> float:
        """Start a stopped service again; when it was ready."""
        self.services[name] = self._spawn(name, [name, "serve"])
        try:
            return await self.wait_ready(name)
        finally:
            self.killing.discard(name)

    async def kill(self, name: str) -> None:
        """Kill -9 one part: a service, the broker, or PostgreSQL (postmaster and backends)."""
        await self._blocking(self._kill, name)

    def _kill(self, name: str) -> None:
        if name in SERVICES:
            proc = self.services[name]
            proc.kill()
            proc.wait(10)
        elif name == "broker":
            assert self.broker is not None
            self.broker.kill()
            self.broker.wait(10)
        elif name == "postgres":
            server = self._embedded()
            postmaster = psutil.Process(server.get_pid())
            everything = [postmaster, *postmaster.children(recursive=True)]
            for part in everything:
                with contextlib.suppress(psutil.NoSuchProcess):
                    part.send_signal(signal.SIGKILL)
            psutil.wait_procs(everything, timeout=10)
        else:
            raise ValueError(f"unknown part {name!r}")

    async def restart(self, name: str) -> None:
        """Start a killed part again (the broker empty: no topics, no offsets)."""
        if name in SERVICES:
            self.services[name] = self._spawn(name, [name, "serve"])
        elif name == "broker":
            self.broker = await self._blocking(
                start_tansu, self.ports["kafka"], self.logs / "tansu.log"
            )
        else:
            server = self._embedded()

            def start_again() -> None:
                with server._lock:
                    server.ensure_postgres_running()  # crash recovery on the same data

            await self._blocking(start_again)

    async def ready(self, name: str) -> float:
        """Until a restarted part answers; when it did."""
        if name in SERVICES:
            return await self.wait_ready(name)
        if name == "postgres":
            deadline = time.monotonic() + self.ready_within_s
            while not await answers(self.database_url, 1.0):
                if time.monotonic() > deadline:
                    raise TimeoutError("PostgreSQL does not answer after its restart")
                await asyncio.sleep(0.1)
        return time.time()

    def _embedded(self) -> Any:
        assert self.pg is not None
        assert self.pg._embedded is not None
        return self.pg._embedded

    def processes(self) -> dict[str, psutil.Process]:
        """The running parts by name; `postgres` is the postmaster (its backends are its
        children)."""
        out: dict[str, psutil.Process] = {}
        for name, proc in [
            *self.services.items(),
            ("broker", self.broker),
            ("smsc", self.smsc),
        ]:
            if proc is not None and proc.poll() is None:
                out[name] = psutil.Process(proc.pid)
        if self.pg is not None and self.pg._embedded is not None:
            with contextlib.suppress(psutil.Error, TypeError):
                out["postgres"] = psutil.Process(self._embedded().get_pid())
        return out

    async def watch(self) -> None:
        """Until cancelled: a service that exits by itself is noted and started again, so a
        run can still count what it did."""
        while True:
            await asyncio.sleep(0.5)
            for name, proc in list(self.services.items()):
                if name not in self.killing and proc.poll() is not None:
                    self.crashes.append(f"{name} exited by itself (code {proc.returncode})")
                    self.say(f"{name} exited by itself with code {proc.returncode}; starting it")
                    self.services[name] = self._spawn(name, [name, "serve"])


def pg_settings_for_statement_counts() -> dict[str, str]:
    """What the bench asks of its embedded PostgreSQL to count statements per report."""
    return {"shared_preload_libraries": "pg_stat_statements"}


__all__ = [
    "ALERT",
    "SERVICES",
    "ProcessStack",
    "Sms",
    "SmsRecord",
    "pg_settings_for_statement_counts",
]
