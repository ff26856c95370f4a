-- Reliability tables every service owns in its own schema (search_path is set to it).
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    topic        text        NOT NULL,
    key          bytea,
    payload      bytea       NOT NULL,
    headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE inbox (
    event_id    uuid PRIMARY KEY,
    topic       text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
