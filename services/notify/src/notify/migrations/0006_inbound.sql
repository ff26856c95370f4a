-- What the SMSC delivered to us (receipts and officers' replies), written before it is acted
-- on. smpp34 acknowledges every deliver_sm at once, so the SMSC will not send it again: this
-- row is what survives a database blip or a crash between receiving and acting. The row is
-- deleted in the same transaction as its effect, so each one takes effect once; a reply's
-- text lives here only until then.
CREATE TABLE inbound (
    id          bigserial   PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('receipt', 'reply')),
    provider    text        NOT NULL,
    body        jsonb       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    attempts    integer     NOT NULL DEFAULT 0,  -- failed tries to act on it
    last_error  text
);
CREATE INDEX inbound_by_age ON inbound (received_at);
