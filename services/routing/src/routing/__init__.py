"""Qorgau routing service."""
