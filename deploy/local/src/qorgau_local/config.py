from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LocalSettings(BaseSettings):
    """The one-machine stack. Service settings (QORGAU_*) pass through to the services."""

    model_config = SettingsConfigDict(env_prefix="QORGAU_LOCAL_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("QORGAU_DATABASE_URL"),
        description="Use this PostgreSQL; else 127.0.0.1:5432 if it answers, else embedded.",
    )
    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("QORGAU_KAFKA_BOOTSTRAP_SERVERS"),
        description="Use this broker; else start the bundled Tansu.",
    )
    state_dir: Path = Field(default=Path(".qorgau"), description="Data, keys and logs.")
    database_name: str = Field(default="qorgau", description="Database created on a found server.")
    kafka_port: int = Field(default=9092, description="Port for the bundled broker.")
    intake_port: int = Field(default=8080, description="intake's HTTP port.")
    routing_port: int = Field(default=8081, description="routing's HTTP port.")
    notify_port: int = Field(default=8082, description="notify's HTTP port.")
    console_port: int = Field(default=8083, description="The console's HTTP port.")
    smsc_port: int = Field(default=2775, description="Development SMSC's SMPP port.")
    smsc: bool = Field(default=True, description="Start the development SMSC.")
    smsc_auto_reply: str | None = Field(
        default=None, description="Make the SMSC answer every alert, e.g. `1` (acknowledge)."
    )
    operator_token: str = Field(
        default="qorgau-dev-operator", description="Bearer token created for the local operator."
    )
    ready_timeout_s: float = Field(default=90.0, description="How long to wait for readiness.")
