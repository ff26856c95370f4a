"""asyncpg SQL for intake's schema, one module per group of tables; no rules, no events."""

SCHEMA = "intake"
