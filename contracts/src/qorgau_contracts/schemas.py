"""Committed JSON Schemas and the rule for what breaks a consumer of them.

Within a version a producer may only add optional fields. Changing, removing or
newly requiring a field breaks consumers or replays of older events.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .topics import TOPICS

_IGNORED_KEYS = {"description", "title", "default", "examples"}

JsonSchema = dict[str, Any]


def current_schema(topic: str) -> JsonSchema:
    for t in TOPICS:
        if t.name == topic:
            return t.model.model_json_schema(mode="validation")
    raise KeyError(f"unknown topic {topic!r}")


def committed_schema(topic: str) -> JsonSchema:
    text = resources.files(__package__).joinpath("json", f"{topic}.json").read_text("utf-8")
    schema: JsonSchema = json.loads(text)
    return schema


def _inline(node: Any, defs: JsonSchema) -> Any:
    """Resolve `$ref`s and drop documentation keys, leaving what validation sees."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k not in _IGNORED_KEYS}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def breaking_changes(old: JsonSchema, new: JsonSchema) -> list[str]:
    """Why events valid under `new` could break a consumer built on `old` (empty if none)."""
    old_props = old.get("properties", {})
    new_props = new.get("properties", {})
    old_defs, new_defs = old.get("$defs", {}), new.get("$defs", {})
    problems: list[str] = []
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"field {name!r} was removed")
        elif _inline(old_prop, old_defs) != _inline(new_props[name], new_defs):
            problems.append(f"field {name!r} changed its type or constraints")
    for name in sorted(set(old.get("required", [])) - set(new.get("required", []))):
        if name in new_props:
            problems.append(f"field {name!r} is no longer required")
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        problems.append(f"field {name!r} is newly required; add it as optional with a default")
    return problems
