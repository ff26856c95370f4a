-- API tokens (stored hashed) and the append-only audit trail, in every service's schema.
-- IF NOT EXISTS: intake had these tables before they moved here.
CREATE TABLE IF NOT EXISTS api_tokens (
    id           uuid PRIMARY KEY,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
    token_sha256 bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE TABLE IF NOT EXISTS audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    incident_id uuid,
    detail      jsonb       NOT NULL DEFAULT '{}'::jsonb
);
