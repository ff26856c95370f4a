"""Shared infrastructure for Qorgau services."""
