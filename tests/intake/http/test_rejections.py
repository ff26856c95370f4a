"""Requests intake must refuse, over the real app and PostgreSQL: each gets a precise problem
that never echoes what was sent, and nothing is stored. They share one database, which
every test checks is still empty."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from intake.http.proofs import meta_signature

from tests.intake.support import (
    AUTH,
    META_SECRET,
    META_VERIFY,
    TELEGRAM_SECRET,
    counts,
    report_body,
)
from tests.intake.unit.test_webhooks import INSTAGRAM_TEXT, TELEGRAM_TEXT, WHATSAPP_TEXT

PERSONAL = {"phone": "+77012345678", "name": "Айгерим Сапарова", "narrative": "угрожает ножом"}


def body(**changes: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "victim": {"name": PERSONAL["name"], "age_band": "30-44", "sex": "female"},
        "checklist": {"weapon": True},
        "narrative": f"Муж {PERSONAL['narrative']}, дети дома.",
    }
    return report_body(**{**defaults, **changes})


TG = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def signed(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(payload).encode()
    return raw, {
        "X-Hub-Signature-256": meta_signature(META_SECRET, raw),
        "Content-Type": "application/json",
    }


BAD = [
    pytest.param(b'{"channel": "call_102",', "application/json", 400, "body", id="malformed-json"),
    pytest.param(json.dumps(body()).encode(), "text/plain", 415, "body", id="wrong-content-type"),
    pytest.param(
        json.dumps(body(narrative="я" * 40_000)).encode(),
        "application/json",
        413,
        "body",
        id="body-over-64k",
    ),
    pytest.param(
        json.dumps(body(narrative="x" * 10_001)).encode(),
        "application/json",
        422,
        "narrative",
        id="narrative-too-long",
    ),
    pytest.param(
        json.dumps({k: v for k, v in body().items() if k != "call_id"}).encode(),
        "application/json",
        422,
        "call_id",
        id="missing-field",
    ),
    pytest.param(
        json.dumps(body(unexpected=1)).encode(),
        "application/json",
        422,
        "unexpected",
        id="unknown-field",
    ),
    pytest.param(
        json.dumps(body(caller_phone="+7 000 12")).encode(),
        "application/json",
        422,
        "caller_phone",
        id="wrong-phone",
    ),
    pytest.param(
        json.dumps(body(district="atlantis")).encode(),
        "application/json",
        422,
        "district",
        id="unknown-district",
    ),
    pytest.param(
        json.dumps(body(received_at="2099-01-01T00:00:00Z")).encode(),
        "application/json",
        422,
        "received_at",
        id="future-time",
    ),
    pytest.param(
        json.dumps(body(narrative="   ")).encode(),
        "application/json",
        422,
        "narrative",
        id="empty-text",
    ),
    pytest.param(
        json.dumps(body(narrative="a\u0007b")).encode(),
        "application/json",
        422,
        "narrative",
        id="control-character",
    ),
    pytest.param(
        json.dumps(body(checklist={"weapon": "maybe"})).encode(),
        "application/json",
        422,
        "checklist.weapon",
        id="wrong-type",
    ),
]


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
    # Authentic but unprocessable updates are acknowledged and quarantined: test_edges.py.
]


@pytest.mark.parametrize(("raw", "content_type", "status", "field"), BAD)
async def test_bad_input_gets_a_precise_problem_and_changes_nothing(
    refusing_api: httpx.AsyncClient,
    untouched_database_url: str,
    raw: bytes,
    content_type: str,
    status: int,
    field: str,
) -> None:
    response = await refusing_api.post(
        "/v1/reports", content=raw, headers={**AUTH, "Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    if status == 422:
        assert field in [e["field"] for e in problem["errors"]]
    # The phone and the narrative never come back in an error.
    assert "701" not in response.text
    assert "угрожает" not in response.text
    assert set((await counts(untouched_database_url)).values()) == {0}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic b3A6b3A="}]
)
async def test_the_api_needs_a_valid_bearer_token(
    refusing_api: httpx.AsyncClient, untouched_database_url: str, headers: dict[str, str]
) -> None:
    response = await refusing_api.post("/v1/reports", json=body(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (await counts(untouched_database_url))["incidents"] == 0


async def test_the_meta_subscription_handshake(refusing_api: httpx.AsyncClient) -> None:
    ok = await refusing_api.get(
        "/v1/webhooks/meta",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": META_VERIFY,
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = await refusing_api.get(
        "/v1/webhooks/meta",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    assert wrong.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("path", "raw", "headers", "status"), BAD_WEBHOOKS)
async def test_unverified_or_malformed_webhooks_store_nothing(
    refusing_api: httpx.AsyncClient,
    untouched_database_url: str,
    path: str,
    raw: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    response = await refusing_api.post(
        path, content=raw, headers={"Content-Type": "application/json", **headers}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "MESSAGE" not in response.text
    assert "Помогите" not in response.text
    assert set((await counts(untouched_database_url)).values()) == {0}


async def test_webhooks_still_need_json(
    refusing_api: httpx.AsyncClient, untouched_database_url: str
) -> None:
    response = await refusing_api.post(
        "/v1/webhooks/telegram",
        content=json.dumps(TELEGRAM_TEXT).encode(),
        headers={**TG, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert set((await counts(untouched_database_url)).values()) == {0}


async def test_missing_incidents_and_tokens(refusing_api: httpx.AsyncClient) -> None:
    missing = await refusing_api.get(
        "/v1/incidents/00000000-0000-0000-0000-000000000000", headers=AUTH
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await refusing_api.get("/v1/incidents")).status_code == 401
    assert (await refusing_api.get("/v1/incidents/not-a-uuid", headers=AUTH)).status_code == 422
