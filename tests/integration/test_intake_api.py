"""Intake's operator API over real PostgreSQL and a real broker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from intake.main import create_app
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from tests.harness import read_topic, serving
from tests.integration.intake_support import (
    AUTH,
    create_tokens,
    intake_settings,
    relay_listening,
)

pytestmark = pytest.mark.integration

PERSONAL = {"phone": "+77012345678", "name": "Айгерим Сапарова", "narrative": "угрожает ножом"}


def body(**changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "channel": "call_102",
        "call_id": "102-0001",
        "caller_phone": "8 701 234 56 78",
        "victim": {"name": PERSONAL["name"], "age_band": "30-44", "sex": "female"},
        "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
        "district": "yesil",
        "checklist": {"weapon": True},
        "narrative": f"Муж {PERSONAL['narrative']}, дети дома.",
    }
    report.update(changes)
    return report


@pytest.fixture
async def app(database_url: str, kafka: str) -> AsyncIterator[FastAPI]:
    async with serving(create_app(intake_settings(database_url, kafka))) as app:
        await create_tokens(database_url)
        await relay_listening(database_url)
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client


async def counts(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM intake.{table}")
            for table in ("incidents", "outbox", "incident_timeline", "audit_log")
        }
    finally:
        await conn.close()


async def test_a_report_is_stored_encrypted_and_published(
    client: httpx.AsyncClient, database_url: str, kafka: str
) -> None:
    response = await client.post("/v1/reports", json=body(), headers=AUTH)
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert accepted["status"] == "reported"
    assert accepted["district"] == "yesil"
    assert (accepted["priority"], accepted["risk_level"]) == ("high", "high")
    assert response.headers["location"] == f"/v1/incidents/{accepted['incident_id']}"

    records = await read_topic(kafka, INCIDENT_REPORTED.name, 1)
    event = IncidentReported.model_validate_json(records[0].value)
    assert str(event.incident_id) == accepted["incident_id"]
    assert records[0].key == accepted["incident_id"].encode()
    assert event.address_line == "ул. Сыганак 10 кв 5"
    assert "weapon" in event.risk_flags
    for value in PERSONAL.values():
        assert value not in records[0].value.decode()

    conn = await asyncpg.connect(database_url)
    try:
        dump = json.dumps(
            [dict(r) for r in await conn.fetch("SELECT * FROM intake.incidents")],
            default=str,
            ensure_ascii=False,
        )
        audit = await conn.fetchrow("SELECT actor, action FROM intake.audit_log")
    finally:
        await conn.close()
    for value in PERSONAL.values():
        assert value not in dump
    assert tuple(audit) == ("operator-1", "report.create")


async def test_repeating_a_call_id_or_idempotency_key_creates_nothing_new(
    client: httpx.AsyncClient, database_url: str
) -> None:
    first = await client.post("/v1/reports", json=body(), headers=AUTH)
    again = await client.post("/v1/reports", json=body(), headers=AUTH)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()

    keyed = {**AUTH, "Idempotency-Key": "retry-7"}
    one = await client.post("/v1/reports", json=body(call_id="102-0002"), headers=keyed)
    two = await client.post("/v1/reports", json=body(call_id="102-0003"), headers=keyed)
    assert (one.status_code, two.status_code) == (201, 200)
    assert two.json()["incident_id"] == one.json()["incident_id"]
    assert (await counts(database_url))["incidents"] == 2
    assert (await counts(database_url))["outbox"] == 2


async def test_a_report_without_a_district_waits_for_triage(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/reports", json=body(district=None), headers=AUTH)
    assert response.status_code == 201
    assert response.json()["status"] == "awaiting_triage"


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


@pytest.mark.parametrize(("raw", "content_type", "status", "field"), BAD)
async def test_bad_input_gets_a_precise_problem_and_changes_nothing(
    client: httpx.AsyncClient,
    database_url: str,
    raw: bytes,
    content_type: str,
    status: int,
    field: str,
) -> None:
    response = await client.post(
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
    assert await counts(database_url) == {
        "incidents": 0,
        "outbox": 0,
        "incident_timeline": 0,
        "audit_log": 0,
    }


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic b3A6b3A="}]
)
async def test_the_api_needs_a_valid_bearer_token(
    client: httpx.AsyncClient, database_url: str, headers: dict[str, str]
) -> None:
    response = await client.post("/v1/reports", json=body(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (await counts(database_url))["incidents"] == 0


async def test_sql_and_html_are_stored_as_plain_text(
    client: httpx.AsyncClient, database_url: str
) -> None:
    street = "'); DROP TABLE intake.incidents; -- <script>alert(1)</script>"
    response = await client.post(
        "/v1/reports", json=body(address={"street": street, "house": "1"}), headers=AUTH
    )
    assert response.status_code == 201
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT address_line FROM intake.incidents") == f"{street} 1"
    finally:
        await conn.close()


async def test_probes_and_docs(client: httpx.AsyncClient) -> None:
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": True, "kafka": True}
    assert (await client.get("/health/live")).status_code == 200
    assert "qorgau_outbox_lag_seconds" in (await client.get("/metrics")).text
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/reports" in spec["paths"]
