"""Settings that notify refuses, with a message that says what to do."""

from __future__ import annotations

import pytest
from notify.config import NotifySettings
from pydantic import ValidationError


def test_a_gateway_without_a_callback_token_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="CALLBACK_TOKEN is required"):
        NotifySettings(http_gateway_url="https://gateway.example")
    NotifySettings(http_gateway_url="https://gateway.example", http_gateway_callback_token="t")
    NotifySettings()  # no gateway, no token needed
