"""A launcher run that shares nothing with a `make run` on the same machine.

Its own ports, state folder and database, and notify pointed at an SMSC the caller owns.
Used by the end-to-end test and the benchmark.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .broker import free_ports
from .stack import READY_LINE


@dataclass
class Isolated:
    proc: asyncio.subprocess.Process
    ports: dict[str, int]
    output: list[str] = field(default_factory=list)

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['intake']}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['console']}"

    async def interrupt(self, within_s: float = 60) -> int:
        """Ctrl-C, as a person would; the exit code."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            async with asyncio.timeout(within_s):
                return await self.proc.wait()
        except TimeoutError:
            self.proc.kill()
            raise


async def _collect(proc: asyncio.subprocess.Process, lines: list[str]) -> None:
    assert proc.stdout is not None
    async for raw in proc.stdout:
        lines.append(raw.decode(errors="replace").rstrip())


@asynccontextmanager
async def launched(
    database_url: str,
    smpp_port: int,
    state_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    ready_within_s: float = 120,
) -> AsyncIterator[Isolated]:
    names = ("intake", "routing", "notify", "console", "kafka")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = {
        **os.environ,
        "QORGAU_DATABASE_URL": database_url,
        "QORGAU_LOCAL_STATE_DIR": str(state_dir),
        "QORGAU_LOCAL_SMSC": "false",
        "QORGAU_NOTIFY_SMPP_PORT": str(smpp_port),
        **{f"QORGAU_LOCAL_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        **(extra_env or {}),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qorgau_local",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    stack = Isolated(proc, ports)
    reader = asyncio.create_task(_collect(proc, stack.output))
    try:
        async with asyncio.timeout(ready_within_s):
            while READY_LINE not in stack.output:
                if proc.returncode is not None:
                    raise RuntimeError("launcher exited:\n" + "\n".join(stack.output))
                await asyncio.sleep(0.05)
        yield stack
    finally:
        if proc.returncode is None:
            await stack.interrupt()
        reader.cancel()
