"""SQL for routing's assignments table (attempts and supervisor notices), and the roster lock."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection
from qorgau_common.unit_of_work import batch_memo
from qorgau_contracts import AlertStatus, AssignmentPurpose, Language, Outcome

from routing.db import roster
from routing.db.incidents import COLUMNS as INCIDENT_COLUMNS
from routing.db.incidents import IncidentChange
from routing.domain.cases import Assignment, AssignmentRoute, AssignmentStatus, Incident

_COLUMNS = "id, incident_id, attempt, officer_id, purpose, status, created_at, ack_deadline"


async def lock_roster(conn: Connection) -> None:
    """Serialise assignment decisions across routing processes for this transaction.

    Loads are read and changed under the lock, so two processes never both see the same
    officer as the least loaded, and no count is lost. A consumer batch takes it once.
    """
    held = batch_memo("routing.roster_lock")
    if held:
        return
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('routing:assign'))")
    if held is not None:
        held["held"] = True


async def attempts_so_far(conn: Connection, incident_id: uuid.UUID) -> tuple[int, frozenset[str]]:
    """The last attempt number and the officers already tried for the incident."""
    rows = await conn.fetch(
        "SELECT attempt, officer_id FROM routing.assignments"
        " WHERE incident_id = $1 AND purpose = 'assignment'",
        incident_id,
    )
    return max((r["attempt"] for r in rows), default=0), frozenset(r["officer_id"] for r in rows)


@dataclass(frozen=True)
class Given:
    phone: str  # the officer's, for the SMS
    language: Language
    written: bool  # False: this attempt already had one of this purpose


async def give(
    conn: Connection,
    assignment_id: uuid.UUID,
    incident_id: uuid.UUID,
    officer_id: str,
    *,
    attempt: int,
    route: AssignmentRoute,
    ack_deadline: datetime,
    purpose: AssignmentPurpose,
    now: datetime,
) -> Given:
    """The case given to `officer_id`, in one statement: the assignment written (unless this
    attempt already has one of this purpose: a supervisor told twice at one attempt is told
    once), and for a real case (not a supervisor's notice) the officer's last case stamped and
    the incident `assigned`. With the officer's phone and language."""
    status: AssignmentStatus = "open" if purpose == "assignment" else "notice"
    row = await conn.fetchrow(
        """
        WITH officer AS (
            UPDATE routing.officers
            SET last_assigned_at = CASE WHEN $7 = 'assignment' THEN $9 ELSE last_assigned_at END
            WHERE id = $4 RETURNING phone, language
        ), written AS (
            INSERT INTO routing.assignments (id, incident_id, attempt, officer_id, route,
                ack_deadline, purpose, status, created_at)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM officer
            ON CONFLICT (incident_id, attempt, purpose) DO NOTHING RETURNING id
        ), shown AS (
            UPDATE routing.incidents SET status = 'assigned', updated_at = now()
            WHERE id = $2 AND $7 = 'assignment' AND EXISTS (SELECT 1 FROM officer)
        )
        SELECT phone, language, EXISTS (SELECT 1 FROM written) AS written FROM officer
        """,
        assignment_id,
        incident_id,
        attempt,
        officer_id,
        route,
        ack_deadline,
        purpose,
        status,
        now,
    )
    assert row is not None, f"unknown officer {officer_id}"
    return Given(row["phone"], row["language"], row["written"])


async def locked(conn: Connection, assignment_id: uuid.UUID) -> Assignment | None:
    """The assignment, row-locked for the caller's transaction."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM routing.assignments WHERE id = $1 FOR UPDATE", assignment_id
    )
    return Assignment(**dict(row)) if row else None


def _prefixed(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{c} AS {alias}_{c}" for c in _names(columns))


def _names(columns: str) -> list[str]:
    return [c.strip() for c in columns.split(",")]


async def locked_with_incident(
    conn: Connection, assignment_id: uuid.UUID
) -> tuple[Assignment, Incident] | None:
    """The assignment and its incident, both row-locked (in that order, as `locked` and then
    `incidents.locked` would), in one statement."""
    row = await conn.fetchrow(
        f"SELECT {_prefixed('a', _COLUMNS)}, {_prefixed('i', INCIDENT_COLUMNS)}"
        " FROM routing.assignments a JOIN routing.incidents i ON i.id = a.incident_id"
        " WHERE a.id = $1 FOR UPDATE OF a, i",
        assignment_id,
    )
    if row is None:
        return None
    assignment = Assignment(**{c: row[f"a_{c}"] for c in _names(_COLUMNS)})
    incident = Incident(**{c: row[f"i_{c}"] for c in _names(INCIDENT_COLUMNS)})
    return assignment, incident


async def live(conn: Connection, incident_id: uuid.UUID) -> list[Assignment]:
    """The incident's open or accepted assignments, row-locked."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM routing.assignments WHERE incident_id = $1"
        " AND purpose = 'assignment' AND status IN ('open', 'acknowledged') FOR UPDATE",
        incident_id,
    )
    return [Assignment(**dict(r)) for r in rows]


async def due(conn: Connection, now: datetime, limit: int) -> list[Assignment]:
    """Open assignments past their deadline, locked; another process skips them."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM routing.assignments"
        " WHERE status = 'open' AND purpose = 'assignment' AND ack_deadline <= $1"
        " ORDER BY ack_deadline LIMIT $2 FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [Assignment(**dict(r)) for r in rows]


async def close(
    conn: Connection,
    assignment_id: uuid.UUID,
    status: AssignmentStatus,
    now: datetime,
    *,
    reason: str | None = None,
    outcome: Outcome | None = None,
    incident: IncidentChange | None = None,
) -> None:
    """Set the assignment's new status; `acknowledged` keeps it live (and in its officer's
    load), any other closes it. With `incident`, its incident's new status goes in the same
    statement."""
    if status != "acknowledged":
        roster.forget()
    stamp = "acknowledged_at" if status == "acknowledged" else "closed_at"
    await conn.execute(
        f"""
        WITH closed AS (
            UPDATE routing.assignments SET status = $2, {stamp} = $3,
                reason = coalesce($4, reason), outcome = coalesce($5, outcome)
            WHERE id = $1
        )
        UPDATE routing.incidents SET status = $7,
            status_reason = coalesce($8, status_reason), updated_at = now()
        WHERE id = $6
        """,
        assignment_id,
        status,
        now,
        reason,
        outcome,
        *((incident.incident_id, incident.status, incident.reason) if incident else (None,) * 3),
    )


async def set_alert_statuses(
    conn: Connection, statuses: Mapping[uuid.UUID, AlertStatus]
) -> set[uuid.UUID]:
    """Each assignment's alert status, one or many in one statement; the ids there is no
    such assignment for."""
    ids = list(statuses)
    rows = await conn.fetch(
        "UPDATE routing.assignments AS a SET alert_status = s.status"
        " FROM unnest($1::uuid[], $2::text[]) AS s (id, status) WHERE a.id = s.id"
        " RETURNING a.id",
        ids,
        list(statuses.values()),
    )
    return set(ids) - {r["id"] for r in rows}


@dataclass(frozen=True)
class Sent:
    """What an `incident.assigned.v1` said about one assignment, to say it again."""

    id: uuid.UUID
    incident_id: uuid.UUID
    attempt: int
    officer_id: str
    purpose: AssignmentPurpose
    ack_deadline: datetime
    created_at: datetime
    republished_at: datetime | None = None

    def said_within(self, seconds: float, now: datetime) -> bool:
        """Sent or republished less than `seconds` before `now`."""
        last = self.republished_at or self.created_at
        return (now - last).total_seconds() < seconds


_SENT = "id, incident_id, attempt, officer_id, purpose, ack_deadline"
_SENT_ROW = f"{_SENT}, created_at, republished_at"
# Quiet for `older_than_s`, and not republished by this very round (at `now`): its next batch
# must not take it again, even with `older_than_s` 0 (after a lost log).
_QUIET = (
    "coalesce(republished_at, created_at) <= $1::timestamptz - make_interval(secs => $2)"
    " AND republished_at IS DISTINCT FROM $1::timestamptz"
)


async def unanswered(
    conn: Connection, now: datetime, older_than_s: float, limit: int
) -> list[Sent]:
    """Open assignments with no alert status, quiet for `older_than_s` (since created or
    last republished), locked; another routing process skips them."""
    rows = await conn.fetch(
        f"SELECT {_SENT_ROW} FROM routing.assignments"
        " WHERE status = 'open' AND purpose = 'assignment' AND alert_status IS NULL"
        f" AND {_QUIET} ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED",
        now,
        older_than_s,
        limit,
    )
    return [_sent(r) for r in rows]


async def current(conn: Connection, incident_id: uuid.UUID) -> list[Sent]:
    """The incident's live assignments, or else its latest supervisor notice, locked, with
    when each was last republished: what routing last told the others about it."""
    rows = await conn.fetch(
        f"SELECT {_SENT_ROW}, status FROM routing.assignments"
        " WHERE incident_id = $1 AND status IN ('open', 'acknowledged', 'notice')"
        " ORDER BY attempt DESC FOR UPDATE",
        incident_id,
    )
    live = [r for r in rows if r["status"] != "notice"]
    return [_sent(r) for r in live or rows[:1]]


def _sent(row: asyncpg.Record) -> Sent:
    return Sent(**{name: row[name] for name in Sent.__dataclass_fields__})


async def mark_republished(conn: Connection, ids: list[uuid.UUID], now: datetime) -> None:
    await conn.execute(
        "UPDATE routing.assignments SET republished_at = $2 WHERE id = ANY($1)", ids, now
    )


async def set_deadline(conn: Connection, assignment_id: uuid.UUID, deadline: datetime) -> None:
    await conn.execute(
        "UPDATE routing.assignments SET ack_deadline = $2 WHERE id = $1", assignment_id, deadline
    )
