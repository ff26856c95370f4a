-- Which notify process holds each claim, and which processes are alive: an alert whose
-- submit has no recorded response is "in doubt" only once its owner stopped beating (it
-- died), never while the process that holds it is still retrying the record.
ALTER TABLE alerts ADD COLUMN claimed_by uuid;
CREATE TABLE senders (
    instance_id uuid        PRIMARY KEY,
    beat_at     timestamptz NOT NULL
);
