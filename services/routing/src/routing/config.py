from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from qorgau_common.settings import ServiceSettings

from .domain.escalation import EscalationPolicy

# What a deployment must provide: the defaults are for `make run` only.
REQUIRED_IN_DEPLOYMENT = ("QORGAU_DATABASE_URL", "QORGAU_KAFKA_BOOTSTRAP_SERVERS")


class RoutingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="QORGAU_ROUTING_", extra="ignore", populate_by_name=True
    )

    http_port: int = Field(default=8081, description="Port of routing's HTTP API.")
    ack_deadline_danger_now_s: float = Field(default=120, description="Ack deadline, danger now.")
    ack_deadline_high_s: float = Field(default=300, description="Ack deadline, high priority.")
    ack_deadline_standard_s: float = Field(default=900, description="Ack deadline, standard.")
    max_attempts: int = Field(default=4, ge=1, description="Officers tried before giving up.")
    escalation_interval_s: float = Field(
        default=1.0, gt=0, description="How often missed deadlines are looked for."
    )
    reconcile_after_s: float = Field(
        default=30.0,
        gt=0,
        description="Republish an open assignment notify has not answered after this, and at"
        " most once per this.",
    )
    reconcile_interval_s: float = Field(
        default=5.0, gt=0, description="How often unanswered assignments are looked for."
    )

    def policy(self) -> EscalationPolicy:
        return EscalationPolicy(
            ack_deadlines={
                "danger_now": timedelta(seconds=self.ack_deadline_danger_now_s),
                "high": timedelta(seconds=self.ack_deadline_high_s),
                "standard": timedelta(seconds=self.ack_deadline_standard_s),
            },
            max_attempts=self.max_attempts,
            redeliver_after=timedelta(seconds=self.reconcile_after_s),
        )
