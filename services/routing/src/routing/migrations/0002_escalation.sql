-- Escalation, acknowledgement, supervisor notices and resolution.
ALTER TABLE incidents ADD COLUMN correlation_id uuid;
UPDATE incidents SET correlation_id = id WHERE correlation_id IS NULL;
ALTER TABLE incidents ALTER COLUMN correlation_id SET NOT NULL;
ALTER TABLE incidents ADD COLUMN received_at timestamptz;
UPDATE incidents SET received_at = reported_at WHERE received_at IS NULL;

ALTER TABLE assignments DROP CONSTRAINT assignments_status_check;
ALTER TABLE assignments ADD CONSTRAINT assignments_status_check CHECK (status IN (
    'open', 'acknowledged', 'declined', 'failed', 'expired', 'reassigned', 'resolved', 'notice'));
ALTER TABLE assignments ADD COLUMN purpose text NOT NULL DEFAULT 'assignment'
    CHECK (purpose IN ('assignment', 'supervisor_notice'));
ALTER TABLE assignments ADD COLUMN alert_status text;
ALTER TABLE assignments ADD COLUMN reason text;
ALTER TABLE assignments ADD COLUMN outcome text;
ALTER TABLE assignments ADD COLUMN acknowledged_at timestamptz;
ALTER TABLE assignments ADD COLUMN closed_at timestamptz;
ALTER TABLE assignments DROP CONSTRAINT assignments_incident_id_attempt_key;
ALTER TABLE assignments ADD CONSTRAINT assignments_incident_attempt_purpose
    UNIQUE (incident_id, attempt, purpose);

-- What the escalation scheduler scans: open assignments by deadline.
CREATE INDEX assignments_due ON assignments (ack_deadline)
    WHERE status = 'open' AND purpose = 'assignment';
DROP INDEX assignments_open_by_officer;
CREATE INDEX assignments_load_by_officer ON assignments (officer_id)
    WHERE status IN ('open', 'acknowledged') AND purpose = 'assignment';
