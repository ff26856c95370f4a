"""Routing's SQL (asyncpg), one module per group of tables: no events, no business branching."""

SCHEMA = "routing"
