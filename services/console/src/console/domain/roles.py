"""Who may open which part of the console."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["operator", "supervisor", "inspector", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

Area = Literal["operator", "supervisor", "inspector", "admin"]

_ALLOWED: dict[Area, frozenset[Role]] = {
    "operator": frozenset({"operator", "admin"}),
    "supervisor": frozenset({"supervisor", "admin"}),
    "inspector": frozenset({"inspector"}),
    "admin": frozenset({"admin"}),
}

HOME: dict[Role, str] = {
    "operator": "/operator/new",
    "supervisor": "/board",
    "inspector": "/cases",
    "admin": "/board",
}


def home_page(role: str) -> str:
    """Where a role lands after logging in."""
    return next((page for known, page in HOME.items() if known == role), "/login")


def may_enter(role: str, area: Area) -> bool:
    return role in _ALLOWED[area]
