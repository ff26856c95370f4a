-- Redelivery: routing republishes an assignment that notify has not answered (no alert
-- status) within QORGAU_ROUTING_RECONCILE_AFTER_S, at most once per that interval.
ALTER TABLE assignments ADD COLUMN republished_at timestamptz;
CREATE INDEX assignments_unanswered ON assignments (created_at)
    WHERE status = 'open' AND purpose = 'assignment' AND alert_status IS NULL;
