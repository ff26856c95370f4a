"""Lint and policy checks on the deploy files: yamllint, compose schema, hadolint, checkov."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.deploy import manifests as m

COMPOSE = m.REPO / "deploy" / "compose.yaml"
DOCKERFILE = m.REPO / "Dockerfile"


def test_yaml_is_tidy() -> None:
    result = m.run(
        m.tool("yamllint"),
        "--strict",
        "--config-file",
        m.CHECKS / "yamllint.yaml",
        COMPOSE,
        m.K8S,
        m.CHECKS,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_matches_the_compose_spec() -> None:
    result = m.run(m.tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_starts_services_after_the_jobs_and_checks_their_health() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert re.fullmatch(r"apache/kafka:\d+\.\d+\.\d+", services["kafka"]["image"])
    assert re.fullmatch(r"postgres:16\.\d+(-\w+)?", services["postgres"]["image"])
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["schemas"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in m.SERVICES:
        service = services[name]
        for job in ("topics", "schemas"):
            assert service["depends_on"][job]["condition"] == "service_completed_successfully"
        assert "healthcheck" in service, name
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert service["env_file"] == [{"path": "../.env", "required": False}]
        assert service["environment"][f"QORGAU_{name.upper()}_HTTP_HOST"] == "0.0.0.0"
    assert services["notify"]["depends_on"]["devsmsc"]["condition"] == "service_healthy"


def test_dockerfile_passes_hadolint() -> None:
    result = m.run(m.tool("hadolint"), DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_every_image_from_the_lock_with_the_projects_uv() -> None:
    text = DOCKERFILE.read_text()
    makefile_uv = re.search(r"^UV_VERSION := (\S+)$", (m.REPO / "Makefile").read_text(), re.M)
    assert makefile_uv, "UV_VERSION not found in the Makefile"
    assert f"ARG UV_VERSION={makefile_uv[1]}" in text
    syncs = re.findall(r"uv sync ([^\n]+)", text)
    assert syncs
    assert all("--frozen --no-dev --no-editable" in s for s in syncs)
    commands = {
        "intake": '["python", "-m", "intake", "serve"]',
        "routing": '["python", "-m", "routing", "serve"]',
        "notify": '["python", "-m", "notify", "serve"]',
        "devsmsc": '["python", "-m", "qorgau_local", "smsc", "--port", "2775"]',
        "jobs": '["python", "-m", "qorgau_local", "schemas"]',
    }
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    by_name: dict[str, str] = {}
    for stage in stages:
        if " AS " in stage.split("\n")[0]:
            named = re.match(r"\S+ AS (\S+)", stage)
            assert named, stage
            by_name[named[1]] = stage
    for target, command in commands.items():
        assert f"CMD {command}" in by_name[target], target
    assert "USER 10001:10001" in by_name["runtime"]
    # The final images copy a built venv; nothing is compiled or installed in them.
    for target in commands:
        assert not re.search(r"^RUN ", by_name[target], re.M), f"{target} runs a build step"


def test_checkov_finds_nothing_beyond_the_baseline(rendered_dir: Path) -> None:
    findings = m.checkov_findings(rendered_dir)
    baseline = m.checkov_baseline()
    new = sorted(findings - baseline)
    stale = sorted(baseline - findings)
    assert not new, f"new checkov findings (fix them, or accept in deploy/checks): {new}"
    assert not stale, f"fixed; remove from deploy/checks/checkov-baseline.yaml: {stale}"
