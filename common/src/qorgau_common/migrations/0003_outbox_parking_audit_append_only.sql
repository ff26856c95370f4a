-- Outbox rows that keep failing are parked (visible, retryable by hand) instead of blocking
-- every later row; only rows of the same key wait behind a parked one (per-key order).
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attempts   integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS parked_at  timestamptz;
DROP INDEX IF EXISTS outbox_unpublished;
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id)
    WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_parked ON outbox (key)
    WHERE published_at IS NULL AND parked_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at)
    WHERE published_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS inbox_received ON inbox (received_at);

-- The audit trail is append-only in the database, not only by convention.
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
