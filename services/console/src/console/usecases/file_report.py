"""An operator files a call: checked here, accepted by intake, remembered as theirs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from console.clients.errors import ApiError, Rejected
from console.clients.ports import IntakeApi
from console.db import filed
from console.db.users import User
from console.domain.messages import N_
from console.domain.models import ReportAccepted
from console.domain.report_form import check_report, intake_field


@dataclass(frozen=True)
class Filed:
    accepted: ReportAccepted


@dataclass(frozen=True)
class NotFiled:
    errors: dict[str, str] = field(default_factory=dict)
    unavailable: bool = False


async def file_report(
    pool: asyncpg.Pool,
    intake: IntakeApi,
    user: User,
    form: Mapping[str, str],
    language: str,
    now: datetime,
) -> Filed | NotFiled:
    checked = check_report(form, language)
    if checked.report is None:
        return NotFiled(checked.errors)
    try:
        accepted = await intake.submit_report(checked.report)
    except Rejected as exc:
        errors = {
            intake_field(p.field): N_("intake did not accept this value.") for p in exc.problems
        }
        return NotFiled(errors or {"form": N_("intake did not accept the report.")})
    except ApiError:
        return NotFiled(unavailable=True)
    await filed.record(pool, uuid.UUID(accepted.incident_id), user.id, accepted.short_code, now)
    return Filed(accepted)
