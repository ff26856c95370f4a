"""Who may call the API (supervisors and admins), and what the routes work with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import StringConstraints
from qorgau_common.auth import Caller, require_role

from routing.deps import RoutingDeps

Supervisor = Annotated[Caller, Depends(require_role("supervisor", "admin"))]
OfficerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


def deps(request: Request) -> RoutingDeps:
    built: RoutingDeps = request.app.state.runtime.deps()
    return built
