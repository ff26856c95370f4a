from __future__ import annotations

import json
import uuid

import pytest
from qorgau_contracts import (
    TOPICS,
    IncidentReported,
    all_topic_names,
    breaking_changes,
    committed_schema,
    current_schema,
)

from tests.factories import reported


@pytest.mark.parametrize("topic", [t.name for t in TOPICS])
def test_current_model_does_not_break_consumers_of_the_committed_schema(topic: str) -> None:
    assert breaking_changes(committed_schema(topic), current_schema(topic)) == []


@pytest.mark.parametrize("topic", [t.name for t in TOPICS])
def test_committed_schema_is_up_to_date(topic: str) -> None:
    # An additive change must be committed too (`make contracts`), so the next check
    # compares against it.
    assert committed_schema(topic) == current_schema(topic)


def _schema(properties: dict[str, object], required: list[str]) -> dict[str, object]:
    return {"type": "object", "properties": properties, "required": required}


def test_removing_a_field_breaks() -> None:
    old = _schema({"a": {"type": "string"}, "b": {"type": "integer"}}, ["a"])
    new = _schema({"a": {"type": "string"}}, ["a"])
    assert breaking_changes(old, new) == ["field 'b' was removed"]


def test_changing_a_type_breaks() -> None:
    old = _schema({"a": {"type": "string"}}, ["a"])
    new = _schema({"a": {"type": "integer"}}, ["a"])
    assert breaking_changes(old, new) == ["field 'a' changed its type or constraints"]


def test_a_new_required_field_breaks_but_a_new_optional_one_does_not() -> None:
    old = _schema({"a": {"type": "string"}}, ["a"])
    optional = _schema({"a": {"type": "string"}, "b": {"type": "string", "default": ""}}, ["a"])
    required = _schema({"a": {"type": "string"}, "b": {"type": "string"}}, ["a", "b"])
    assert breaking_changes(old, optional) == []
    assert breaking_changes(old, required) == [
        "field 'b' is newly required; add it as optional with a default"
    ]


def test_documentation_changes_do_not_break() -> None:
    old = _schema({"a": {"type": "string", "description": "x"}}, ["a"])
    new = _schema({"a": {"type": "string", "description": "y", "title": "A"}}, ["a"])
    assert breaking_changes(old, new) == []


def test_consumers_ignore_unknown_fields() -> None:
    event = reported(district="yesil")
    payload = json.loads(event.model_dump_json())
    payload["added_in_a_later_minor_version"] = {"anything": 1}
    assert IncidentReported.model_validate(payload) == event


def test_events_are_frozen() -> None:
    event = IncidentReported.model_validate(
        {
            "producer": "intake",
            "correlation_id": str(uuid.uuid4()),
            "incident_id": str(uuid.uuid4()),
            "short_code": "K7Q2",
            "channel": "telegram",
            "received_at": "2026-11-22T10:00:00Z",
            "address_line": "x",
            "priority": "standard",
            "risk_level": "standard",
        }
    )
    with pytest.raises(Exception, match="frozen"):
        event.short_code = "AAAA"  # type: ignore[misc]


def test_every_topic_has_a_dead_letter_topic() -> None:
    names = all_topic_names()
    assert {f"{t.name}.dlq" for t in TOPICS} <= set(names)
