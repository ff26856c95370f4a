from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def shared(name: str, default: Any, description: str) -> Any:
    """A setting every service reads from the same `QORGAU_<NAME>` variable."""
    return Field(
        default=default,
        validation_alias=AliasChoices(f"QORGAU_{name.upper()}", name),
        description=description,
    )


class ServiceSettings(BaseSettings):
    """Settings common to every service. Subclasses set their own `env_prefix`."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = shared(
        "database_url",
        "postgresql://postgres@127.0.0.1:5432/qorgau",
        "PostgreSQL DSN; each service uses its own schema in it.",
    )
    kafka_bootstrap_servers: str = shared(
        "kafka_bootstrap_servers", "127.0.0.1:9092", "Kafka bootstrap servers, comma-separated."
    )
    kafka_session_timeout_ms: int = shared(
        "kafka_session_timeout_ms", 6000, "Consumer group session timeout."
    )
    kafka_heartbeat_interval_ms: int = shared(
        "kafka_heartbeat_interval_ms", 1000, "Consumer group heartbeat interval."
    )
    kafka_fetch_max_wait_ms: int = shared(
        "kafka_fetch_max_wait_ms", 100, "Longest a fetch waits for data; bounds consume latency."
    )
    kafka_enable_idempotence: bool = shared(
        "kafka_enable_idempotence", False, "Idempotent producer (needs Apache Kafka, not Tansu)."
    )
    log_level: str = shared("log_level", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR.")
    log_format: str = shared("log_format", "json", "`json` (default) or `console` for humans.")
    outbox_poll_interval_s: float = shared(
        "outbox_poll_interval_s", 1.0, "How often the outbox relay polls besides LISTEN/NOTIFY."
    )
    outbox_max_attempts: int = shared(
        "outbox_max_attempts",
        5,
        "Failed sends (other than the broker being away) before an outbox row is parked.",
    )
    outbox_retention_days: float = shared(
        "outbox_retention_days", 7.0, "Published outbox rows are deleted after this many days."
    )
    inbox_retention_days: float = shared(
        "inbox_retention_days", 7.0, "Inbox rows (consumed event ids) are deleted after this."
    )
    kafka_start_timeout_s: float = shared(
        "kafka_start_timeout_s",
        60.0,
        "Longest the consumer may take to join its group; then it starts again, afresh.",
    )
    consumer_batch_max_records: int = shared(
        "consumer_batch_max_records",
        200,
        "Most records a consumer takes per poll; their offsets commit once, after all applied.",
    )
    consumer_batch_timeout_ms: int = shared(
        "consumer_batch_timeout_ms",
        20,
        "Longest a consumer's poll waits for records, and its pause after a poll that found"
        " none: bounds the wait of the first event after a quiet spell, at every hop.",
    )
    consumer_max_attempts: int = shared(
        "consumer_max_attempts", 5, "Attempts before a failing message goes to its DLQ."
    )
    consumer_group: str = Field(
        default="", description="Kafka consumer group; default: the service name."
    )
    max_body_bytes: int = Field(default=64 * 1024, description="Largest request body accepted.")
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    http_port: int = Field(default=8080, description="Port of the HTTP server.")
