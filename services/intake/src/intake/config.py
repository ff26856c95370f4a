from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings

# What a deployment must provide: the defaults are for `make run` only, and intake refuses
# to start without the keys (tests/deploy checks every overlay and compose provide them).
REQUIRED_IN_DEPLOYMENT = (
    "QORGAU_DATABASE_URL",
    "QORGAU_KAFKA_BOOTSTRAP_SERVERS",
    "QORGAU_INTAKE_ENCRYPTION_KEYS",
    "QORGAU_INTAKE_LINK_KEY",
)


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="QORGAU_INTAKE_", extra="ignore", populate_by_name=True
    )

    http_port: int = Field(default=8080, description="Port of intake's HTTP API.")
    encryption_keys: str = Field(
        default="",
        description="Keys for personal fields: `id:base64(32 bytes)`, comma-separated. Required.",
    )
    encryption_active_key: str | None = Field(
        default=None, description="Key id used to encrypt new records; default: the first key."
    )
    link_key: str = Field(
        default="",
        description="Base64 of at least 32 bytes: HMAC key for matching repeat reports. Required.",
    )
    reconcile_after_s: float = Field(
        default=60.0, gt=0, description="Republish an incident nobody has routed after this."
    )
    reconcile_interval_s: float = Field(
        default=10.0, gt=0, description="How often unrouted incidents are looked for."
    )
    follow_up_window_s: float = Field(
        default=1800.0,
        gt=0,
        description="Messages from the same sender within this attach to the same incident.",
    )
    telegram_secret_token: str = Field(
        default="",
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; empty: webhook off.",
    )
    meta_app_secret: str = Field(
        default="",
        description="Meta app secret for X-Hub-Signature-256; empty: webhook off.",
    )
    meta_verify_token: str = Field(
        default="", description="Token Meta echoes in the subscription handshake."
    )
