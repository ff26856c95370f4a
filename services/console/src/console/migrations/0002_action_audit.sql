-- Every change a person makes through the console (roster, bulk reassignment), and its result.
-- Subjects are ids (officer, shift, incident); never a personal field.
CREATE TABLE action_audit (
    id       bigserial   PRIMARY KEY,
    at       timestamptz NOT NULL,
    user_id  uuid        NOT NULL REFERENCES users (id),
    action   text        NOT NULL,
    subject  text        NOT NULL,
    detail   jsonb       NOT NULL DEFAULT '{}',
    result   text        NOT NULL
);
CREATE INDEX action_audit_by_user ON action_audit (user_id, at);
