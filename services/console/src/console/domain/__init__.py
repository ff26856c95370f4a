"""Pure rules of the console: no I/O, no FastAPI."""
