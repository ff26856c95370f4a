"""Qorgau intake service."""
