"""Jinja2 pages rendered in the reader's language, in Astana time."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from console.domain import timefmt

from . import labels
from .i18n import gettext_for, load_catalogues, pick_language


class Pages:
    def __init__(self, tile_url: str) -> None:
        self.env = Environment(
            loader=PackageLoader("console", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            labels=labels, clock=timefmt.clock, stamp=timefmt.stamp, tile_url=tile_url
        )
        self.catalogues = load_catalogues()

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        language: str | None = None,
    ) -> HTMLResponse:
        session = getattr(request.state, "session", None)
        lang = pick_language(language or (session.user.language if session else None))
        values = {
            "request": request,
            "session": session,
            "user": session.user if session else None,
            "csrf": session.csrf if session else getattr(request.state, "login_csrf", ""),
            "lang": lang,
            "_": gettext_for(self.catalogues[lang]),
            "fragment": request.headers.get("HX-Request") == "true",
            **(context or {}),
        }
        html = self.env.get_template(name).render(values)
        return HTMLResponse(html, status_code=status_code)
