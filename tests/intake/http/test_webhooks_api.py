"""Telegram and Meta webhooks over the real app and PostgreSQL: proofs, answers, problems."""

from __future__ import annotations

import json
from typing import Any

import httpx
from intake.http.proofs import meta_signature

from tests.intake.support import (
    META_SECRET,
    SUPERVISOR,
    TELEGRAM_SECRET,
    outbox_events,
)
from tests.intake.unit.test_webhooks import INSTAGRAM_TEXT, TELEGRAM_TEXT, WHATSAPP_TEXT

TG = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def signed(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(payload).encode()
    return raw, {
        "X-Hub-Signature-256": meta_signature(META_SECRET, raw),
        "Content-Type": "application/json",
    }


async def test_a_telegram_update_is_received_once(
    api: httpx.AsyncClient, database_url: str
) -> None:
    response = await api.post("/v1/webhooks/telegram", json=TELEGRAM_TEXT, headers=TG)
    assert response.status_code == 200, response.text
    assert response.json() == {"new": 1, "follow_up": 0, "duplicate": 0, "quarantined": 0}
    again = await api.post("/v1/webhooks/telegram", json=TELEGRAM_TEXT, headers=TG)
    assert again.json() == {"new": 0, "follow_up": 0, "duplicate": 1, "quarantined": 0}
    [event] = await outbox_events(database_url)
    view = (await api.get(f"/v1/incidents/{event.incident_id}", headers=SUPERVISOR)).json()
    assert (view["channel"], view["status"], view["urgent"]) == (
        "telegram",
        "awaiting_triage",
        True,
    )
    assert view["messages"][0]["content"]["text"] == "Помогите, муж бьёт"
    assert view["messages"][0]["platform"] == "telegram"


async def test_signed_meta_notifications_are_received(api: httpx.AsyncClient) -> None:
    for payload in (WHATSAPP_TEXT, INSTAGRAM_TEXT):
        raw, headers = signed(payload)
        response = await api.post("/v1/webhooks/meta", content=raw, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"new": 1, "follow_up": 0, "duplicate": 0, "quarantined": 0}
        again = await api.post("/v1/webhooks/meta", content=raw, headers=headers)
        assert again.json()["duplicate"] == 1
