-- What routing says of each alert's assignment (assignment.updated.v1): `routing_state`
-- NULL or 'open' takes 1/2, 'acknowledged' takes 3, any other state takes no reply.
-- Notices are stored with their purpose and never take a reply meant for a case.
ALTER TABLE alerts ADD COLUMN purpose text NOT NULL DEFAULT 'assignment'
    CHECK (purpose IN ('assignment', 'supervisor_notice'));
ALTER TABLE alerts ADD COLUMN ack_deadline timestamptz;
ALTER TABLE alerts ADD COLUMN routing_state text;
CREATE INDEX alerts_by_phone ON alerts (phone, created_at DESC);

-- An officer's reply matched to one alert and passed to routing (reply.received.v1); the
-- answer is confirmed when routing's assignment.updated.v1 names it. The text is not kept.
CREATE TABLE replies (
    id          uuid        PRIMARY KEY,
    alert_id    uuid        NOT NULL REFERENCES alerts (id),
    answer      text        NOT NULL CHECK (answer IN ('acknowledge', 'decline', 'resolve')),
    outcome     text,
    received_at timestamptz NOT NULL,
    verdict     text,
    answered_at timestamptz
);
CREATE INDEX replies_by_alert ON replies (alert_id);
