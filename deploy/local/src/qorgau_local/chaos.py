"""`make chaos`: the fault suite. Nothing lost, nothing doubled, whatever dies.

It owns every part of the stack as a separate process: an embedded PostgreSQL (so it can be
killed -9 and started again on the same data), the bundled broker (which keeps nothing
across a restart), intake, routing, notify and the development SMSC (answering "1" to every
alert, as an inspector would). It submits reports at a steady rate, as a client that retries
a refused, failed or unanswered request with the same `call_id` and `Idempotency-Key`, and
meanwhile kills -9 and restarts each service once, kills the broker and starts it empty,
and kills -9 and restarts PostgreSQL. Then it waits (bounded) until nothing is in flight,
and counts the SMS per accepted report at the SMSC.

The verdict: every report the client was told was accepted reached an inspector's phone;
no phone got the same alert twice; a second inspector was alerted only where the first alert
was failed "in doubt" because notify was killed between a `submit_sm` and its response, and
those are no more than the submit window and started just before the kill. The figures
(recovery time and longest report-to-SMS delay per fault, counts) are printed, not judged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import subprocess
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from qorgau_common.kafka import topic_partitions

from .broker import BrokerError
from .process_stack import ALERT, SERVICES, ProcessStack, Sms, SmsRecord
from .stack import StackError

# ALERT, SERVICES, Sms and SmsRecord live with the process stack; they are named here too.
__all__ = [
    "ALERT",
    "FAULTS",
    "SERVICES",
    "ChaosPlan",
    "ChaosResult",
    "ChaosStack",
    "Fault",
    "FaultFigures",
    "Sms",
    "SmsRecord",
    "Submitted",
    "main",
    "report_body",
    "run_chaos",
    "submit",
]

FAULTS = ("postgres", "broker", "intake", "routing", "notify")
DISTRICTS = ("almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk")

# What the suite changes in the services' defaults, and why.
CHAOS_ENV: Mapping[str, str] = {
    # A second inspector must mean a failed alert, not a deadline that passed while an
    # auto-reply was lost with a killed notify: deadlines are out of this suite's scope.
    "QORGAU_ROUTING_ACK_DEADLINE_DANGER_NOW_S": "3600",
    "QORGAU_ROUTING_ACK_DEADLINE_HIGH_S": "3600",
    "QORGAU_ROUTING_ACK_DEADLINE_STANDARD_S": "3600",
    # Shorter than the default (60 s) so that a cut alert's incident moves on within the
    # run; still longer than the submit timeout (10 s), as it must be.
    "QORGAU_NOTIFY_IN_DOUBT_AFTER_S": "15",
}


def say(message: str) -> None:
    print(f"[chaos] {message}", flush=True)


@dataclass(frozen=True)
class ChaosPlan:
    reports: int = 3000
    rate_per_s: float = 20.0
    faults: tuple[str, ...] = FAULTS
    down_s: float = 1.0  # how long a killed part stays dead before it is started again
    ready_within_s: float = 90.0  # a restarted part must be ready within this
    settle_within_s: float = 180.0  # after the last report and fault: longest wait to settle
    quiet_s: float = 3.0  # settled: nothing in flight and no new SMS for this long
    client_give_up_s: float = 120.0  # a client retries one report for at most this long
    # Requests open at once, as a console's operators would have. Unbounded, an outage's
    # retries pile up as connection attempts, each a getaddrinfo on asyncio's default
    # executor, and starve everything else that needs it (seen: probes timing out for 90 s).
    concurrency: int = 32
    smsc_submit_delay_s: float = 0.02  # an SMSC answers a submit_sm in tens of milliseconds
    env: Mapping[str, str] = field(default_factory=dict)  # more service settings


# ---------------------------------------------------------------------------- the client


@dataclass
class Submitted:
    """One report as the client saw it."""

    n: int
    call_id: str
    first_sent: float = 0.0
    accepted_at: float | None = None
    status: int | None = None
    incident_id: str | None = None
    short_code: str | None = None
    tries: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    refused: str | None = None  # why it was never accepted


def report_body(run: str, n: int) -> dict[str, Any]:
    """A distinct 102 call: its own call id, caller and flat (so no repeat-report linking)."""
    return {
        "channel": "call_102",
        "call_id": f"chaos-{run}-{n:05d}",
        "caller_phone": f"+7701{n:07d}",
        "address": {"street": "ул. Сыганак", "house": str(n % 250 + 1), "apartment": str(n + 1)},
        "district": DISTRICTS[n % len(DISTRICTS)],
        "checklist": {"danger_now": n % 5 == 0, "weapon": n % 3 == 0},
        "narrative": "Проверка отказоустойчивости.",
        "language": "ru" if n % 2 else "kk",
    }


async def submit(
    client: httpx.AsyncClient,
    gate: asyncio.Semaphore,
    record: Submitted,
    body: dict[str, Any],
    give_up_s: float,
) -> None:
    """POST until accepted, as a real client: the same body and key on every retry, and no
    more than `gate` requests open at once (it waits out its backoff outside the gate)."""
    record.first_sent = time.time()
    give_up_at = record.first_sent + give_up_s
    delay = 0.2
    while True:
        record.tries += 1
        try:
            async with gate:
                response = await client.post(
                    "/v1/reports", json=body, headers={"Idempotency-Key": record.call_id}
                )
        except httpx.TransportError as exc:
            record.errors[type(exc).__name__] += 1
        else:
            if response.status_code in (200, 201):
                data = response.json()
                record.accepted_at = time.time()
                record.status = response.status_code
                record.incident_id = str(data["incident_id"])
                record.short_code = str(data["short_code"])
                return
            if response.status_code == 429 or response.status_code >= 500:
                record.errors[str(response.status_code)] += 1
            else:
                record.refused = f"{response.status_code}: {response.text[:300]}"
                return
        if time.time() + delay > give_up_at:
            errors = ", ".join(f"{k} x{v}" for k, v in record.errors.items())
            record.refused = f"not accepted within {give_up_s:.0f} s ({errors})"
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)


# ------------------------------------------------------------------------- the processes


@dataclass
class Fault:
    name: str
    killed_at: float
    restarted_at: float | None = None
    ready_at: float | None = None
    error: str | None = None
    restarted: asyncio.Event = field(default_factory=asyncio.Event)  # started again, or failed


class ChaosStack(ProcessStack):
    """The process stack with the suite's settings, and its faults."""

    def __init__(self, state: Path, plan: ChaosPlan) -> None:
        super().__init__(
            state,
            env={**CHAOS_ENV, **plan.env},
            smsc_behaviour={"submit_delay_s": plan.smsc_submit_delay_s},
            smsc_auto_reply="1",
            ready_within_s=plan.ready_within_s,
            say=say,
        )
        self.plan = plan

    async def inject(self, fault: Fault) -> None:
        """Kill -9 one part, keep it down `down_s`, start it again, wait until it is ready."""
        name = fault.name
        self.killing.add(name)
        try:
            await self.kill(name)
            await asyncio.sleep(self.plan.down_s)
            fault.restarted_at = time.time()
            await self.restart(name)
        finally:
            self.killing.discard(name)
            fault.restarted.set()
        fault.ready_at = await self.ready(name)


# ------------------------------------------------------------------------------ the run


async def run_chaos(plan: ChaosPlan, state: Path) -> ChaosResult:
    """Start everything, load and fault it, settle, count; everything stops, even on error."""
    await asyncio.to_thread(state.mkdir, parents=True, exist_ok=True)
    stack = ChaosStack(state, plan)
    run = uuid.uuid4().hex[:8]
    records = [Submitted(n, f"chaos-{run}-{n:05d}") for n in range(plan.reports)]
    faults: list[Fault] = []
    watcher: asyncio.Task[None] | None = None
    try:
        say(f"starting the stack in {state}")
        await stack.start()
        say(f"ready; {plan.reports} reports at {plan.rate_per_s:g}/s, faults: {plan.faults}")
        watcher = asyncio.create_task(stack.watch())
        started = time.time()
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{stack.ports['intake']}",
            headers={"Authorization": f"Bearer {stack.operator_token}"},
            timeout=10,
            limits=httpx.Limits(
                max_connections=plan.concurrency, max_keepalive_connections=plan.concurrency
            ),
        ) as client:
            load = asyncio.create_task(_load(client, plan, run, records))
            chaos = asyncio.create_task(_faults(stack, plan, started, faults))
            await asyncio.gather(load, chaos)
        say("every report submitted and every fault over; settling")
        settled, in_flight = await _settle(stack, records, plan)
        conn = await asyncpg.connect(stack.database_url)
        try:
            result = await _judge(conn, stack, plan, records, faults, started)
        finally:
            await conn.close()
        result.settled = settled
        result.in_flight_at_end = in_flight
        result.duration_s = round(time.time() - started, 1)
        (state / "chaos.json").write_text(json.dumps(result.as_dict(), indent=2) + "\n")
        return result
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await asyncio.to_thread(stack.stop)
        say("stopped; nothing the suite started is left running")


async def _load(
    client: httpx.AsyncClient, plan: ChaosPlan, run: str, records: list[Submitted]
) -> None:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    gate = asyncio.Semaphore(plan.concurrency)
    tasks = []
    for record in records:
        delay = t0 + record.n / plan.rate_per_s - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        body = report_body(run, record.n)
        tasks.append(asyncio.create_task(submit(client, gate, record, body, plan.client_give_up_s)))
    await asyncio.gather(*tasks)


async def _faults(stack: ChaosStack, plan: ChaosPlan, started: float, out: list[Fault]) -> None:
    """The faults spread evenly over the submission. The next one waits until the part
    killed before it was started again, not until it is ready: in a short run a fault
    lands while the one before is still recovering, as outages do; in the full run
    (a fault every 25 s) each recovery is over long before the next fault."""
    span = plan.reports / plan.rate_per_s
    pending: list[asyncio.Task[None]] = []
    for i, name in enumerate(plan.faults):
        at = started + span * (i + 1) / (len(plan.faults) + 1)
        await asyncio.sleep(max(0.0, at - time.time()))
        fault = Fault(name, killed_at=time.time())
        out.append(fault)
        say(f"kill -9 {name} at +{fault.killed_at - started:.1f} s")
        pending.append(asyncio.create_task(_inject(stack, fault)))
        await fault.restarted.wait()
    await asyncio.gather(*pending)


async def _inject(stack: ChaosStack, fault: Fault) -> None:
    try:
        await stack.inject(fault)
    except (TimeoutError, OSError, BrokerError, subprocess.SubprocessError) as exc:
        fault.error = f"{type(exc).__name__}: {exc}"
        say(f"{fault.name}: {fault.error}")
    else:
        assert fault.restarted_at is not None
        assert fault.ready_at is not None
        say(f"{fault.name} back: ready {fault.ready_at - fault.restarted_at:.1f} s after restart")


IN_FLIGHT = """
SELECT (SELECT count(*) FROM notify.alerts WHERE status IN ('pending', 'sending'))
     + (SELECT count(*) FROM intake.outbox WHERE published_at IS NULL AND parked_at IS NULL)
     + (SELECT count(*) FROM routing.outbox WHERE published_at IS NULL AND parked_at IS NULL)
     + (SELECT count(*) FROM notify.outbox WHERE published_at IS NULL AND parked_at IS NULL)
"""


async def _settle(stack: ChaosStack, records: list[Submitted], plan: ChaosPlan) -> tuple[bool, int]:
    """Until every accepted report has an SMS, nothing is in flight (alerts being sent,
    outbox rows unpublished) and no SMS came for `quiet_s`; bounded by `settle_within_s`."""
    wanted = {r.short_code for r in records if r.short_code}
    deadline = time.monotonic() + plan.settle_within_s
    in_flight = -1
    last_count, quiet_since = -1, time.monotonic()
    conn: asyncpg.Connection | None = None
    try:
        while time.monotonic() < deadline:
            sms = stack.record.refresh()
            if len(sms) != last_count:
                last_count, quiet_since = len(sms), time.monotonic()
            seen = {s.code for s in sms}
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(stack.database_url, timeout=2)
                in_flight = int(await conn.fetchval(IN_FLIGHT))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                conn, in_flight = None, -1
            quiet = time.monotonic() - quiet_since >= plan.quiet_s
            if wanted <= seen and in_flight == 0 and quiet:
                return True, 0
            await asyncio.sleep(0.5)
        return False, in_flight
    finally:
        if conn is not None:
            await conn.close()


# ---------------------------------------------------------------------------- the verdict


@dataclass
class FaultFigures:
    fault: str
    at_s: float  # after the first report
    down_s: float | None
    ready_after_restart_s: float | None
    recovery_s: float | None  # kill → first SMS of a report first sent after the kill
    reports: int  # first sent in this fault's phase
    max_delay_s: float | None  # report (first try) → its first SMS, in the phase
    p50_delay_s: float | None
    retries: int
    server_errors: int
    failed_tries: dict[str, int] = field(default_factory=dict)  # status or error → how many
    error: str | None = None


@dataclass
class ChaosResult:
    plan: dict[str, Any]
    submitted: int
    accepted: int
    sms: int
    unaccepted: list[str]
    lost: list[str]
    duplicates: list[str]
    second_officers: int
    unexplained_second_officers: list[str]
    in_doubt: int
    in_doubt_reached_smsc: int
    in_doubt_bound: int
    in_doubt_outside_window: list[str]
    crashes: list[str]
    faults: list[FaultFigures]
    baseline_p50_s: float | None
    baseline_max_s: float | None
    settled: bool = False
    in_flight_at_end: int = 0
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        """Why the verdict fails; empty when it holds."""
        out = []
        if self.lost:
            out.append(f"{len(self.lost)} accepted report(s) never reached a phone")
        if self.duplicates:
            out.append(f"{len(self.duplicates)} alert(s) reached the same phone twice")
        if self.unexplained_second_officers:
            n = len(self.unexplained_second_officers)
            out.append(f"{n} second officer(s) alerted without an in-doubt alert")
        if self.in_doubt > self.in_doubt_bound:
            out.append(
                f"{self.in_doubt} alerts in doubt, more than the bound {self.in_doubt_bound}"
            )
        if self.in_doubt_outside_window:
            n = len(self.in_doubt_outside_window)
            out.append(f"{n} alert(s) failed in doubt outside notify's kill window")
        if self.unaccepted:
            out.append(f"{len(self.unaccepted)} report(s) never accepted by intake")
        out += [f"{f.fault}: {f.error}" for f in self.faults if f.error]
        return out

    @property
    def findings(self) -> list[str]:
        """What is wrong but outside the verdict (nothing lost or doubled because of it)."""
        out = [f"{crash}; the suite started it again" for crash in self.crashes]
        if not self.settled:
            out.append(f"not settled within the bound: {self.in_flight_at_end} still in flight")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failures": self.failures, "findings": self.findings}

    def render(self) -> str:
        def s(value: float | None) -> str:
            return "-" if value is None else f"{value:.2f}"

        lines = [
            f"chaos: {self.submitted} reports at {self.plan['rate_per_s']:g}/s,"
            f" faults {', '.join(self.plan['faults'])}; {self.duration_s:.0f} s",
            f"  accepted {self.accepted}, SMS at the SMSC {self.sms}"
            f" (settled: {'yes' if self.settled else 'NO'}, in flight {self.in_flight_at_end})",
            f"  lost {len(self.lost)}, duplicates {len(self.duplicates)},"
            f" in doubt {self.in_doubt} (reached the SMSC {self.in_doubt_reached_smsc},"
            f" bound {self.in_doubt_bound}), second officers {self.second_officers}"
            f" (unexplained {len(self.unexplained_second_officers)}),"
            f" never accepted {len(self.unaccepted)}",
            f"  baseline report→SMS: p50 {s(self.baseline_p50_s)} s,"
            f" max {s(self.baseline_max_s)} s",
            "  fault      at(s)  down  ready  recovery  reports  p50(s)  max(s)  retries  5xx",
        ]
        for f in self.faults:
            lines.append(
                f"  {f.fault:<9} {f.at_s:>6.1f} {s(f.down_s):>5} {s(f.ready_after_restart_s):>6}"
                f" {s(f.recovery_s):>9} {f.reports:>8} {s(f.p50_delay_s):>7}"
                f" {s(f.max_delay_s):>7} {f.retries:>8} {f.server_errors:>4}"
                + (f"  ERROR {f.error}" if f.error else "")
            )
        for f in self.faults:
            if f.failed_tries:
                tries = ", ".join(f"{k} x{n}" for k, n in sorted(f.failed_tries.items()))
                lines.append(f"  {f.fault} phase, failed tries: {tries}")
        for title, items in (
            ("lost", self.lost),
            ("duplicates", self.duplicates),
            ("unexplained second officers", self.unexplained_second_officers),
            ("in doubt outside the kill window", self.in_doubt_outside_window),
            ("never accepted", self.unaccepted),
            ("findings (not part of the verdict)", self.findings),
            ("notes", self.notes),
        ):
            if items:
                lines.append(f"  {title}:")
                lines += [f"    {item}" for item in items[:50]]
                if len(items) > 50:
                    lines.append(f"    ... and {len(items) - 50} more (chaos.json has all)")
        failures = self.failures
        lines.append("  VERDICT: " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
        return "\n".join(lines)


def _env_float(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        return float(env.get(name, default))
    except ValueError:
        return default


async def _judge(
    conn: asyncpg.Connection,
    stack: ChaosStack,
    plan: ChaosPlan,
    records: list[Submitted],
    faults: list[Fault],
    started: float,
) -> ChaosResult:
    sms = stack.record.refresh()
    alerts_at: dict[str, list[Sms]] = defaultdict(list)  # short code → its alert SMS
    for one in sms:
        if one.code:
            alerts_at[one.code].append(one)
    accepted = [r for r in records if r.short_code]
    by_incident = {r.incident_id: r for r in accepted}
    by_code = {r.short_code: r for r in accepted}

    phones = {
        row["phone"]: (row["id"], row["role"])
        for row in await conn.fetch("SELECT id, phone, role FROM routing.officers")
    }
    assignments: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in await conn.fetch(
        "SELECT a.incident_id::text AS incident_id, a.attempt, a.officer_id, a.purpose,"
        " a.status, a.alert_status, o.phone FROM routing.assignments a"
        " JOIN routing.officers o ON o.id = a.officer_id ORDER BY a.attempt"
    ):
        assignments[row["incident_id"]].append(row)
    alerts: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in await conn.fetch(
        "SELECT id::text AS id, incident_id::text AS incident_id, phone, status, reason,"
        " intent_at, created_at FROM notify.alerts ORDER BY created_at"
    ):
        alerts[row["incident_id"]].append(row)

    # Lost: accepted, and no alert SMS with its code reached any phone.
    lost = []
    for r in accepted:
        assert r.short_code is not None
        assert r.incident_id is not None
        if not alerts_at.get(r.short_code):
            where = await _where_it_stopped(conn, r.incident_id, assignments, alerts)
            lost.append(f"{r.short_code} {r.call_id} incident {r.incident_id}: {where}")

    # Duplicates: more SMS with one code to one phone than assignments to that phone allow
    # (one for the inspector's assignment, one per notice to a duty supervisor).
    duplicates = []
    for code, got in alerts_at.items():
        incident = by_code[code].incident_id or "" if code in by_code else ""
        rows = assignments.get(incident, [])
        for phone, n in Counter(x.to for x in got).items():
            to_phone = [a for a in rows if a["phone"] == phone]
            allowed = min(1, sum(a["purpose"] == "assignment" for a in to_phone)) + sum(
                a["purpose"] == "supervisor_notice" for a in to_phone
            )
            if n > allowed:
                officer = phones.get(phone, ("not an officer", ""))[0]
                doubt = [
                    f"{a['status']}/{a['reason']}"
                    for a in alerts.get(incident, [])
                    if a["phone"] == phone
                ]
                duplicates.append(
                    f"{code}: {n} SMS to {officer} ({len(to_phone)} assignment(s));"
                    f" notify alerts {doubt or 'none'}"
                )

    # In doubt: bounded by the submit window per notify kill, and started just before one.
    env = stack.env
    window = int(_env_float(env, "QORGAU_NOTIFY_SMPP_WINDOW", 16))
    submit_timeout = _env_float(env, "QORGAU_NOTIFY_SMPP_SUBMIT_TIMEOUT_S", 10)
    notify_kills = [f.killed_at for f in faults if f.name == "notify"]
    doubtful = [
        a
        for rows in alerts.values()
        for a in rows
        if a["status"] == "failed" and str(a["reason"]).startswith("in doubt")
    ]
    explained: set[str] = set()  # incidents with an alert cut by notify's kill
    outside = []
    reached = 0
    for a in doubtful:
        doubted = (
            by_incident[a["incident_id"]].short_code if a["incident_id"] in by_incident else None
        )
        if any(x.to == a["phone"] for x in alerts_at.get(doubted or "", [])):
            reached += 1
        intent = a["intent_at"].timestamp() if a["intent_at"] else None
        if intent is not None and any(
            k - submit_timeout - 1 <= intent <= k + 1 for k in notify_kills
        ):
            explained.add(a["incident_id"])
            continue
        when = f"+{intent - started:.1f} s" if intent else "no intent"
        outside.append(f"{doubted or a['incident_id']}: intent {when}, reason {a['reason']}")

    # Second officers: alert SMS for one incident at two or more inspectors; explained only
    # by an alert of that incident failed in doubt within notify's kill window.
    second, unexplained = 0, []
    for r in accepted:
        inspectors = {
            x.to
            for x in alerts_at.get(r.short_code or "", [])
            if phones.get(x.to, ("", ""))[1] == "inspector"
        }
        if len(inspectors) < 2:
            continue
        second += 1
        if r.incident_id not in explained:
            its = alerts.get(r.incident_id or "", [])
            why = ", ".join(f"{a['status']}/{a['reason']}" for a in its)
            steps = ", ".join(
                f"#{a['attempt']} {a['officer_id']} {a['status']}/{a['alert_status']}"
                for a in assignments.get(r.incident_id or "", [])
            )
            unexplained.append(f"{r.short_code}: alerts [{why}]; assignments [{steps}]")

    figures, base_p50, base_max = _figures(records, alerts_at, faults, started)
    unaccepted = [f"{r.call_id}: {r.refused}" for r in records if not r.short_code]
    notes = []
    reconciled = await conn.fetchval(
        "SELECT count(*) FROM intake.incidents WHERE republished_at IS NOT NULL"
    )
    notes.append(f"incidents republished by intake's reconciliation: {reconciled}")
    return ChaosResult(
        plan={**asdict(plan), "env": dict(plan.env)},
        submitted=len(records),
        accepted=len(accepted),
        sms=len(sms),
        unaccepted=unaccepted,
        lost=lost,
        duplicates=duplicates,
        second_officers=second,
        unexplained_second_officers=unexplained,
        in_doubt=len(doubtful),
        in_doubt_reached_smsc=reached,
        in_doubt_bound=window * len(notify_kills),
        in_doubt_outside_window=outside,
        crashes=list(stack.crashes),
        faults=figures,
        baseline_p50_s=base_p50,
        baseline_max_s=base_max,
        notes=notes,
    )


async def _where_it_stopped(
    conn: asyncpg.Connection,
    incident_id: str,
    assignments: Mapping[str, list[asyncpg.Record]],
    alerts: Mapping[str, list[asyncpg.Record]],
) -> str:
    """The last state a lost report reached, table by table, and the partition its events
    go to (they are keyed by incident)."""
    from aiokafka.partitioner import DefaultPartitioner

    partitions = list(range(topic_partitions()["incident.assigned.v1"]))
    partition = DefaultPartitioner()(incident_id.encode(), partitions, partitions)
    parts = [f"partition {partition} of {len(partitions)}"]
    row = await conn.fetchrow(
        "SELECT status, routed_at, republished_at FROM intake.incidents WHERE id = $1::uuid",
        incident_id,
    )
    if row is None:
        return "no row in intake.incidents (accepted, yet not stored)"
    parts.append(
        f"intake.incidents {row['status']} routed_at={row['routed_at'] or 'NULL'}"
        f" republished_at={row['republished_at'] or 'NULL'}"
    )
    for schema in ("intake", "routing", "notify"):
        rows = await conn.fetch(
            f"SELECT topic, published_at, parked_at, attempts FROM {schema}.outbox"
            " WHERE position($1 in convert_from(payload, 'UTF8')) > 0 ORDER BY id",
            incident_id,
        )
        if rows:
            states = Counter(
                f"{r['topic']} "
                + ("parked" if r["parked_at"] else "published" if r["published_at"] else "waiting")
                for r in rows
            )
            listed = ", ".join(f"{n} {state}" for state, n in states.items())
            parts.append(f"{schema}.outbox [{listed}]")
    routed = await conn.fetchrow(
        "SELECT status, status_reason FROM routing.incidents WHERE id = $1::uuid", incident_id
    )
    parts.append(
        f"routing.incidents {routed['status']}/{routed['status_reason']}"
        if routed
        else "no row in routing.incidents"
    )
    steps = assignments.get(incident_id, [])
    if steps:
        parts.append(
            "routing.assignments ["
            + ", ".join(
                f"#{a['attempt']} {a['purpose']} {a['status']} alert_status={a['alert_status']}"
                for a in steps
            )
            + "]"
        )
    its = alerts.get(incident_id, [])
    parts.append(
        "notify.alerts [" + ", ".join(f"{a['status']}/{a['reason']}" for a in its) + "]"
        if its
        else "no row in notify.alerts"
    )
    return "; ".join(parts)


def _figures(
    records: list[Submitted],
    alerts_at: Mapping[str, list[Sms]],
    faults: list[Fault],
    started: float,
) -> tuple[list[FaultFigures], float | None, float | None]:
    """Per fault: its phase runs from 2 s before its kill to 2 s before the next one."""
    first_sms = {
        r.n: min(x.at for x in alerts_at[r.short_code])
        for r in records
        if r.short_code and alerts_at.get(r.short_code)
    }
    bounds = [f.killed_at - 2.0 for f in faults] + [float("inf")]

    def phase(lo: float, hi: float) -> list[Submitted]:
        return [r for r in records if lo <= r.first_sent < hi]

    def delays(rs: list[Submitted]) -> list[float]:
        return [first_sms[r.n] - r.first_sent for r in rs if r.n in first_sms]

    base = delays(phase(0.0, bounds[0]))
    out = []
    for i, f in enumerate(faults):
        rs = phase(bounds[i], bounds[i + 1])
        ds = delays(rs)
        after = [
            first_sms[r.n] for r in records if r.first_sent >= f.killed_at and r.n in first_sms
        ]
        out.append(
            FaultFigures(
                fault=f.name,
                at_s=round(f.killed_at - started, 1),
                down_s=round(f.restarted_at - f.killed_at, 2) if f.restarted_at else None,
                ready_after_restart_s=(
                    round(f.ready_at - f.restarted_at, 2) if f.ready_at and f.restarted_at else None
                ),
                recovery_s=round(min(after) - f.killed_at, 2) if after else None,
                reports=len(rs),
                max_delay_s=round(max(ds), 2) if ds else None,
                p50_delay_s=round(statistics.median(ds), 2) if ds else None,
                retries=sum(r.tries - 1 for r in rs),
                server_errors=sum(
                    n for r in rs for k, n in r.errors.items() if k.isdigit() and int(k) >= 500
                ),
                failed_tries=dict(sum((r.errors for r in rs), Counter[str]())),
                error=f.error,
            )
        )
    return (
        out,
        round(statistics.median(base), 2) if base else None,
        round(max(base), 2) if base else None,
    )


def main(args: Any) -> int:
    """`python -m qorgau_local chaos`: exit 0 when the verdict holds, 1 when it fails, 2 when
    the suite could not run."""
    env = dict(v.split("=", 1) for v in args.env or [] if "=" in v)
    faults = tuple(f for f in args.faults.split(",") if f)
    unknown = set(faults) - set(FAULTS)
    if unknown:
        say(f"unknown fault(s): {', '.join(sorted(unknown))}; known: {', '.join(FAULTS)}")
        return 2
    plan = ChaosPlan(
        reports=args.reports,
        rate_per_s=args.rate,
        faults=faults,
        down_s=args.down_s,
        settle_within_s=args.settle_s,
        env=env,
    )
    state = Path(args.state_dir) / time.strftime("run-%Y%m%d-%H%M%S")
    try:
        result = asyncio.run(run_chaos(plan, state))
    except (StackError, BrokerError, TimeoutError, OSError) as exc:
        say(f"the suite could not run: {type(exc).__name__}: {exc}; logs in {state}/logs/")
        return 2
    print(result.render(), flush=True)
    say(f"figures and logs: {state}/chaos.json, {state}/logs/")
    return 0 if not result.failures else 1
