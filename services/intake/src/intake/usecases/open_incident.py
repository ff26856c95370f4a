"""The step a report and a first message share: store under a free short code with its link
keys and first timeline line, audit and publish, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from qorgau_common.audit import audit
from qorgau_common.db import Connection

from intake.db import SCHEMA, links
from intake.db import incidents as store
from intake.domain.crypto import FieldCipher, incident_aad
from intake.domain.idempotency import repeat_of
from intake.domain.incident import SHORT_CODE_TRIES, Incident, new_short_code, opening_detail
from intake.domain.linking import LINK_WINDOW, LinkKey, LinkTerm

from .incident_reported import publish_reported

LinkKeys = list[tuple[str, bytes]]


async def find_links(
    conn: Connection, link_key: LinkKey, terms: list[LinkTerm], received_at: datetime
) -> tuple[LinkKeys, tuple[uuid.UUID, ...]]:
    """The digests to store for this incident, and the earlier incidents sharing one."""
    keys = [(t.kind, link_key.digest(t.kind, t.value)) for t in terms]
    linked = await links.earlier_incidents(
        conn, [d for _, d in keys], received_at - LINK_WINDOW, received_at
    )
    return keys, linked


async def open_incident(
    conn: Connection,
    cipher: FieldCipher,
    decide: Callable[[str], Incident],
    personal: bytes,
    *,
    link_keys: LinkKeys,
    actor: str,
    action: str,
    call_id: str | None = None,
    idempotency_key: str | None = None,
    idempotency_token: uuid.UUID | None = None,
    request_digest: bytes | None = None,
) -> tuple[Incident, bool]:
    """Store the incident `decide(short_code)` gives; (incident, created).

    A clash on the short code tries a fresh one; a clash on the call id or idempotency key
    (a repeat, perhaps committed by a concurrent request) returns the earlier incident if
    it is the same report (`request_digest`), and is refused otherwise.
    """
    for _ in range(SHORT_CODE_TRIES):
        incident = decide(new_short_code())
        sealed = cipher.seal(personal, incident_aad(incident.id))
        if await store.insert(
            conn,
            incident,
            sealed,
            call_id=call_id,
            idempotency_key=idempotency_key,
            actor=actor,
            idempotency_token=idempotency_token,
            request_digest=request_digest,
            link_keys=link_keys,
            opening=opening_detail(incident),
        ):
            break
        earlier = await store.find_existing(
            conn, incident.channel, call_id, idempotency_key, idempotency_token
        )
        if earlier is not None:
            if request_digest is None:
                return earlier.incident, False
            return repeat_of(earlier, request_digest), False
    else:
        raise RuntimeError("could not allocate a free short code")
    await audit(conn, SCHEMA, actor, action, incident.id)
    await publish_reported(conn, incident)
    return incident, True
