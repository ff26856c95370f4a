from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings

# What a deployment must provide: the defaults are for `make run` only.
REQUIRED_IN_DEPLOYMENT = (
    "QORGAU_DATABASE_URL",
    "QORGAU_CONSOLE_INTAKE_URL",
    "QORGAU_CONSOLE_ROUTING_URL",
    "QORGAU_CONSOLE_INTAKE_OPERATOR_TOKEN",
    "QORGAU_CONSOLE_INTAKE_PERSONAL_TOKEN",
    "QORGAU_CONSOLE_ROUTING_TOKEN",
)


class ConsoleSettings(ServiceSettings):
    """The console's settings (`QORGAU_CONSOLE_*`); built in main, never at import."""

    model_config = SettingsConfigDict(
        env_prefix="QORGAU_CONSOLE_", extra="ignore", populate_by_name=True
    )

    http_port: int = Field(default=8083, description="Port of the console.")
    public_url: str = Field(
        default="http://127.0.0.1:8083", description="Where people open the console."
    )
    intake_url: str = Field(default="http://127.0.0.1:8080", description="intake's API.")
    routing_url: str = Field(default="http://127.0.0.1:8081", description="routing's API.")
    intake_operator_token: str = Field(
        default="", description="intake token with role operator: submit and list reports."
    )
    intake_personal_token: str = Field(
        default="", description="intake token with role supervisor: decrypted detail views."
    )
    routing_token: str = Field(default="", description="routing token with role supervisor.")
    api_timeout_s: float = Field(default=5.0, description="Timeout of each intake/routing call.")
    cookie_secure: bool = Field(
        default=True, description="Secure cookies (turn off only for http://127.0.0.1)."
    )
    session_idle_s: int = Field(default=900, description="A session ends after this idle time.")
    session_max_s: int = Field(default=12 * 3600, description="Longest a session lives.")
    login_max_failures: int = Field(default=5, description="Failures before an account locks.")
    login_lockout_s: int = Field(default=900, description="How long a locked account waits.")
    login_ip_max_failures: int = Field(
        default=20, description="Failures from one address in the lockout window before refusal."
    )
    poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often live pages' data is fetched from the APIs."
    )
    tile_url: str = Field(
        default="",
        description="Map tile URL template ({z}/{x}/{y}); empty: district outlines only.",
    )
