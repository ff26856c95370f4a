CREATE TABLE districts (
    id      text PRIMARY KEY,
    name_ru text NOT NULL,
    name_kk text NOT NULL
);
INSERT INTO districts (id, name_ru, name_kk) VALUES
    ('almaty',    'Алматы',   'Алматы'),
    ('baikonyr',  'Байконыр', 'Байқоңыр'),
    ('saryarka',  'Сарыарка', 'Сарыарқа'),
    ('yesil',     'Есиль',    'Есіл'),
    ('nura',      'Нура',     'Нұра'),
    ('saraishyk', 'Сарайшык', 'Сарайшық');

-- Personal fields (phones of the public, names, narrative) live only in `personal`,
-- AES-GCM encrypted under the key named by `key_id`.
CREATE TABLE incidents (
    id                         uuid PRIMARY KEY,
    short_code                 text        NOT NULL UNIQUE,
    channel                    text        NOT NULL,
    call_id                    text,
    idempotency_key            text,
    received_at                timestamptz NOT NULL,
    status                     text        NOT NULL,
    district                   text REFERENCES districts (id),
    district_unresolved_reason text,
    address_line               text        NOT NULL,
    lat                        double precision,
    lon                        double precision,
    priority                   text        NOT NULL,
    priority_reason            text,
    risk_level                 text        NOT NULL,
    risk_flags                 text[]      NOT NULL DEFAULT '{}',
    language                   text        NOT NULL,
    exercise                   boolean     NOT NULL DEFAULT false,
    personal                   bytea       NOT NULL,
    key_id                     text        NOT NULL,
    created_by                 text        NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, call_id)
);
CREATE UNIQUE INDEX incidents_idempotency_key ON incidents (idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE incident_timeline (
    id          bigserial PRIMARY KEY,
    incident_id uuid        NOT NULL REFERENCES incidents (id),
    at          timestamptz NOT NULL DEFAULT now(),
    status      text        NOT NULL,
    detail      jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, id);
