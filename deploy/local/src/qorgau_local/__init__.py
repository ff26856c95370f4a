"""Qorgau local stack."""
