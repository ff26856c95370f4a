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


def test_smpp_binds_default_to_one_and_window_and_rate_apply_per_bind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from notify.main import smpp_config

    assert smpp_config(NotifySettings()).binds == 1
    monkeypatch.setenv("QORGAU_NOTIFY_SMPP_BINDS", "3")
    monkeypatch.setenv("QORGAU_NOTIFY_SMPP_WINDOW", "8")
    monkeypatch.setenv("QORGAU_NOTIFY_SMPP_RATE_PER_S", "50")
    config = smpp_config(NotifySettings())
    assert (config.binds, config.window, config.rate_per_s) == (3, 8, 50.0)
    monkeypatch.setenv("QORGAU_NOTIFY_SMPP_BINDS", "0")
    with pytest.raises(ValidationError, match="smpp_binds"):
        NotifySettings()
