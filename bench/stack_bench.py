"""`make bench`: the whole stack as processes, measured against this machine's raw limit.

One run, in this order, on the process stack (`qorgau_local.process_stack`: an embedded
PostgreSQL with pg_stat_statements, the bundled broker, the development SMSC answering every
alert with "1 <code>", intake, routing and notify as separate processes):

1. raw limit (`raw_limits.py`): a raw aiokafka hop, and raw insert+outbox transactions on the
   stack's own PostgreSQL on 1 and on 8 connections;
2. saturation: many concurrent clients POST /v1/reports; accepted/s at intake and alert SMS/s
   at the SMSC, each over the steady middle (10th to 90th percentile) of its arrivals; broken
   connections counted apart (the client retries them with the same Idempotency-Key); peak
   RSS and CPU seconds per report of every process; statements and commits per report;
3. latency at a steady rate (50 reports/s): report → alert SMS at the SMSC, p50 and p99;
4. backlog: routing and notify stopped, N reports accepted, both started again; the drain
   is timed from the restart until every report has its SMS.

Figures are printed and written to <state>/stack_bench.json; nothing is judged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil
import raw_limits  # bench/raw_limits.py
from light_http import LightClient, TransportError  # bench/light_http.py
from qorgau_local.chaos import report_body
from qorgau_local.process_stack import ProcessStack, pg_settings_for_statement_counts

# SMPP must not be the ceiling: notify may submit far faster than the stack can route, and the
# development SMSC answers every submit_sm at once (no delay, no throttling).
SMPP_RATE_PER_S = 5000
SMPP_WINDOW = 64
BENCH_ENV: Mapping[str, str] = {
    "QORGAU_NOTIFY_SMPP_RATE_PER_S": str(SMPP_RATE_PER_S),
    "QORGAU_NOTIFY_SMPP_WINDOW": str(SMPP_WINDOW),
    # The pipeline, not the escalation policy: behind a backlog the ack deadlines (2-15 min)
    # pass while the auto-replies queue, and each escalation alerts another officer, so the
    # work per report would grow with the backlog (seen: 338 "nobody to assign" in one run).
    "QORGAU_ROUTING_ACK_DEADLINE_DANGER_NOW_S": "3600",
    "QORGAU_ROUTING_ACK_DEADLINE_HIGH_S": "3600",
    "QORGAU_ROUTING_ACK_DEADLINE_STANDARD_S": "3600",
}
SMSC_BEHAVIOUR: Mapping[str, Any] = {"submit_delay_s": 0.0, "throttle_next": 0}

# The label of every figure, as printed (tests/system/test_bench_smoke.py looks for each).
LABELS = (
    "raw kafka hop msg/s",
    "raw PG tx/s on 1 connection",
    "raw PG tx/s on 8 connections",
    "saturation accepted reports/s",
    "saturation e2e SMS/s",
    "saturation broken connections",
    "saturation POST p50/p99",
    "steady latency report->SMS p50",
    "steady latency report->SMS p99",
    "backlog drain",
    "backlog drain rate/s",
    "peak RSS",
    "CPU ms per report",
    "statements per report",
    "commits per report",
    "ratio e2e SMS/s / (PG tx/s on 8 connections / 3)",
)


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


@dataclass(frozen=True)
class Plan:
    raw_messages: int = 20_000
    raw_transactions: int = 8_000
    saturation_reports: int = 4_000
    concurrency: int = 64
    steady_rate: float = 50.0
    steady_s: float = 60.0
    backlog_reports: int = 10_000
    settle_s: float = 900.0  # longest wait for a phase's SMS
    env: Mapping[str, str] = field(default_factory=dict)


SMOKE = Plan(
    raw_messages=500,
    raw_transactions=200,
    saturation_reports=40,
    concurrency=8,
    steady_rate=10.0,
    steady_s=2.0,
    backlog_reports=30,
    settle_s=30.0,
    env={"QORGAU_KAFKA_SESSION_TIMEOUT_MS": "2000", "QORGAU_KAFKA_HEARTBEAT_INTERVAL_MS": "500"},
)


# ---------------------------------------------------------------------------- the client


@dataclass
class Sent:
    n: int
    call_id: str
    sent_at: float = 0.0  # first try (wall clock, as the SMSC's record)
    accepted_at: float | None = None
    short_code: str | None = None
    tries_s: list[float] = field(default_factory=list)  # each try's duration
    broken: Counter[str] = field(default_factory=Counter)  # transport errors by type
    statuses: Counter[int] = field(default_factory=Counter)  # retried statuses (429, 5xx)
    refused: str | None = None


async def send(client: LightClient, sent: Sent, body: dict[str, Any]) -> None:
    """POST until accepted, retrying a broken connection or a 429/5xx with the same key."""
    sent.sent_at = time.time()
    give_up_at = time.monotonic() + 120
    delay = 0.2
    while True:
        t0 = time.perf_counter()
        try:
            response = await client.post(
                "/v1/reports", json=body, headers={"Idempotency-Key": sent.call_id}
            )
        except TransportError as exc:
            sent.broken[exc.kind] += 1
        else:
            sent.tries_s.append(time.perf_counter() - t0)
            if response.status_code in (200, 201):
                sent.accepted_at = time.time()
                sent.short_code = str(response.json()["short_code"])
                return
            if response.status_code != 429 and response.status_code < 500:
                sent.refused = f"{response.status_code}: {response.text[:200]}"
                return
            sent.statuses[response.status_code] += 1
        if time.monotonic() + delay > give_up_at:
            sent.refused = "not accepted within 120 s"
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)


def client_for(stack: ProcessStack, connections: int) -> LightClient:
    """The bench's light keep-alive client (`light_http`: httpx took a fifth of the machine)."""
    headers = {"Authorization": f"Bearer {stack.operator_token}"}
    return LightClient(stack.intake_url, headers, connections, timeout_s=30)


async def closed_loop(stack: ProcessStack, prefix: str, count: int, workers: int) -> list[Sent]:
    """`workers` clients, each sending its next report as soon as the last is answered."""
    records = [Sent(n, f"bench-{prefix}-{n:06d}") for n in range(count)]
    queue = iter(records)
    async with client_for(stack, workers) as client:

        async def worker() -> None:
            for sent in queue:
                await send(client, sent, report_body(prefix, sent.n))

        await asyncio.gather(*(worker() for _ in range(workers)))
    return records


async def open_loop(
    stack: ProcessStack, prefix: str, rate: float, duration_s: float, connections: int
) -> list[Sent]:
    """One report every 1/`rate` s, whatever the answers, for `duration_s`."""
    records = [Sent(n, f"bench-{prefix}-{n:06d}") for n in range(max(1, int(rate * duration_s)))]
    loop = asyncio.get_running_loop()
    async with client_for(stack, connections) as client:
        t0 = loop.time()
        tasks = []
        for sent in records:
            await asyncio.sleep(max(0.0, t0 + sent.n / rate - loop.time()))
            tasks.append(asyncio.create_task(send(client, sent, report_body(prefix, sent.n))))
        await asyncio.gather(*tasks)
    return records


# ---------------------------------------------------------------------- what is measured


async def sms_for(
    stack: ProcessStack, records: Iterable[Sent], within_s: float
) -> dict[str, float]:
    """The first alert SMS time per accepted report's code, waiting until all have one."""
    wanted = {r.short_code for r in records if r.short_code}
    deadline = time.monotonic() + within_s
    while True:
        first: dict[str, float] = {}
        for sms in stack.record.refresh():
            code = sms.code
            if code in wanted and (code not in first or sms.at < first[code]):
                first[code] = sms.at
        if len(first) == len(wanted) or time.monotonic() > deadline:
            return first
        await asyncio.sleep(0.5)


def steady_rate(times: Iterable[float]) -> float | None:
    """Events per second between the 10th and 90th percentile of their times."""
    ordered = sorted(times)
    if len(ordered) < 10:
        return None
    lo, hi = round(0.1 * (len(ordered) - 1)), round(0.9 * (len(ordered) - 1))
    span = ordered[hi] - ordered[lo]
    return (hi - lo) / span if span > 0 else None


def pick(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else None


def cpu_seconds(proc: psutil.Process) -> float:
    """CPU of a process and of its children: live ones, and those it already reaped (so
    PostgreSQL's backends count under the postmaster)."""
    with contextlib.suppress(psutil.Error):
        times = proc.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                t = child.cpu_times()
                total += t.user + t.system
        return total
    return 0.0


def rss_bytes(proc: psutil.Process) -> int:
    with contextlib.suppress(psutil.Error):
        return int(proc.memory_info().rss)
    return 0


class Sampler:
    """Peak RSS of every process, sampled twice a second while it runs."""

    def __init__(self, processes: Callable[[], Mapping[str, psutil.Process]]) -> None:
        self._processes = processes
        self.peak: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            for name, proc in self._processes().items():
                if name != "postgres":  # shared buffers count in every backend: not comparable
                    self.peak[name] = max(self.peak.get(name, 0), rss_bytes(proc))
            await asyncio.sleep(0.5)

    def __enter__(self) -> Sampler:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()


def cpu_snapshot(stack: ProcessStack) -> dict[str, float]:
    out = {name: cpu_seconds(proc) for name, proc in stack.processes().items()}
    out["stack total"] = sum(out.values())
    me = psutil.Process().cpu_times()
    out["bench client"] = me.user + me.system
    machine = psutil.cpu_times()
    out["machine (all processes)"] = machine.user + machine.system + machine.nice + machine.irq
    out["machine (all processes)"] += machine.softirq
    return out


async def quiet(
    stack: ProcessStack, *, below: float = 0.25, for_s: float = 2.0, within_s: float = 120.0
) -> float:
    """Wait until the stack's processes together use under `below` of a core for `for_s`
    (each report's whole story is done: its receipts, the inspector's reply, the
    acknowledgement and its confirmation SMS, which the SMSC sends a second after the alert);
    the seconds waited."""
    started = time.monotonic()
    before = cpu_snapshot(stack)["stack total"]
    calm_since: float | None = None
    while time.monotonic() - started < within_s:
        await asyncio.sleep(0.5)
        now = cpu_snapshot(stack)["stack total"]
        calm = (now - before) / 0.5 < below
        before = now
        if not calm:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= for_s:
            break
    return time.monotonic() - started


STATEMENTS = """
SELECT (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s
         JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()
           AND s.query NOT LIKE '%pg_stat_%')::bigint AS statements,
       (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits
"""


async def db_counts(conn: asyncpg.Connection) -> tuple[int, int]:
    row = await conn.fetchrow(STATEMENTS)
    assert row is not None
    return int(row["statements"]), int(row["commits"])


# ------------------------------------------------------------------------------ the phases


async def saturation(
    stack: ProcessStack, conn: asyncpg.Connection, plan: Plan, prefix: str
) -> dict[str, Any]:
    say(f"saturation: {plan.saturation_reports} reports from {plan.concurrency} clients")
    statements0, commits0 = await db_counts(conn)
    cpu0 = cpu_snapshot(stack)
    started = time.time()
    with Sampler(stack.processes) as sampler:
        records = await closed_loop(stack, prefix, plan.saturation_reports, plan.concurrency)
        arrived = await sms_for(stack, records, plan.settle_s)
        at_last_sms = cpu_snapshot(stack)["stack total"]
        tail_s = await quiet(stack)  # the replies and acknowledgements after the last alert
    cpu1 = cpu_snapshot(stack)
    finished = time.time()
    statements1, commits1 = await db_counts(conn)
    accepted = [r for r in records if r.accepted_at is not None]
    n = max(1, len(accepted))
    broken = sum((r.broken for r in records), Counter[str]())
    statuses = sum((r.statuses for r in records), Counter[int]())
    tries = [s for r in records for s in r.tries_s]
    cpu_ms = {k: round((cpu1.get(k, 0.0) - v) * 1000 / n, 2) for k, v in cpu0.items()}
    # What ran on the machine besides the stack and this client: a busy neighbour shows here.
    cpu_ms["others on the machine"] = round(
        cpu_ms["machine (all processes)"] - cpu_ms["stack total"] - cpu_ms["bench client"], 2
    )
    return {
        "reports": len(records),
        "accepted": len(accepted),
        "sms": len(arrived),
        "accepted_per_s": steady_rate(r.accepted_at for r in accepted if r.accepted_at),
        "sms_per_s": steady_rate(arrived.values()),
        "broken_connections": dict(broken),
        "retried_statuses": {str(k): v for k, v in statuses.items()},
        "refused": [r.refused for r in records if r.refused][:10],
        "post_p50_s": pick(tries, 0.5),
        "post_p99_s": pick(tries, 0.99),
        "peak_rss_mb": {k: round(v / 2**20, 1) for k, v in sampler.peak.items()},
        "cpu_ms_per_report": cpu_ms,
        "saturation_s": round(finished - started, 1),
        # Sessions 3 and 4 (runs 1-10) counted only this far: the stack's CPU to the last
        # alert SMS, without the replies and acknowledgements still queued behind it.
        "stack_cpu_ms_per_report_to_last_sms": round(
            (at_last_sms - cpu0["stack total"]) * 1000 / n, 2
        ),
        "quiet_after_last_sms_s": round(tail_s, 1),
        "statements_per_report": round((statements1 - statements0) / n, 1),
        "commits_per_report": round((commits1 - commits0) / n, 1),
    }


async def latency(stack: ProcessStack, plan: Plan, prefix: str) -> dict[str, Any]:
    say(f"latency: {plan.steady_rate:g} reports/s for {plan.steady_s:g} s")
    records = await open_loop(stack, prefix, plan.steady_rate, plan.steady_s, plan.concurrency)
    arrived = await sms_for(stack, records, plan.settle_s)
    delays = [arrived[r.short_code] - r.sent_at for r in records if r.short_code in arrived]
    accepted = sum(r.short_code is not None for r in records)
    return {
        "rate_per_s": plan.steady_rate,
        "reports": len(records),
        "accepted": accepted,
        "without_sms": accepted - len(delays),
        "p50_s": pick(delays, 0.5),
        "p99_s": pick(delays, 0.99),
        "max_s": max(delays) if delays else None,
        "broken_connections": sum(sum(r.broken.values()) for r in records),
    }


async def backlog(
    stack: ProcessStack, conn: asyncpg.Connection, plan: Plan, prefix: str
) -> dict[str, Any]:
    say(f"backlog: routing and notify stopped; {plan.backlog_reports} reports queued")
    republished0 = await republished(conn)
    await asyncio.gather(stack.stop_service("routing"), stack.stop_service("notify"))
    records = await closed_loop(stack, prefix, plan.backlog_reports, plan.concurrency)
    say("backlog: accepted; routing and notify started again")
    restarted = time.time()
    ready = await asyncio.gather(stack.start_service("routing"), stack.start_service("notify"))
    arrived = await sms_for(stack, records, plan.settle_s)
    accepted = sum(r.short_code is not None for r in records)
    drained = max(arrived.values()) - restarted if arrived else None
    after_ready = max(arrived.values()) - max(ready) if arrived else None
    return {
        "reports": len(records),
        "accepted": accepted,
        "sms": len(arrived),
        "ready_after_restart_s": round(max(ready) - restarted, 2),
        "drain_s": round(drained, 1) if drained else None,
        "drain_per_s": round(len(arrived) / drained, 1) if drained else None,
        "drain_after_ready_per_s": (
            round(len(arrived) / after_ready, 1) if after_ready and after_ready > 0 else None
        ),
        "republished_by_intake": await republished(conn) - republished0,
    }


async def republished(conn: asyncpg.Connection) -> int:
    value = await conn.fetchval(
        "SELECT count(*) FROM intake.incidents WHERE republished_at IS NOT NULL"
    )
    return int(value)


# ---------------------------------------------------------------------------- the report


def render(result: Mapping[str, Any]) -> str:
    def f(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value * 1000:,.0f} ms"

    raw, sat, lat, back = result["raw"], result["saturation"], result["latency"], result["backlog"]
    tx8 = raw["postgres_tx_per_s"]["8_connections"]
    ratio = (sat["sms_per_s"] or 0) / (tx8 / 3) if tx8 else None
    broken = ", ".join(f"{k} x{v}" for k, v in sat["broken_connections"].items()) or "none"
    lines = [
        f"machine: {os.cpu_count()} CPUs, load before the run {result['load_before']}",
        result["smpp"],
        f"  {LABELS[0]:<48} {f(raw['kafka']['hop_per_s'], 0)}",
        f"  {LABELS[1]:<48} {f(raw['postgres_tx_per_s']['1_connection'], 0)}",
        f"  {LABELS[2]:<48} {f(tx8, 0)}",
        f"  {LABELS[3]:<48} {f(sat['accepted_per_s'])}"
        f"  ({sat['accepted']} of {sat['reports']}, {sat['concurrency']} clients)",
        f"  {LABELS[4]:<48} {f(sat['sms_per_s'])}  ({sat['sms']} alert SMS)",
        f"  {LABELS[5]:<48} {broken}; retried statuses {sat['retried_statuses'] or 'none'}",
        f"  {LABELS[6]:<48} {ms(sat['post_p50_s'])} / {ms(sat['post_p99_s'])}",
        f"  {LABELS[7]:<48} {ms(lat['p50_s'])}  (at {lat['rate_per_s']:g}/s,"
        f" {lat['reports']} reports, {lat['without_sms']} without SMS)",
        f"  {LABELS[8]:<48} {ms(lat['p99_s'])}  (max {ms(lat['max_s'])})",
        f"  {LABELS[9]:<48} {back['sms']} of {back['reports']} in {f(back['drain_s'])} s"
        f" after the restart (ready after {back['ready_after_restart_s']} s;"
        f" intake republished {back['republished_by_intake']})"
        + ("" if back["sms"] == back["accepted"] else "; NOT all drained within --settle-s"),
        f"  {LABELS[10]:<48} {f(back['drain_per_s'])} from the restart,"
        f" {f(back['drain_after_ready_per_s'])} from ready",
        f"  {LABELS[11]:<48} "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(sat["peak_rss_mb"].items())),
        f"  {LABELS[12]:<48} "
        + ", ".join(f"{k} {v:.2f}" for k, v in sat["cpu_ms_per_report"].items())
        + f" (until the stack was quiet, {sat['quiet_after_last_sms_s']} s after the last alert"
        f" SMS; the stack to that SMS: {sat['stack_cpu_ms_per_report_to_last_sms']:.2f})",
        f"  {LABELS[13]:<48} {sat['statements_per_report']} (pg_stat_statements)",
        f"  {LABELS[14]:<48} {sat['commits_per_report']} (pg_stat_database.xact_commit)",
        f"  {LABELS[15]:<48} {f(ratio, 3)}",
    ]
    return "\n".join(lines)


async def run(plan: Plan, state: Path) -> dict[str, Any]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    stack = ProcessStack(
        state,
        env={**BENCH_ENV, **plan.env},
        smsc_behaviour=SMSC_BEHAVIOUR,
        smsc_auto_reply="1",
        pg_settings=pg_settings_for_statement_counts(),
        say=say,
    )
    smpp = (
        f"SMPP is not the ceiling: notify submits up to {SMPP_RATE_PER_S} submit_sm/s with"
        f" {SMPP_WINDOW} in flight (QORGAU_NOTIFY_SMPP_RATE_PER_S, QORGAU_NOTIFY_SMPP_WINDOW);"
        " the dev SMSC answers each at once, never throttles"
    )
    run_id = uuid.uuid4().hex[:6]
    try:
        say(f"starting the stack in {state} (load {load})")
        await stack.start()
        say(smpp)
        assert stack.pg is not None
        say("raw limits")
        raw = await raw_limits.measure(stack.pg, state, plan.raw_messages, plan.raw_transactions)
        conn = await asyncpg.connect(stack.database_url)
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            sat = await saturation(stack, conn, plan, f"{run_id}s")
            sat["concurrency"] = plan.concurrency
            await asyncio.sleep(3)  # the auto-replies of the last reports
            lat = await latency(stack, plan, f"{run_id}l")
            await asyncio.sleep(3)
            back = await backlog(stack, conn, plan, f"{run_id}b")
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(stack.stop)
    return {
        "load_before": load,
        "smpp": smpp,
        "plan": {**plan.__dict__, "env": dict(plan.env)},
        "raw": raw,
        "saturation": sat,
        "latency": lat,
        "backlog": back,
        "crashes": stack.crashes,
    }


def main() -> int:
    default = Plan()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny numbers, well under 60 s")
    parser.add_argument("--raw-messages", type=int, default=default.raw_messages)
    parser.add_argument("--raw-transactions", type=int, default=default.raw_transactions)
    parser.add_argument("--reports", type=int, default=default.saturation_reports)
    parser.add_argument("--concurrency", type=int, default=default.concurrency)
    parser.add_argument("--rate", type=float, default=default.steady_rate)
    parser.add_argument("--steady-s", type=float, default=default.steady_s)
    parser.add_argument("--backlog", type=int, default=default.backlog_reports)
    parser.add_argument("--settle-s", type=float, default=default.settle_s)
    parser.add_argument("--state-dir", default=".qorgau/bench")
    parser.add_argument(
        "--env", action="append", metavar="NAME=VALUE", help="a service setting (repeatable)"
    )
    args = parser.parse_args()
    env = dict(v.split("=", 1) for v in args.env or [] if "=" in v)
    plan = (
        Plan(
            raw_messages=args.raw_messages,
            raw_transactions=args.raw_transactions,
            saturation_reports=args.reports,
            concurrency=args.concurrency,
            steady_rate=args.rate,
            steady_s=args.steady_s,
            backlog_reports=args.backlog,
            settle_s=args.settle_s,
            env=env,
        )
        if not args.smoke
        else Plan(**{**SMOKE.__dict__, "env": {**SMOKE.env, **env}})
    )
    state = Path(args.state_dir) / time.strftime("stack-%Y%m%d-%H%M%S")
    result = asyncio.run(run(plan, state))
    (state / "stack_bench.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(render(result), flush=True)
    say(f"figures: {state}/stack_bench.json; logs: {state}/logs/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
