-- The console's own tables. It never reads another service's schema.
CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    username      text        NOT NULL UNIQUE,
    display_name  text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('operator', 'supervisor', 'inspector', 'admin')),
    officer_id    text,
    password_hash text        NOT NULL,
    language      text        NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'kk')),
    active        boolean     NOT NULL DEFAULT true,
    failed_logins integer     NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'inspector' OR officer_id IS NOT NULL)
);

-- The cookie carries a random secret; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_sha256 bytea       PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE ended_at IS NULL;

-- Every login attempt, successful or not. The username is kept as typed (not a secret).
CREATE TABLE login_audit (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL,
    username   text        NOT NULL,
    user_id    uuid,
    address    text        NOT NULL,
    outcome    text        NOT NULL
                           CHECK (outcome IN ('ok', 'bad_password', 'unknown_user', 'disabled',
                                              'locked', 'throttled', 'logout', 'expired'))
);
CREATE INDEX login_audit_by_address ON login_audit (address, at);

-- Every view of decrypted personal fields, by the person (intake records the console).
CREATE TABLE view_audit (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    user_id     uuid        NOT NULL REFERENCES users (id),
    incident_id uuid        NOT NULL,
    purpose     text        NOT NULL
);
CREATE INDEX view_audit_by_incident ON view_audit (incident_id, at);

-- Which operator filed which report, for "my recent incidents" (ids and codes only).
CREATE TABLE filed_reports (
    incident_id uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id),
    short_code  text        NOT NULL,
    filed_at    timestamptz NOT NULL
);
CREATE INDEX filed_reports_by_user ON filed_reports (user_id, filed_at DESC);
