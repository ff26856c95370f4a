"""Where each service spends its CPU at saturation, per stage, in ms of CPU per report.

The process stack of `stack_bench.py` (same settings), loaded by closed-loop clients while
py-spy samples intake, routing and notify (`--nonblocking`, all threads, idle excluded).
Each sample goes to the first stage in `STAGES` that one of its frames matches, so a SQL
call made by the relay counts as the relay, and logging anywhere counts as logging. A
stage's ms per report is its share of the process's samples times the process's CPU
seconds (psutil, over the same window) divided by the reports; PostgreSQL (every backend)
and the broker are measured by psutil only. Statements per report come from
pg_stat_statements in the stack's own PostgreSQL.

    .venv/bin/python bench/stack_profile.py --reports 4000 --concurrency 64
    .venv/bin/python bench/stack_profile.py --reports 1500 --steady 50   # at a steady rate
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
from qorgau_local.process_stack import ProcessStack, pg_settings_for_statement_counts
from stack_bench import (  # bench/stack_bench.py
    BENCH_ENV,
    SMSC_BEHAVIOUR,
    closed_loop,
    cpu_snapshot,
    db_counts,
    open_loop,
    quiet,
    say,
    sms_for,
)

PROFILED = ("intake", "routing", "notify")

# A sample belongs to a component when any frame of its stack is in it (everything the relay
# does, its SQL and its logging included, is the relay's) ...
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "receipts and replies (notify.inbound)",
        ("_inbound_event", "keep_inbound", "record_receipt", "answer_reply"),
    ),
    ("outbox relay", ("qorgau_common/relay.py", "qorgau_common/outbox.py")),
)
# ... else to the layer of its innermost frame that is not asyncio's or another stdlib
# module's (so a socket write counts for the library that wrote: asyncpg, aiokafka, uvicorn).
# py-spy names a frame by its path under site-packages, and namespace packages lose their
# first part: OpenTelemetry's frames are `trace/...`, `propagate/...`, `asgi/__init__.py`
# and `fastapi/__init__.py` (its FastAPI instrumentation; FastAPI's own __init__ runs none).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # smpp34's Rust work is sampled as the Python line awaiting it.
    ("SMPP encoding and session (smpp34)", ("notify/providers/smpp/", "smpp34")),
    ("logging", ("logging/__init__.py", "structlog/", "qorgau_common/logging.py")),
    (
        "tracing (OpenTelemetry)",
        (
            "trace/",
            "propagate/",
            "baggage/",
            "context/__init__.py",
            "contextvars_context.py",
            "asgi/__init__.py",
            "fastapi/__init__.py",
            "qorgau_common/tracing.py",
            "util/instrumentation.py",
            "_semconv.py",
            "composite.py",
            "attributes/",
            "sdk/",
        ),
    ),
    ("encryption and link HMAC", ("intake/domain/crypto", "cryptography/", "hmac.py")),
    ("SQL (asyncpg)", ("asyncpg/",)),
    ("validation (pydantic, FastAPI)", ("pydantic", "fastapi/", "fast_depends", "phonenumbers")),
    ("HTTP (uvicorn, httptools, starlette)", ("uvicorn/", "h11/", "httptools", "starlette/")),
    ("Kafka client (aiokafka)", ("aiokafka/",)),
    ("FastStream", ("faststream/",)),
    ("JSON", ("json/", "orjson")),
    ("metrics (prometheus_client)", ("prometheus_client",)),
    (
        "consumer guard",
        ("qorgau_common/consumer.py", "qorgau_common/inbox.py", "qorgau_common/routes.py"),
    ),
    ("retries (tenacity)", ("tenacity",)),
    (
        "service code (handlers, use cases, domain)",
        ("intake/", "routing/", "notify/", "qorgau_common/", "qorgau_contracts/"),
    ),
)
LOOP = "asyncio loop and sockets"
OTHER = "other"
STAGES = (*(name for name, _ in COMPONENTS + LAYERS), LOOP, OTHER)
_STDLIB = ("asyncio/", "selectors.py", "<frozen", "contextlib.py", "threading.py", "uvloop")
# py-spy's --nonblocking mode counts a thread parked in epoll as active: not CPU, left out.
IDLE_LEAVES = ("EpollSelector.select (selectors.py", "select (selectors.py")


def stage_of(stack: str) -> str | None:
    """The stage a sample belongs to; None when it is the loop waiting for work."""
    frames = stack.split(";")
    if frames[-1].startswith(IDLE_LEAVES):
        return None
    for stage, needles in COMPONENTS:
        if any(needle in frame for frame in frames for needle in needles):
            return stage
    for frame in reversed(frames):
        if any(lib in frame for lib in _STDLIB):
            continue
        for stage, needles in LAYERS:
            if any(needle in frame for needle in needles):
                return stage
    return LOOP if any("asyncio/" in frame for frame in frames) else OTHER


def read_raw(path: Path) -> tuple[Counter[str], int, int]:
    """py-spy's raw (collapsed) output, `frame;frame;... count` per line: samples by stage,
    samples whose innermost frame is asyncio's socket write, and idle samples."""
    stages: Counter[str] = Counter()
    sends = idle = 0
    if not path.exists():
        return stages, sends, idle
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not (stack and count.isdigit()):
            continue
        stage = stage_of(stack)
        if stage is None:
            idle += int(count)
            continue
        stages[stage] += int(count)
        leaf = stack.rsplit(";", 1)[-1]
        if "selector_events.py" in leaf and ".write " in leaf:
            sends += int(count)
    return stages, sends, idle


def start_py_spy(pid: int, out: Path, rate: int) -> subprocess.Popen[bytes]:
    py_spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen(
        [
            *(str(py_spy), "record", "--pid", str(pid), "--format", "raw"),
            *("--rate", str(rate), "--nonblocking", "--output", str(out)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


TOP_STATEMENTS = """
SELECT calls, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = current_database() AND query NOT LIKE '%pg_stat_%'
ORDER BY {order} DESC LIMIT $1
"""


async def run(
    reports: int, concurrency: int, rate: int, state: Path, steady: float | None = None
) -> dict[str, Any]:
    stack = ProcessStack(
        state,
        env=dict(BENCH_ENV),
        smsc_behaviour=SMSC_BEHAVIOUR,
        smsc_auto_reply="1",
        pg_settings=pg_settings_for_statement_counts(),
        say=say,
    )
    run_id = uuid.uuid4().hex[:6]
    try:
        say(f"starting the stack in {state}")
        await stack.start()
        conn = await asyncpg.connect(stack.database_url)
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            say("warm-up: 200 reports")
            warm = await closed_loop(stack, f"{run_id}w", 200, concurrency)
            await sms_for(stack, warm, 120)
            await quiet(stack)  # the warm-up's replies and acknowledgements done
            await conn.execute("SELECT pg_stat_statements_reset()")
            statements0, commits0 = await db_counts(conn)
            pids = {name: proc.pid for name, proc in stack.processes().items()}
            spies = {
                name: start_py_spy(pids[name], state / f"{name}.pyspy.txt", rate)
                for name in PROFILED
            }
            await asyncio.sleep(1)  # py-spy attached
            cpu0 = cpu_snapshot(stack)
            started = time.time()
            if steady:
                say(f"profiling: {reports} reports at a steady {steady:g}/s")
                records = await open_loop(
                    stack, f"{run_id}p", steady, reports / steady, concurrency
                )
            else:
                say(f"profiling: {reports} reports from {concurrency} clients")
                records = await closed_loop(stack, f"{run_id}p", reports, concurrency)
            arrived = await sms_for(stack, records, 900)
            sms_s = time.time() - started
            await quiet(stack)  # each report's whole story: replies, acknowledgements
            cpu1 = cpu_snapshot(stack)
            window_s = time.time() - started
            for spy in spies.values():
                spy.send_signal(signal.SIGINT)
            for name, spy in spies.items():
                _, err = spy.communicate(timeout=60)
                say(f"py-spy {name}: {err.decode(errors='replace').strip().splitlines()[-2:]}")
            statements1, commits1 = await db_counts(conn)
            top = [
                (int(r["calls"]), str(r["query"]))
                for r in await conn.fetch(TOP_STATEMENTS.format(order="calls"), 25)
            ]
            costly = [
                (float(r["total_exec_time"]), int(r["calls"]), str(r["query"]))
                for r in await conn.fetch(TOP_STATEMENTS.format(order="total_exec_time"), 10)
            ]
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(stack.stop)
    n = len(arrived)
    cpu_ms = {k: (cpu1.get(k, 0.0) - v) * 1000 / max(1, n) for k, v in cpu0.items()}
    return {
        "reports": reports,
        "steady_rate_per_s": steady,
        "sms": n,
        "window_s": round(window_s, 1),  # until the stack was quiet again
        "sms_s": round(sms_s, 1),  # until the last alert SMS
        "sms_per_s_over_window": round(n / sms_s, 1),
        "cpu_ms_per_report": {k: round(v, 2) for k, v in cpu_ms.items()},
        "services": by_stage(state, cpu_ms),
        "statements_per_report": round((statements1 - statements0) / max(1, n), 1),
        "commits_per_report": round((commits1 - commits0) / max(1, n), 1),
        "top_statements_per_report": [(round(c / max(1, n), 2), q) for c, q in top],
        "costliest_statements_per_report": [
            (round(ms / max(1, n), 3), round(c / max(1, n), 2), q) for ms, c, q in costly
        ],
    }


def by_stage(state: Path, cpu_ms: dict[str, float]) -> dict[str, Any]:
    """Each profiled service's CPU per report, split by its share of non-idle samples."""
    services: dict[str, Any] = {}
    for name in PROFILED:
        stages, sends, idle = read_raw(state / f"{name}.pyspy.txt")
        total = sum(stages.values())
        services[name] = {
            "cpu_ms_per_report": round(cpu_ms.get(name, 0.0), 2),
            "samples": total,
            "idle_samples": idle,
            "socket_send_leaf_share": round(sends / total, 3) if total else 0.0,
            "stages_ms_per_report": {
                stage: round(cpu_ms.get(name, 0.0) * count / total, 2)
                for stage, count in stages.most_common()
            }
            if total
            else {},
        }
    return services


def render(result: dict[str, Any]) -> str:
    lines = [
        f"profile: {result['sms']} reports to SMS in {result['sms_s']} s"
        f" ({result['sms_per_s_over_window']}/s), the stack quiet again after"
        f" {result['window_s']} s; CPU ms per report (until quiet):",
        "  " + ", ".join(f"{k} {v:.2f}" for k, v in result["cpu_ms_per_report"].items()),
    ]
    stages = STAGES
    header = f"  {'stage':<40}" + "".join(f"{name:>10}" for name in PROFILED)
    lines += ["  ms of CPU per report, by stage (py-spy share x psutil CPU):", header]
    for stage in stages:
        row = [result["services"][name]["stages_ms_per_report"].get(stage) for name in PROFILED]
        if any(row):
            lines.append(
                f"  {stage:<40}" + "".join(f"{v:>10.2f}" if v else f"{'-':>10}" for v in row)
            )
    lines.append(
        f"  {'total (psutil)':<40}"
        + "".join(f"{result['services'][n]['cpu_ms_per_report']:>10.2f}" for n in PROFILED)
    )
    lines.append(
        f"  {'of the samples, in a socket write':<40}"
        + "".join(f"{result['services'][n]['socket_send_leaf_share']:>10.1%}" for n in PROFILED)
    )
    lines.append(
        f"  statements per report {result['statements_per_report']},"
        f" commits per report {result['commits_per_report']}; most called, per report:"
    )
    lines += [f"    {c:>6.2f}  {q}" for c, q in result["top_statements_per_report"]]
    lines.append("  costliest in the server (execution ms per report, calls per report):")
    lines += [
        f"    {ms:>6.3f} {c:>6.2f}  {q}"
        for ms, c, q in result.get("costliest_statements_per_report", [])
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument(
        "--steady",
        type=float,
        metavar="REPORTS_PER_S",
        help="send at this steady rate (open loop) instead of from closed-loop clients",
    )
    parser.add_argument("--state-dir", default=".qorgau/bench")
    parser.add_argument(
        "--again", metavar="PROFILE_DIR", help="only analyse a profile run's files again"
    )
    args = parser.parse_args()
    if args.again:
        again = Path(args.again)
        result = json.loads((again / "profile.json").read_text())
        result["services"] = by_stage(again, result["cpu_ms_per_report"])
        (again / "profile.json").write_text(json.dumps(result, indent=2) + "\n")
        print(render(result), flush=True)
        return 0
    state = Path(args.state_dir) / time.strftime("profile-%Y%m%d-%H%M%S")
    result = asyncio.run(run(args.reports, args.concurrency, args.rate, state, args.steady))
    (state / "profile.json").write_text(json.dumps(result, indent=2) + "\n")
    print(render(result), flush=True)
    say(f"profile: {state}/profile.json; raw stacks: {state}/*.pyspy.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
