"""Routing's pure rules and entities: no await, no I/O, no logging, no FastAPI."""
