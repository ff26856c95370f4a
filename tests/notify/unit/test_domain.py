"""Notify's pure parts: failover decisions, rate limit, phones, gateway parsing, answers,
the alert entity and its event."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify.domain.alert import alert_text, alert_updated
from notify.domain.phones import masked, phone_problem
from notify.providers.base import FailureKind, Rejected, SendResult, Submitted
from notify.providers.failover import (
    GiveUp,
    RetryLater,
    SendVia,
    after_rejection,
    backoff,
    first_step,
    receipt_failover,
    routes_for,
)
from notify.providers.http_gateway import parse_send_response, parse_status_callback
from notify.providers.ratelimit import rate_limit
from qorgau_local.smsc import SmscBehaviour, set_behaviour

from tests import factories

ROUTES = ("smpp", "http")


@pytest.mark.parametrize("kind", ["unavailable", "error", "throttled"])
def test_a_transient_failure_moves_to_the_other_provider(kind: FailureKind) -> None:
    step = after_rejection(Rejected("x", kind), ["smpp"], ROUTES, age_s=0, give_up_after_s=60)
    assert step == SendVia("http")


def test_a_permanent_rejection_fails_at_once() -> None:
    step = after_rejection(
        Rejected("0x0000000b", "permanent"), ["smpp"], ROUTES, age_s=0, give_up_after_s=60
    )
    assert step == GiveUp("0x0000000b")


def test_when_every_provider_failed_it_waits_then_gives_up() -> None:
    failure = Rejected("down", "unavailable")
    assert after_rejection(failure, list(ROUTES), ROUTES, age_s=5, give_up_after_s=60) == (
        RetryLater("down")
    )
    assert isinstance(
        after_rejection(failure, list(ROUTES), ROUTES, age_s=61, give_up_after_s=60), GiveUp
    )


def test_no_receipt_fails_over_once_to_an_unused_provider() -> None:
    assert receipt_failover("smpp", ["smpp"], ROUTES) == "http"
    assert receipt_failover("http", ["smpp", "http"], ROUTES) is None
    assert receipt_failover("smpp", ["smpp"], ("smpp",)) is None


def test_drills_go_only_to_the_provider_marked_for_them() -> None:
    assert routes_for(False, ROUTES, None) == ROUTES
    assert routes_for(True, ROUTES, None) == ()
    assert routes_for(True, ROUTES, "none") == ()
    assert routes_for(True, ROUTES, "http") == ("http",)
    assert first_step(()) == GiveUp("no SMS provider configured")


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [0.2, 0.4, 0.8]
    assert backoff(50) == 5.0


def test_the_rate_limit_is_sized_from_rate_and_burst() -> None:
    default = rate_limit(100.0)
    assert default.max_rate == 10.0
    assert default.time_period == pytest.approx(0.1)
    slow = rate_limit(0.5)  # a burst is never less than one message
    assert (slow.max_rate, slow.time_period) == (1.0, 2.0)


async def test_the_rate_limit_lets_its_burst_through_then_paces() -> None:
    limiter = rate_limit(rate_per_s=50, burst=5)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(5):
        await limiter.acquire()
    burst_s = loop.time() - start
    for _ in range(10):
        await limiter.acquire()
    total_s = loop.time() - start
    assert burst_s < 0.05
    assert total_s >= 0.9 * 10 / 50  # ten more at 50/s, after the burst


@pytest.mark.parametrize(
    ("phone", "ok"),
    [("+77000003001", True), ("+77012345678", True), ("+70000000000", False), ("+1", False)],
)
def test_officer_phones_are_checked(phone: str, ok: bool) -> None:
    assert (phone_problem(phone) is None) is ok


def test_masked_phone_hides_the_number() -> None:
    assert masked("+77012345678") == "+7…78"
    assert "2345" not in masked("+77012345678")


def kind(result: SendResult) -> FailureKind:
    assert isinstance(result, Rejected)
    return result.kind


def test_gateway_answers() -> None:
    assert parse_send_response(200, b'{"code":0,"data":{"messageId":"42"}}') == Submitted(("42",))
    assert kind(parse_send_response(429, b"")) == "throttled"
    assert kind(parse_send_response(503, b"")) == "error"
    bad_recipient = b'{"code":1,"data":{"recipient":"invalid"},"message":"x"}'
    assert kind(parse_send_response(200, bad_recipient)) == "permanent"
    assert kind(parse_send_response(200, b"<html>")) == "error"


@given(st.integers(min_value=100, max_value=599), st.binary(max_size=100))
def test_gateway_answers_never_raise(status: int, body: bytes) -> None:
    parse_send_response(status, body)


def test_gateway_status_callbacks() -> None:
    receipt = parse_status_callback({"messageId": "42", "status": "delivrd"})
    assert receipt is not None
    assert (receipt.message_id, receipt.delivered) == ("42", True)
    numeric = parse_status_callback({"messageId": 7, "status": 5})
    assert numeric is not None
    assert numeric.state == "UNDELIV"
    assert parse_status_callback({"status": "DELIVRD"}) is None
    assert parse_status_callback({"messageId": "1", "status": "<script>"}) is None


@given(st.dictionaries(st.sampled_from(["messageId", "status", "id", "x"]), st.text() | st.none()))
def test_gateway_callbacks_never_raise(fields: dict[str, object]) -> None:
    parse_status_callback(fields)


def test_smsc_switches_parse_from_text() -> None:
    behaviour = SmscBehaviour()
    applied = set_behaviour(
        behaviour, {"throttle_next": "3", "receipts": "false", "reject_status": "0x0b"}
    )
    assert applied == {"throttle_next": 3, "receipts": False, "reject_status": 11}
    set_behaviour(behaviour, {"reject_status": None})
    assert behaviour.reject_status is None
    with pytest.raises(ValueError, match="unknown"):
        set_behaviour(behaviour, {"explode": 1})


@given(st.text(max_size=400))
def test_part_count_matches_the_encoder(text: str) -> None:
    from notify.domain.sms import part_count
    from notify.providers.smpp.pdu import encode

    assert part_count(text) == len(encode(text, 1).parts)


an_alert = factories.alert


def test_the_alert_renders_as_its_officer_reads_it() -> None:
    assert alert_text(an_alert()).startswith("Qorgau K7Q2 ВЫСОКИЙ риск. Есиль")
    assert alert_text(an_alert(language="kk", exercise=True)).startswith("ОҚУ Qorgau K7Q2")


def test_an_alert_update_carries_the_alert_and_keeps_its_provider_unless_told() -> None:
    alert = an_alert(exercise=True)
    kept = alert_updated(alert, "delivered")
    assert (kept.alert_id, kept.assignment_id, kept.incident_id) == (
        alert.id,
        alert.assignment_id,
        alert.incident_id,
    )
    assert (kept.producer, kept.exercise, kept.correlation_id) == (
        "notify",
        True,
        alert.correlation_id,
    )
    assert (kept.provider, kept.provider_message_ids, kept.reason) == ("smpp", ("a", "b"), None)
    moved = alert_updated(alert, "submitted", provider="http", message_ids=("gw-1",))
    assert (moved.provider, moved.provider_message_ids) == ("http", ("gw-1",))
    failed = alert_updated(alert, "failed", reason="x")
    assert (failed.status, failed.reason) == ("failed", "x")
