"""How the profile of `bench/stack_profile.py` files a py-spy sample under a stage."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
LOOP = "BaseEventLoop._run_once (asyncio/base_events.py:1922);Handle._run (asyncio/events.py:80)"
WRITE = "_SelectorSocketTransport.write (asyncio/selector_events.py:1057)"


@pytest.fixture
def profile(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # the benches import each other by file name
    return importlib.import_module("stack_profile")


def test_a_socket_write_counts_for_the_library_that_wrote(profile: ModuleType) -> None:
    sql = (
        f"{LOOP};submit (intake/usecases/submit_report.py:40)"
        f";_do_execute (asyncpg/connection.py:2066);{WRITE}"
    )
    assert profile.stage_of(sql) == "SQL (asyncpg)"
    kafka = f"{LOOP};send (aiokafka/producer/producer.py:300);{WRITE}"
    assert profile.stage_of(kafka) == "Kafka client (aiokafka)"


def test_everything_the_relay_does_is_the_relays(profile: ModuleType) -> None:
    stack = (
        f"{LOOP};OutboxRelay._publish_batch (qorgau_common/relay.py:153)"
        ";execute (asyncpg/connection.py:377)"
    )
    assert profile.stage_of(stack) == "outbox relay"


def test_a_wrapper_around_the_request_does_not_take_its_samples(profile: ModuleType) -> None:
    # OpenTelemetry's ASGI middleware wraps every request; only its own frames are tracing.
    request = f"{LOOP};__call__ (asgi/__init__.py:700);submit (intake/http/reports.py:80)"
    assert profile.stage_of(request) == "service code (handlers, use cases, domain)"
    span = f"{LOOP};__call__ (asgi/__init__.py:700);Tracer.start_span (trace/__init__.py:1200)"
    assert profile.stage_of(span) == "tracing (OpenTelemetry)"


def test_the_loop_parked_in_epoll_is_idle(profile: ModuleType) -> None:
    assert profile.stage_of(f"{LOOP[:40]};EpollSelector.select (selectors.py:468)") is None


def test_sql_under_the_smpp_provider_is_sql_and_its_own_work_is_smpp(profile: ModuleType) -> None:
    submit = f"{LOOP};SmppProvider._submit_part (notify/providers/smpp/provider.py:128)"
    assert profile.stage_of(submit) == "SMPP encoding and session (smpp34)"
    recorded = f"{submit};mark_on_wire (notify/db/claims.py:30);execute (asyncpg/connection.py:377)"
    assert profile.stage_of(recorded) == "SQL (asyncpg)"
    receipt = (
        f"{LOOP};SmppSession._inbound_event (notify/providers/smpp/session.py:160)"
        ";execute (asyncpg/connection.py:377)"
    )
    assert profile.stage_of(receipt) == "receipts and replies (notify.inbound)"
