"""Issue 11's edges over the real app and PostgreSQL: idempotency that cannot drop a report,
text and times checked at the edge, and authentic but unprocessable webhook updates
acknowledged and quarantined (never a 5xx, never dropped)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from intake.http.proofs import meta_signature
from prometheus_client import REGISTRY
from qorgau_common.auth import create_token

from tests.intake.support import (
    AUTH,
    META_SECRET,
    TELEGRAM_SECRET,
    counts,
    fetch,
    outbox_events,
    report_body,
)
from tests.intake.unit.test_webhooks import INSTAGRAM_TEXT, TELEGRAM_TEXT, WHATSAPP_TEXT

OTHER_OPERATOR = {"Authorization": "Bearer test-operator-2-token"}
TG = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}


def signed(payload: dict[str, Any] | bytes) -> tuple[bytes, dict[str, str]]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return raw, {
        "X-Hub-Signature-256": meta_signature(META_SECRET, raw),
        "Content-Type": "application/json",
    }


async def post(api: httpx.AsyncClient, key: str | None = None, **changes: Any) -> httpx.Response:
    headers = {**AUTH, **({"Idempotency-Key": key} if key is not None else {})}
    return await api.post("/v1/reports", json=report_body(**changes), headers=headers)


# Idempotency


@pytest.mark.parametrize("key", ["", "   ", "k" * 129, "two words"])
async def test_a_blank_or_over_long_key_is_400_and_stores_nothing(
    api: httpx.AsyncClient, database_url: str, key: str
) -> None:
    response = await post(api, key=key)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert (await counts(database_url, "incidents"))["incidents"] == 0


async def test_the_same_key_for_another_report_is_422_and_the_first_stays(
    api: httpx.AsyncClient, database_url: str
) -> None:
    first = await post(api, key="retry-7", call_id="102-0001")
    other = await post(
        api, key="retry-7", call_id="102-0002", address={"street": "ул. Достык", "house": "3"}
    )
    assert first.status_code == 201
    assert other.status_code == 422, other.text
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "different report" in other.json()["detail"]
    again = await post(api, key="retry-7", call_id="102-0001")
    assert (again.status_code, again.json()) == (200, first.json())
    assert (await counts(database_url, "incidents"))["incidents"] == 1


async def test_keys_belong_to_the_token_that_sent_them(
    api: httpx.AsyncClient, database_url: str
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await create_token(conn, "intake", "operator-2", "operator", "test-operator-2-token")
    finally:
        await conn.close()
    mine = await post(api, key="1", call_id="102-0001")
    theirs = await api.post(
        "/v1/reports",
        json=report_body("102-0002", address={"street": "ул. Достык", "house": "3"}),
        headers={**OTHER_OPERATOR, "Idempotency-Key": "1"},
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["incident_id"] != theirs.json()["incident_id"]
    assert len(await outbox_events(database_url)) == 2


async def test_a_call_id_reused_for_another_report_is_422(
    api: httpx.AsyncClient, database_url: str
) -> None:
    first = await post(api, call_id="102-0001")
    other = await post(api, call_id="102-0001", address={"street": "ул. Достык", "house": "3"})
    assert other.status_code == 422, other.text
    assert other.json()["errors"][0]["field"] == "call_id"
    same = await post(api, key="another-key", call_id="102-0001")
    assert (same.status_code, same.json()["incident_id"]) == (200, first.json()["incident_id"])
    assert (await counts(database_url, "incidents"))["incidents"] == 1


# Text


async def test_bidi_and_zero_width_characters_never_reach_the_address_line(
    api: httpx.AsyncClient, database_url: str
) -> None:
    address = {"street": "ул. \u202eканагыС\u202c\u200b", "house": "\u206610\u2069"}
    response = await post(api, address=address)
    assert response.status_code == 201, response.text
    [event] = await outbox_events(database_url)
    assert event.address_line == "ул. канагыС 10"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"narrative": "\u200b"}, "narrative"),
        ({"narrative": "\u200b\u2066 \u200d"}, "narrative"),
        ({"narrative": "угрожает\x00"}, "narrative"),
        ({"address": {"street": "\u200b\u202e"}}, "address.street"),
        ({"address": {"street": "ул.\x00Сыганак"}}, "address.street"),
        ({"victim": {"name": "Айгерим\nСапарова"}}, "victim.name"),
        ({"received_at": "0001-01-01T00:00:00+05:00"}, "received_at"),
        ({"received_at": "9999-12-31T23:59:59-05:00"}, "received_at"),
        ({"received_at": "1999-12-31T23:59:59Z"}, "received_at"),
    ],
)
async def test_text_and_times_out_of_bounds_are_422(
    api: httpx.AsyncClient, database_url: str, changes: dict[str, Any], field: str
) -> None:
    response = await post(api, **changes)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await counts(database_url, "incidents"))["incidents"] == 0


def cursor(at: str) -> str:
    return base64.urlsafe_b64encode(f"{at}|{uuid.UUID(int=0)}".encode()).decode()


@pytest.mark.parametrize(
    "params",
    [
        {"since": "0001-01-01T00:00:00+05:00"},
        {"since": "9999-12-31T23:59:59-05:00"},
        {"cursor": cursor("0001-01-01T00:00:00+05:00")},
        {"cursor": cursor("9999-12-31T23:59:59-05:00")},
        {"cursor": cursor("2026-01-01T00:00:00")},
    ],
)
async def test_query_times_out_of_bounds_are_422(
    api: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await api.get("/v1/incidents", params=params, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_triage_patch_refuses_nulls(api: httpx.AsyncClient) -> None:
    created = await post(api, district=None)
    path = f"/v1/incidents/{created.json()['incident_id']}/triage"
    for body in ({"district": None, "checklist": {"weapon": True}}, {"checklist": None}):
        response = await api.patch(path, json=body, headers=AUTH)
        assert response.status_code == 422, response.text
    view = await api.get(f"/v1/incidents/{created.json()['incident_id']}", headers=AUTH)
    assert [line["status"] for line in view.json()["timeline"]] == ["awaiting_triage"]


# Webhooks


def _telegram(date: int) -> dict[str, Any]:
    return {**TELEGRAM_TEXT, "message": {**TELEGRAM_TEXT["message"], "date": date}}


def _whatsapp(**message: Any) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(json.dumps(WHATSAPP_TEXT))
    payload["entry"][0]["changes"][0]["value"]["messages"][0].update(message)
    return payload


def _instagram(timestamp: int | None = None, mid: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(json.dumps(INSTAGRAM_TEXT))
    messaging = payload["entry"][0]["messaging"][0]
    if timestamp is not None:
        messaging["timestamp"] = timestamp
    if mid is not None:
        messaging["message"]["mid"] = mid
    return payload


UNPROCESSABLE = [
    pytest.param(
        "/v1/webhooks/telegram", json.dumps(_telegram(10**13)).encode(), TG, id="tg-date-1e13"
    ),
    pytest.param(
        "/v1/webhooks/telegram", json.dumps(_telegram(-(10**12))).encode(), TG, id="tg-date-neg"
    ),
    pytest.param("/v1/webhooks/telegram", b'{"update_id": ', TG, id="tg-malformed-json"),
    pytest.param("/v1/webhooks/telegram", b'{"message": {}}', TG, id="tg-not-an-update"),
    pytest.param(
        "/v1/webhooks/meta", *signed(_whatsapp(timestamp="999999999999")), id="wa-timestamp"
    ),
    pytest.param("/v1/webhooks/meta", *signed(_whatsapp(id="wamid.\x00ID")), id="wa-nul-id"),
    pytest.param("/v1/webhooks/meta", *signed(_instagram(mid="<MID>\x00")), id="ig-nul-mid"),
    pytest.param(
        "/v1/webhooks/meta",
        *signed(_instagram(timestamp=3_000_000 * 31_556_952_000)),
        id="ig-year-3m",
    ),
    pytest.param("/v1/webhooks/meta", *signed({"entry": []}), id="meta-not-a-notification"),
    pytest.param("/v1/webhooks/meta", *signed(b"[1, 2"), id="meta-malformed-json"),
]


def _quarantined_count() -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name == "qorgau_intake_webhook_quarantined":
            total += sum(s.value for s in metric.samples if s.name.endswith("_total"))
    return total


@pytest.mark.parametrize(("path", "raw", "headers"), UNPROCESSABLE)
async def test_an_authentic_unprocessable_update_is_acknowledged_and_quarantined(
    api: httpx.AsyncClient, database_url: str, path: str, raw: bytes, headers: dict[str, str]
) -> None:
    before = _quarantined_count()
    response = await api.post(path, content=raw, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["quarantined"] == 1
    assert _quarantined_count() == before + 1
    assert await counts(database_url, "incidents", "source_messages") == {
        "incidents": 0,
        "source_messages": 0,
    }
    [row] = await fetch(
        database_url, "SELECT platform, reason, body FROM intake.webhook_quarantine"
    )
    assert row["platform"] in ("telegram", "meta")
    assert row["reason"]
    assert raw not in bytes(row["body"])  # sealed, like every personal record


async def test_good_messages_beside_a_bad_one_are_received(
    api: httpx.AsyncClient, database_url: str
) -> None:
    payload = _whatsapp()
    good = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    bad = {**good, "id": "wamid.\x00BAD"}
    payload["entry"][0]["changes"][0]["value"]["messages"] = [bad, good]
    response = await api.post(
        "/v1/webhooks/meta", content=signed(payload)[0], headers=signed(payload)[1]
    )
    assert response.json() == {"new": 1, "follow_up": 0, "duplicate": 0, "quarantined": 1}
    assert (await counts(database_url, "source_messages"))["source_messages"] == 1


async def test_controls_and_bidi_in_message_texts_are_scrubbed(
    api: httpx.AsyncClient, database_url: str
) -> None:
    update = _telegram(int(datetime.now(UTC).timestamp()))
    update["message"]["text"] = "Помогите\x00 муж\x07 бьёт\u202e"
    response = await api.post("/v1/webhooks/telegram", json=update, headers=TG)
    assert response.json() == {"new": 1, "follow_up": 0, "duplicate": 0, "quarantined": 0}
    assert (await counts(database_url, "source_messages"))["source_messages"] == 1
