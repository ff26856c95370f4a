"""Notify's pure parts: failover decisions, rate limit, phones, gateway parsing, answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify.failover import (
    GiveUp,
    RetryLater,
    SendVia,
    after_rejection,
    backoff,
    first_step,
    receipt_failover,
    routes_for,
)
from notify.http_gateway import parse_send_response, parse_status_callback
from notify.phones import masked, phone_problem
from notify.provider import Rejected, Submitted
from notify.ratelimit import TokenBucket
from notify.sms import render_answer, segment_count
from qorgau_local.smsc import SmscBehaviour, set_behaviour

ROUTES = ("smpp", "http")


@pytest.mark.parametrize("kind", ["unavailable", "error", "throttled"])
def test_a_transient_failure_moves_to_the_other_provider(kind: str) -> None:
    step = after_rejection(Rejected("x", kind), ["smpp"], ROUTES, age_s=0, give_up_after_s=60)  # type: ignore[arg-type]
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


def test_token_bucket_limits_the_rate() -> None:
    bucket = TokenBucket(rate_per_s=10, burst=2)
    assert bucket.take(0.0) == 0
    assert bucket.take(0.0) == 0
    assert bucket.take(0.0) == pytest.approx(0.1)
    assert bucket.take(0.1) == 0  # refilled one token in 0.1 s


@given(st.lists(st.floats(min_value=0, max_value=0.05), min_size=1, max_size=200))
def test_token_bucket_never_exceeds_rate_plus_burst(gaps: list[float]) -> None:
    bucket = TokenBucket(rate_per_s=20, burst=3)
    now, taken = 0.0, 0
    for gap in gaps:
        now += gap
        if bucket.take(now) == 0:
            taken += 1
    assert taken <= 3 + now * 20 + 1e-9


@pytest.mark.parametrize(
    ("phone", "ok"),
    [("+77000003001", True), ("+77012345678", True), ("+70000000000", False), ("+1", False)],
)
def test_officer_phones_are_checked(phone: str, ok: bool) -> None:
    assert (phone_problem(phone) is None) is ok


def test_masked_phone_hides_the_number() -> None:
    assert masked("+77012345678") == "+7…78"
    assert "2345" not in masked("+77012345678")


def test_gateway_answers() -> None:
    assert parse_send_response(200, b'{"code":0,"data":{"messageId":"42"}}') == Submitted(("42",))
    assert parse_send_response(429, b"").kind == "throttled"  # type: ignore[union-attr]
    assert parse_send_response(503, b"").kind == "error"  # type: ignore[union-attr]
    bad_recipient = b'{"code":1,"data":{"recipient":"invalid"},"message":"x"}'
    assert parse_send_response(200, bad_recipient).kind == "permanent"  # type: ignore[union-attr]
    assert parse_send_response(200, b"<html>").kind == "error"  # type: ignore[union-attr]


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


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize(
    "answer", ["acknowledged", "declined", "unknown_code", "no_open_alert", "not_understood"]
)
def test_answers_to_replies_fit_one_sms(language: str, answer: str) -> None:
    text = render_answer(answer, language, "K7Q2")  # type: ignore[arg-type]
    assert segment_count(text) == 1
    assert text.startswith("Qorgau")


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
    from notify.pdu import encode
    from notify.sms import part_count

    assert part_count(text) == len(encode(text, 1).parts)
