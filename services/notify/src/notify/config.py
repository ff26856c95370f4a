from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings


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
    resend_pending_after_s: float = Field(
        default=5.0, description="Retry alerts still pending (not yet submitted) after this."
    )
