from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy import manifests as m


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each overlay rendered by `kubectl kustomize`, plus prod with the KEDA component."""
    out = {env: m.render(m.K8S / "overlays" / env) for env in m.OVERLAYS}
    keda = m.with_component(
        m.K8S / "overlays" / "prod", m.KEDA_COMPONENT, tmp_path_factory.mktemp("prod-keda")
    )
    out["prod-keda"] = m.render(keda)
    return out


@pytest.fixture(scope="session")
def docs(rendered: dict[str, str]) -> dict[str, list[m.Manifest]]:
    return {name: m.load_all(text) for name, text in rendered.items()}


@pytest.fixture(scope="session")
def rendered_dir(rendered: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered overlays as files, one per variant, for the file-based tools."""
    directory = tmp_path_factory.mktemp("rendered")
    for name, text in rendered.items():
        (directory / f"{name}.yaml").write_text(text)
    return directory
