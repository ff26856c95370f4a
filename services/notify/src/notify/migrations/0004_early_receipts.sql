-- A receipt can arrive before its submit's message ids are recorded (the SMSC answers the
-- submit_sm and sends the receipt at once; smpp34 has acked it already). It is kept here and
-- applied when the submit is recorded, instead of being dropped as unmatched.
CREATE TABLE early_receipts (
    provider    text        NOT NULL,
    message_id  text        NOT NULL,
    state       text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, message_id)
);
