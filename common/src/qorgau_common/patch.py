"""PATCH bodies: every field may be left out, none may be null.

A field typed `X | None = None` would take an explicit `null` and write it (or fail in the
database). Here a null is a 422 that names the field, and the OpenAPI schema does not
offer null either.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["PatchBody"]


def _no_null_in_schema(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if not isinstance(options, list):
            continue
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            del prop["anyOf"]
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
        if prop.get("default", ...) is None:
            del prop["default"]


class PatchBody(BaseModel):
    """Base of a PATCH body model: unknown fields and nulls are refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_in_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value
