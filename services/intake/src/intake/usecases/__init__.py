"""Intake's use cases, one module each: open the transaction, call domain and db, build the
event it causes."""
