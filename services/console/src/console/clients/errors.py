from __future__ import annotations

from dataclasses import dataclass, field

from console.domain.models import FieldProblem


class ApiError(RuntimeError):
    """intake or routing answered with an error, or could not be reached."""

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass
class Rejected(Exception):
    """A 4xx that names the fields at fault (RFC 9457 `errors`)."""

    status: int
    problems: list[FieldProblem] = field(default_factory=list)


class NotAvailableYet(Exception):
    """The endpoint the console needs is not there yet (404 on the path, see NEEDS.md)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
