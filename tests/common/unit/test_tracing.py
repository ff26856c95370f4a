"""Without an exporter, spans are not recorded, yet every hop still carries the trace."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from qorgau_common.tracing import tracer_provider

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_without_an_exporter_no_span_is_recorded() -> None:
    provider = tracer_provider("intake", {})
    with provider.get_tracer("t").start_as_current_span("root") as root:
        assert not root.is_recording()
        assert root.get_span_context().is_valid


def test_without_an_exporter_the_trace_context_still_travels() -> None:
    provider = tracer_provider("routing", {})
    context = propagate.extract({"traceparent": PARENT})
    with provider.get_tracer("t").start_as_current_span("hop", context=context) as hop:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
    assert hop.get_span_context().trace_id == int(PARENT.split("-")[1], 16)
    assert carrier["traceparent"].split("-")[1] == PARENT.split("-")[1]


def test_with_an_exporter_spans_are_recorded() -> None:
    provider = tracer_provider("notify", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
    try:
        assert isinstance(provider, TracerProvider)
        # Started, never ended: nothing is queued for export, so shutdown sends nothing.
        assert provider.get_tracer("t").start_span("root").is_recording()
    finally:
        provider.shutdown()
