-- Status timeline from downstream events, reconciliation, gazetteer, repeat-report links,
-- social-media messages.

ALTER TABLE incidents
    ADD COLUMN checklist           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN linked_incident_ids uuid[]      NOT NULL DEFAULT '{}',
    ADD COLUMN gazetteer_version   integer,
    ADD COLUMN district_source     text,
    ADD COLUMN urgent              boolean     NOT NULL DEFAULT false,
    ADD COLUMN routed_at           timestamptz,
    ADD COLUMN republished_at      timestamptz,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now();
-- Listing is keyset-paginated newest first.
CREATE INDEX incidents_by_received ON incidents (received_at DESC, id DESC);
-- Reconciliation looks only at incidents nobody has routed yet.
CREATE INDEX incidents_unrouted ON incidents (created_at)
    WHERE routed_at IS NULL AND status IN ('reported', 'awaiting_triage');

-- Keyed hashes (HMAC-SHA256) of what makes a report a repeat: the normalised address and
-- the phones or sender ids involved. Never the values themselves.
CREATE TABLE incident_link_keys (
    incident_id uuid        NOT NULL REFERENCES incidents (id),
    kind        text        NOT NULL,
    digest      bytea       NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (incident_id, kind, digest)
);
CREATE INDEX incident_link_keys_by_digest ON incident_link_keys (digest, received_at);

-- Gazetteer: normalised street name -> district, valid over [valid_from, valid_to).
-- Each load is a new version; resolution uses the newest.
CREATE TABLE gazetteer_versions (
    version    integer PRIMARY KEY,
    source     text        NOT NULL,
    rows       integer     NOT NULL,
    loaded_by  text        NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE gazetteer (
    version    integer NOT NULL REFERENCES gazetteer_versions (version),
    street_key text    NOT NULL,
    street     text    NOT NULL,
    district   text    NOT NULL REFERENCES districts (id),
    valid_from date    NOT NULL,
    valid_to   date,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX gazetteer_lookup ON gazetteer (version, street_key);

-- APPROXIMATE centre points of each district, for a location shared in a message when
-- there is no street address. Coarse: the nearest centre is not always the right district.
CREATE TABLE district_centroids (
    district text PRIMARY KEY REFERENCES districts (id),
    lat      double precision NOT NULL,
    lon      double precision NOT NULL,
    note     text NOT NULL DEFAULT 'approximate'
);
INSERT INTO district_centroids (district, lat, lon) VALUES
    ('saryarka',  51.1900, 71.3900),
    ('baikonyr',  51.1800, 71.4700),
    ('almaty',    51.1550, 71.5050),
    ('saraishyk', 51.1150, 71.5300),
    ('yesil',     51.1200, 71.4200),
    ('nura',      51.0650, 71.4000);

-- Social-media messages: one row per platform message id (redelivery is a no-op).
-- `personal` holds the sender's handle, name and the text, AES-GCM encrypted.
CREATE TABLE source_messages (
    platform    text        NOT NULL,
    message_id  text        NOT NULL,
    incident_id uuid        NOT NULL REFERENCES incidents (id),
    sender_hash bytea       NOT NULL,
    sent_at     timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    personal    bytea       NOT NULL,
    key_id      text        NOT NULL,
    PRIMARY KEY (platform, message_id)
);
CREATE INDEX source_messages_by_sender ON source_messages (platform, sender_hash, received_at);
CREATE INDEX source_messages_by_incident ON source_messages (incident_id, received_at);
