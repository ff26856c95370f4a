"""Use case: one incident with its timeline and messages; every view is audited.

Personal fields (phones, names, narrative, message texts) are decrypted for supervisors
and admins only; an operator sees the incident and its timeline, not who the people are.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.auth import Caller
from qorgau_common.errors import NotFound

from intake.db import SCHEMA, messages, timeline
from intake.db import incidents as store
from intake.domain.crypto import FieldCipher, Sealed, incident_aad, message_aad
from intake.domain.incident import Incident, TimelineLine
from intake.domain.message import StoredMessage

PERSONAL_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class MessageSeen:
    message: StoredMessage
    content: dict[str, Any] | None  # None unless the caller may see personal data


@dataclass(frozen=True)
class IncidentSeen:
    incident: Incident
    timeline: list[TimelineLine]
    personal: dict[str, Any] | None = None
    messages: list[MessageSeen] = field(default_factory=list)


def _open(cipher: FieldCipher, sealed: Sealed, aad: bytes) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(cipher.open(sealed, aad))
    return opened


async def view_incident(
    pool: asyncpg.Pool, cipher: FieldCipher, caller: Caller, incident_id: uuid.UUID
) -> IncidentSeen:
    personal_allowed = caller.role in PERSONAL_ROLES
    async with pool.acquire() as conn, conn.transaction():
        found = await store.get_with_personal(conn, incident_id)
        if found is None:
            raise NotFound("incident_id", "no such incident")
        incident, sealed = found
        lines = await timeline.of(conn, incident_id)
        stored = await messages.messages_of(conn, incident_id)
        await audit(
            conn, SCHEMA, caller.name, "incident.view", incident_id, {"personal": personal_allowed}
        )
    if not personal_allowed:
        return IncidentSeen(incident, lines, None, [MessageSeen(m, None) for m in stored])
    return IncidentSeen(
        incident,
        lines,
        _open(cipher, sealed, incident_aad(incident_id)),
        [
            MessageSeen(m, _open(cipher, m.sealed, message_aad(m.platform, m.message_id)))
            for m in stored
        ],
    )
