-- Every send attempt, with its provider and message ids. The row is committed before
-- the submit (the intent) and completed after it; an attempt left 'submitting' marks
-- the one window SMPP cannot close (a crash between submit and its response).
CREATE TABLE attempts (
    id          bigserial   PRIMARY KEY,
    alert_id    uuid        NOT NULL REFERENCES alerts (id),
    provider    text        NOT NULL,
    status      text        NOT NULL DEFAULT 'submitting'
                CHECK (status IN ('submitting', 'submitted', 'rejected')),
    message_ids text[]      NOT NULL DEFAULT '{}',
    reason      text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX attempts_by_alert ON attempts (alert_id);

ALTER TABLE alerts ADD COLUMN assigned_at timestamptz;
ALTER TABLE alerts ADD COLUMN receipt_checked_at timestamptz;
CREATE INDEX alerts_awaiting_receipt ON alerts (submitted_at)
    WHERE status = 'submitted' AND receipt_checked_at IS NULL;
CREATE INDEX alerts_sending ON alerts (claimed_at) WHERE status = 'sending';

-- Who holds the claim, and whether its intent to submit is on record: a claim with no
-- intent can be released safely (nothing went out); one with an intent is in doubt.
ALTER TABLE alerts ADD COLUMN claim_token uuid;
ALTER TABLE alerts ADD COLUMN intent_at timestamptz;
