"""docs/deploy.md tells operators every secret value a service cannot start without.

The manifests take those settings from Secrets that the cluster must provide (none is in the
repository), and compose takes them from `.env`. Intake's link key was required at start but
neither provided nor documented, so intake crash-looped (issue 11); the overlays and compose
are checked by test_required_settings, this checks the guide operators follow.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.deploy import manifests as m
from tests.deploy.test_required_settings import REQUIRED

GUIDE = m.REPO / "docs" / "deploy.md"


def from_secrets(docs: list[m.Manifest], service: str) -> dict[str, tuple[str, str]]:
    """Each required setting the service's container takes from a Secret: (name, key)."""
    deployment = m.by_kind(docs, "Deployment")[service]
    containers = deployment["spec"]["template"]["spec"]["containers"]
    container = next(c for c in containers if c["name"] == service)
    found: dict[str, tuple[str, str]] = {}
    for entry in container.get("env", []):
        ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
        if ref is not None and entry["name"] in REQUIRED[service]:
            found[entry["name"]] = (ref["name"], ref["key"])
    return found


def secret_table() -> dict[tuple[str, str], str]:
    """docs/deploy.md's Secret table: (secret, key) -> what it says the value is for."""
    rows = re.findall(
        r"^\s*\| `([a-z0-9-]+)` \| `([a-z0-9-]+)` \| (.+)\|\s*$", GUIDE.read_text(), re.M
    )
    return {(secret, key): used_by for secret, key, used_by in rows}


@pytest.mark.parametrize(
    "service",
    [
        "intake",
        "routing",
        "notify",
        "console",
    ],
)
def test_the_secret_table_lists_every_secret_a_required_setting_comes_from(
    service: str, docs: dict[str, list[m.Manifest]]
) -> None:
    """Every overlay's Secret for a required setting is a row of the table (name and key),
    and a row for a value other than a database URL names the setting it provides."""
    table = secret_table()
    problems = []
    for variant, manifests in sorted(docs.items()):
        for setting, (secret, key) in sorted(from_secrets(manifests, service).items()):
            used_by = table.get((secret, key))
            if used_by is None:
                problems.append(f"{variant}: no row for {secret}/{key} ({setting})")
            elif setting != "QORGAU_DATABASE_URL" and f"`{setting}`" not in used_by:
                problems.append(f"{variant}: the row for {secret}/{key} does not name {setting}")
    assert problems == []


def test_the_link_key_secret_is_documented_with_how_to_make_it() -> None:
    """The row and the command that creates intake's link key Secret."""
    guide = GUIDE.read_text()
    assert "`QORGAU_INTAKE_LINK_KEY`" in secret_table()[("qorgau-intake-link", "key")]
    assert "create secret generic qorgau-intake-link" in guide
    assert "new-link-key" in guide


def test_the_compose_steps_set_every_key_intake_cannot_start_without() -> None:
    """compose passes intake's keys from `.env` with no default: the guide's compose steps
    must put each of them there."""
    compose = yaml.safe_load((m.REPO / "deploy" / "compose.yaml").read_text())
    environment = compose["services"]["intake"]["environment"]
    from_env = [s for s in REQUIRED["intake"] if environment.get(s) == f"${{{s}:-}}"]
    assert "QORGAU_INTAKE_LINK_KEY" in from_env
    steps = GUIDE.read_text().split("## Docker Compose", 1)[1].split("\n## ", 1)[0]
    missing = [s for s in from_env if f'echo "{s}=' not in steps]
    assert missing == []
