"""Errors as values, free of any framework: the use cases raise them, the edges render them."""

from __future__ import annotations

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "Unauthorized"]


class InvalidInput(ValueError):
    """A request that is well-formed but not acceptable; names the field at fault."""

    status = 422
    title = "Invalid request"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(InvalidInput):
    status = 404
    title = "Not found"


class Conflict(InvalidInput):
    status = 409
    title = "Conflict"


class Unauthorized(Exception):
    """No credentials, or credentials that name nobody."""


class Forbidden(Exception):
    """A known caller whose role may not do this."""
