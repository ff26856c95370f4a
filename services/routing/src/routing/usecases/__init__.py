"""Routing's use cases, one module each: open the transaction, call domain and db, build events."""
