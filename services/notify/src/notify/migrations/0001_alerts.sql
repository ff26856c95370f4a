-- One alert per assignment: the unique key is what stops a second SMS for a
-- redelivered event, a restart or a second replica.
CREATE TABLE alerts (
    id                   uuid PRIMARY KEY,
    assignment_id        uuid        NOT NULL UNIQUE,
    incident_id          uuid        NOT NULL,
    correlation_id       uuid        NOT NULL,
    officer_id           text        NOT NULL,
    phone                text        NOT NULL,
    language             text        NOT NULL,
    short_code           text        NOT NULL,
    priority             text        NOT NULL,
    risk_level           text        NOT NULL,
    district             text,
    address_line         text        NOT NULL,
    exercise             boolean     NOT NULL,
    status               text        NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sending', 'submitted', 'delivered', 'failed',
                                           'acknowledged', 'declined')),
    provider             text,
    provider_message_ids text[]      NOT NULL DEFAULT '{}',
    segments             integer,
    reason               text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    claimed_at           timestamptz,
    submitted_at         timestamptz,
    delivered_at         timestamptz,
    answered_at          timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_pending ON alerts (created_at) WHERE status = 'pending';
CREATE INDEX alerts_by_message_id ON alerts USING gin (provider_message_ids);
CREATE INDEX alerts_open_by_phone ON alerts (phone, submitted_at DESC)
    WHERE status IN ('submitted', 'delivered');
