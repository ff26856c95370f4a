"""Marks message ids for the catalogues without translating them (gettext's `N_`)."""

from __future__ import annotations


def N_(msgid: str) -> str:
    return msgid
