"""Telegram and Meta webhooks over real PostgreSQL and a real broker, with payloads shaped
like the platforms' documented examples."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from intake.webhooks import meta_signature
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from tests.harness import read_topic
from tests.integration.intake_support import (
    AUTH,
    META_SECRET,
    META_VERIFY,
    SUPERVISOR,
    TELEGRAM_SECRET,
    counts,
    fetch,
    running_intake,
)
from tests.unit.test_intake_webhooks import INSTAGRAM_TEXT, TELEGRAM_TEXT, WHATSAPP_TEXT

pytestmark = pytest.mark.integration

TG = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
SECRET_TEXT = "Помогите, муж бьёт"


@pytest.fixture
async def client(database_url: str, kafka: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running_intake(database_url, kafka) as (_, client):
        yield client


def telegram(update_id: int, **message: Any) -> dict[str, Any]:
    update = copy.deepcopy(TELEGRAM_TEXT)
    update["update_id"] = update_id
    update["message"]["message_id"] = update_id
    if message:
        update["message"].pop("text")
        update["message"].update(message)
    return update


def signed(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(payload).encode()
    return raw, {
        "X-Hub-Signature-256": meta_signature(META_SECRET, raw),
        "Content-Type": "application/json",
    }


async def db_dump(database_url: str) -> str:
    rows = []
    for table in ("incidents", "source_messages", "incident_timeline", "audit_log", "outbox"):
        rows += [dict(r) for r in await fetch(database_url, f"SELECT * FROM intake.{table}")]
    return json.dumps(rows, default=str, ensure_ascii=False)


async def test_a_telegram_message_becomes_an_urgent_incident_waiting_for_triage(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    response = await client.post("/v1/webhooks/telegram", json=TELEGRAM_TEXT, headers=TG)
    assert response.status_code == 200, response.text
    assert response.json() == {"new": 1, "follow_up": 0, "duplicate": 0}

    [event] = [
        IncidentReported.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.name, 1)
    ]
    assert (event.channel, event.district) == ("telegram", None)
    assert event.district_unresolved_reason == "message without a location"
    assert "urgent_words" in event.risk_flags
    raw = event.model_dump_json()
    for personal in ("Помогите", "Testusername", "Test Firstname", "1111111"):
        assert personal not in raw
    dump = await db_dump(database_url)
    for personal in ("Помогите", "Testusername", "Test Firstname"):
        assert personal not in dump

    incident = f"/v1/incidents/{event.incident_id}"
    as_operator = (await client.get(incident, headers=AUTH)).json()
    assert as_operator["urgent"]
    assert as_operator["status"] == "awaiting_triage"
    assert as_operator["messages"][0]["content"] is None
    as_supervisor = (await client.get(incident, headers=SUPERVISOR)).json()
    assert as_supervisor["messages"][0]["content"]["text"] == SECRET_TEXT
    assert as_supervisor["messages"][0]["content"]["sender_handle"] == "Testusername"
    urgent = await client.get("/v1/incidents", params={"status": "awaiting_triage"}, headers=AUTH)
    assert urgent.json()["items"][0]["urgent"] is True


async def test_redelivery_is_a_no_op_and_follow_ups_join_the_incident(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    first = await client.post("/v1/webhooks/telegram", json=telegram(20001), headers=TG)
    again = await client.post("/v1/webhooks/telegram", json=telegram(20001), headers=TG)
    assert first.json()["new"] == 1
    assert again.json() == {"new": 0, "follow_up": 0, "duplicate": 1}
    located = telegram(20002, location={"latitude": 51.121, "longitude": 71.425})
    follow = await client.post("/v1/webhooks/telegram", json=located, headers=TG)
    assert follow.json()["follow_up"] == 1
    contact = telegram(20003, contact={"phone_number": "+77012345678", "first_name": "T"})
    assert (await client.post("/v1/webhooks/telegram", json=contact, headers=TG)).json()[
        "follow_up"
    ] == 1

    assert (await counts(database_url, "incidents", "source_messages")) == {
        "incidents": 1,
        "source_messages": 3,
    }
    events = [
        IncidentReported.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.name, 2)
    ]
    # The location placed the waiting incident: routing hears about it again, with a district.
    assert [(e.district, e.coordinates is not None) for e in events] == [
        (None, False),
        ("yesil", True),
    ]
    assert events[0].incident_id == events[1].incident_id


async def test_a_later_message_outside_the_window_is_a_new_linked_incident(
    database_url: str, kafka: str
) -> None:
    async with running_intake(database_url, kafka, follow_up_window_s=0.001) as (_, client):
        await client.post("/v1/webhooks/telegram", json=telegram(30001), headers=TG)
        second = await client.post("/v1/webhooks/telegram", json=telegram(30002), headers=TG)
        assert second.json()["new"] == 1
        events = [
            IncidentReported.model_validate_json(r.value)
            for r in await read_topic(kafka, INCIDENT_REPORTED.name, 2)
        ]
    first, later = sorted(events, key=lambda e: len(e.linked_incident_ids))
    assert later.linked_incident_ids == (first.incident_id,)
    assert "repeat" in later.risk_flags


async def test_meta_whatsapp_and_instagram(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    for payload in (WHATSAPP_TEXT, INSTAGRAM_TEXT):
        raw, headers = signed(payload)
        response = await client.post("/v1/webhooks/meta", content=raw, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["new"] == 1
        again = await client.post("/v1/webhooks/meta", content=raw, headers=headers)
        assert again.json()["duplicate"] == 1
    located = copy.deepcopy(WHATSAPP_TEXT)
    located["entry"][0]["changes"][0]["value"]["messages"] = [
        {
            "from": "77770001122",
            "id": "wamid.LOCATED",
            "timestamp": "1700000100",
            "type": "location",
            "location": {"latitude": 51.19, "longitude": 71.39},
        }
    ]
    raw, headers = signed(located)
    assert (await client.post("/v1/webhooks/meta", content=raw, headers=headers)).json()["new"] == 1
    events = [
        IncidentReported.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.name, 3)
    ]
    # Records come from several partitions, so compare without order.
    assert sorted((e.channel, e.district or "") for e in events) == [
        ("instagram", ""),
        ("whatsapp", ""),
        ("whatsapp", "saryarka"),
    ]
    assert "77012345678" not in await db_dump(database_url)


async def test_the_meta_subscription_handshake(client: httpx.AsyncClient) -> None:
    ok = await client.get(
        "/v1/webhooks/meta",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": META_VERIFY,
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = await client.get(
        "/v1/webhooks/meta",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    assert wrong.headers["content-type"] == "application/problem+json"


def _replayed() -> tuple[bytes, dict[str, str]]:
    raw, headers = signed(INSTAGRAM_TEXT)
    return raw.replace(b"<MESSAGE_CONTENT>", b"<CHANGED_CONTENT>"), headers


BAD_WEBHOOKS = [
    pytest.param(
        "/v1/webhooks/telegram", json.dumps(TELEGRAM_TEXT).encode(), {}, 401, id="tg-missing"
    ),
    pytest.param(
        "/v1/webhooks/telegram",
        json.dumps(TELEGRAM_TEXT).encode(),
        {"X-Telegram-Bot-Api-Secret-Token": "tg-secret-Zx82"},
        403,
        id="tg-wrong",
    ),
    pytest.param(
        "/v1/webhooks/meta", json.dumps(WHATSAPP_TEXT).encode(), {}, 401, id="meta-missing"
    ),
    pytest.param(
        "/v1/webhooks/meta",
        json.dumps(WHATSAPP_TEXT).encode(),
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        403,
        id="meta-wrong",
    ),
    pytest.param("/v1/webhooks/meta", *_replayed(), 403, id="meta-replayed-with-changed-body"),
    pytest.param("/v1/webhooks/telegram", b'{"update_id": ', TG, 400, id="tg-malformed-json"),
    pytest.param("/v1/webhooks/telegram", b'{"message": {}}', TG, 422, id="tg-not-an-update"),
    pytest.param("/v1/webhooks/meta", *signed({"entry": []}), 422, id="meta-not-a-notification"),
]


@pytest.mark.parametrize(("path", "raw", "headers", "status"), BAD_WEBHOOKS)
async def test_unverified_or_malformed_webhooks_store_nothing(
    client: httpx.AsyncClient,
    database_url: str,
    path: str,
    raw: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    response = await client.post(
        path, content=raw, headers={"Content-Type": "application/json", **headers}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "MESSAGE" not in response.text
    assert "Помогите" not in response.text
    assert set((await counts(database_url)).values()) == {0}


async def test_webhooks_still_need_json(client: httpx.AsyncClient, database_url: str) -> None:
    response = await client.post(
        "/v1/webhooks/telegram",
        content=json.dumps(TELEGRAM_TEXT).encode(),
        headers={**TG, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert set((await counts(database_url)).values()) == {0}
