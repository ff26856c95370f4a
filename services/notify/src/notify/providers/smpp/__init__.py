"""The SMPP 3.4 provider (the primary): the bind keeper (`session`), the provider that
submits (`provider`) and the pure short-message codec (`pdu`)."""

from __future__ import annotations

from .provider import SmppProvider
from .session import OnReceipt, OnReply, SmppConfig

__all__ = ["OnReceipt", "OnReply", "SmppConfig", "SmppProvider"]
