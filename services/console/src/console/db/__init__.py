"""asyncpg SQL of the console's own schema, one module per group of tables."""

SCHEMA = "console"
MIGRATIONS = ("console",)
