"""asyncpg SQL for notify's schema, one module per group of tables: `alerts` (the alert rows
and their status), `claims` (who may send an alert, and the sweeper's queries), `attempts`
(every send attempt), `outbox` (events, built by the use cases). No event building, no
business branching."""

SCHEMA = "notify"
