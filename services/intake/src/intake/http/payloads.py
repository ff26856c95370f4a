"""Reading the platforms' JSON: a lenient base for their payload models, and precise
problems (400 malformed, 422 not this platform's shape) that never echo the body."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from qorgau_common.errors import InvalidInput


class Payload(BaseModel):
    """Fields a platform adds later are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class BadPayload(InvalidInput):
    title = "Invalid webhook payload"


class MalformedPayload(InvalidInput):
    status = 400
    title = "Malformed JSON"


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: bytes) -> M:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise MalformedPayload("body", "not valid JSON") from exc
        field = ".".join(str(p) for p in errors[0]["loc"]) or "body"
        raise BadPayload(field, errors[0]["msg"]) from exc
