from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings


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
