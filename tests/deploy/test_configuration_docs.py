"""Every setting is documented where operators look: .env.example and the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from console.config import ConsoleSettings
from intake.config import IntakeSettings
from notify.config import NotifySettings
from pydantic import AliasChoices
from pydantic_settings import BaseSettings
from qorgau_local.config import LocalSettings
from routing.config import RoutingSettings

ROOT = Path(__file__).resolve().parents[2]


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.add(str(alias.choices[0]))
        else:
            names.add(f"{prefix}{name}".upper())
    return names


ALL = sorted(
    set().union(
        *(
            env_names(s)
            for s in (
                IntakeSettings,
                RoutingSettings,
                NotifySettings,
                ConsoleSettings,
                LocalSettings,
            )
        )
    )
    | {"QORGAU_TEST_DATABASE_URL"}
)


@pytest.mark.parametrize("variable", ALL)
def test_variable_is_in_env_example_and_readme(variable: str) -> None:
    assert f"# {variable}=" in (ROOT / ".env.example").read_text()
    assert f"`{variable}`" in (ROOT / "README.md").read_text()


def test_no_documented_variable_is_stale() -> None:
    import re

    documented = set(
        re.findall(r"^\| `(QORGAU_[A-Z0-9_]+)`", (ROOT / "README.md").read_text(), re.M)
    )
    in_example = set(
        re.findall(r"^# (QORGAU_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert documented - set(ALL) == set()
    assert in_example - set(ALL) == set()
