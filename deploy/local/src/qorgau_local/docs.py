"""`make docs`: the AsyncAPI document of each service and intake's OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from intake.config import IntakeSettings
from intake.domain.crypto import new_key_spec
from intake.domain.linking import new_link_key
from intake.main import create_app as intake_app
from notify.config import NotifySettings
from notify.main import create_app as notify_app
from qorgau_common.runtime import ServiceRuntime
from qorgau_contracts import TOPICS
from routing.config import RoutingSettings
from routing.main import create_app as routing_app


def _apps() -> dict[str, FastAPI]:
    return {
        "intake": intake_app(
            IntakeSettings(encryption_keys=new_key_spec("docs"), link_key=new_link_key())
        ),
        "routing": routing_app(RoutingSettings()),
        "notify": notify_app(NotifySettings()),
    }


def _with_contract_payloads(document: dict[str, Any]) -> dict[str, Any]:
    """Handlers take raw bytes (so bad ones can be dead-lettered); show the contract instead."""
    by_address = {t.name: t.model for t in TOPICS}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for channel in document.get("channels", {}).values():
        model = by_address.get(channel.get("address", ""))
        if model is None:
            continue
        schemas[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for defs_name, definition in schemas[model.__name__].pop("$defs", {}).items():
            schemas.setdefault(defs_name, definition)
        for ref in channel.get("messages", {}).values():
            message = document["components"]["messages"][ref["$ref"].rsplit("/", 1)[-1]]
            message["payload"] = {"$ref": f"#/components/schemas/{model.__name__}"}
    return document


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, app in _apps().items():
        runtime: ServiceRuntime[Any] = app.state.runtime
        spec = AsyncAPI(
            runtime.build_broker(),
            title=f"Qorgau {name}",
            version="1.0.0",
            description=f"Kafka topics {name} consumes and publishes.",
        )
        document = _with_contract_payloads(json.loads(spec.to_specification().to_json()))
        path = folder / f"{name}.asyncapi.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
        openapi = folder / f"{name}.openapi.json"
        openapi.write_text(json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n")
        written.append(openapi)
    return written
