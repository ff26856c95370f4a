from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings

# What a deployment must provide: the defaults are for `make run` only.
REQUIRED_IN_DEPLOYMENT = (
    "QORGAU_DATABASE_URL",
    "QORGAU_KAFKA_BOOTSTRAP_SERVERS",
    "QORGAU_NOTIFY_SMPP_HOST",
    "QORGAU_NOTIFY_SMPP_PASSWORD",
)


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="QORGAU_NOTIFY_", extra="ignore", populate_by_name=True
    )

    http_port: int = Field(default=8082, description="Port of notify's HTTP server.")
    smpp_host: str = Field(default="127.0.0.1", description="SMSC host.")
    smpp_port: int = Field(default=2775, description="SMSC port.")
    smpp_system_id: str = Field(default="qorgau", description="SMPP system_id for the bind.")
    smpp_password: SecretStr = Field(default=SecretStr("qorgau"), description="SMPP password.")
    smpp_source_addr: str = Field(default="Qorgau", description="Sender shown on the phone.")
    smpp_binds: int = Field(
        default=1,
        ge=1,
        description="SMPP binds held to the SMSC (the same credentials); submits spread over them.",
    )
    smpp_window: int = Field(default=16, ge=1, description="submit_sm in flight on each bind.")
    smpp_rate_per_s: float = Field(
        default=100.0,
        gt=0,
        description="submit_sm per second on each bind, most (an SMSC contract limits each bind).",
    )
    smpp_submit_timeout_s: float = Field(default=10.0, gt=0, description="Wait for submit_sm_resp.")
    smpp_bind_wait_s: float = Field(
        default=2.0, ge=0, description="How long a send waits for a bind before failing over."
    )
    smpp_throttle_retries: int = Field(
        default=3, ge=0, description="ESME_RTHROTTLED retries (with backoff) before failing over."
    )
    http_gateway_url: str | None = Field(
        default=None, description="Base URL of the HTTP SMS gateway (none: no failover)."
    )
    http_gateway_api_key: SecretStr = Field(
        default=SecretStr(""), description="API key of the HTTP SMS gateway."
    )
    http_gateway_sender: str = Field(default="Qorgau", description="Sender name at the gateway.")
    http_gateway_timeout_s: float = Field(default=5.0, gt=0, description="HTTP gateway timeout.")
    http_gateway_rate_per_s: float = Field(
        default=20.0, gt=0, description="Messages per second to the HTTP gateway, most."
    )
    http_gateway_callback_token: SecretStr | None = Field(
        default=None,
        description="Status callbacks must carry ?token=<this>; required with a gateway.",
    )
    send_window: int = Field(
        default=32,
        ge=1,
        description="Alerts and notices (confirmations, update SMS) being sent at once.",
    )
    receipt_timeout_s: float = Field(
        default=60.0, gt=0, description="No receipt by then: resend through the other provider."
    )
    give_up_after_s: float = Field(
        default=120.0, gt=0, description="An alert no provider could send fails after this."
    )
    exercise_provider: Literal["none", "smpp", "http"] = Field(
        default="none", description="Provider allowed to carry drills (never a real one)."
    )
    in_doubt_after_s: float = Field(
        default=60.0,
        gt=0,
        description="An alert whose submit was cut by a crash fails after this (never resent).",
    )
    bare_reply_window_s: float = Field(
        default=900.0,
        gt=0,
        description="A bare 1/2 applies only if no other case reached the phone within this"
        " (the longest ack deadline); otherwise the officer is asked for the code.",
    )
    resend_pending_after_s: float = Field(
        default=5.0, description="Retry alerts still pending (not yet submitted) after this."
    )

    @model_validator(mode="after")
    def _gateway_callbacks_are_authenticated(self) -> NotifySettings:
        # An unauthenticated callback could mark any alert delivered or failed.
        if self.http_gateway_url and not (
            self.http_gateway_callback_token and self.http_gateway_callback_token.get_secret_value()
        ):
            raise ValueError(
                "QORGAU_NOTIFY_HTTP_GATEWAY_CALLBACK_TOKEN is required when"
                " QORGAU_NOTIFY_HTTP_GATEWAY_URL is set: the gateway's status callbacks must"
                " prove they come from it"
            )
        return self
