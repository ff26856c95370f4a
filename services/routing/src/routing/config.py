from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="QORGAU_ROUTING_", extra="ignore", populate_by_name=True
    )

    http_port: int = Field(default=8081, description="Port of routing's HTTP server.")
