-- Idempotency that cannot drop a report: an Idempotency-Key belongs to the API token that
-- sent it, and a repeat (of a key or of a call id) must carry the same report, which is
-- checked against a keyed digest (HMAC with the link key) of the first one.
ALTER TABLE incidents
    ADD COLUMN idempotency_token uuid,
    ADD COLUMN request_digest    bytea;
-- Keys sent before keys were scoped: the token of the caller, where the name says which.
UPDATE incidents i SET idempotency_token = t.id
FROM api_tokens t
WHERE i.idempotency_key IS NOT NULL AND t.name = i.created_by
  AND (SELECT count(*) FROM api_tokens u WHERE u.name = i.created_by) = 1;
DROP INDEX incidents_idempotency_key;
CREATE UNIQUE INDEX incidents_idempotency_key_per_token ON incidents (
    coalesce(idempotency_token, '00000000-0000-0000-0000-000000000000'::uuid), idempotency_key
) WHERE idempotency_key IS NOT NULL;

-- Authentic (verified) webhook updates that could not be processed: acknowledged to the
-- platform so that it stops retrying, kept here with the reason, never dropped. The body
-- holds senders and texts, so it is sealed (AES-GCM, bound to the row id) like the rest.
CREATE TABLE webhook_quarantine (
    id          uuid PRIMARY KEY,
    platform    text        NOT NULL,
    reason      text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    body        bytea       NOT NULL,
    key_id      text        NOT NULL
);
CREATE INDEX webhook_quarantine_by_time ON webhook_quarantine (received_at);
