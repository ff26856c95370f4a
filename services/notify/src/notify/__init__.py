"""Qorgau notify service."""
