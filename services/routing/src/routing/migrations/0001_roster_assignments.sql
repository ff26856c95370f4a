CREATE TABLE districts (
    id         text PRIMARY KEY,
    name_ru    text   NOT NULL,
    name_kk    text   NOT NULL,
    neighbours text[] NOT NULL DEFAULT '{}'
);
-- Astana's six districts (Saraishyk was split off in 2024). The neighbour graph is
-- symmetric; it is data so a boundary change is an UPDATE, not a release.
INSERT INTO districts (id, name_ru, name_kk, neighbours) VALUES
    ('almaty',    'Алматы',   'Алматы',   '{baikonyr,yesil,saraishyk}'),
    ('baikonyr',  'Байконыр', 'Байқоңыр', '{almaty,saryarka,yesil}'),
    ('saryarka',  'Сарыарка', 'Сарыарқа', '{baikonyr,yesil,nura}'),
    ('yesil',     'Есиль',    'Есіл',     '{almaty,baikonyr,saryarka,nura,saraishyk}'),
    ('nura',      'Нура',     'Нұра',     '{saryarka,yesil,saraishyk}'),
    ('saraishyk', 'Сарайшык', 'Сарайшық', '{almaty,yesil,nura}');

CREATE TABLE officers (
    id               text PRIMARY KEY,
    name             text    NOT NULL,
    phone            text    NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    home_district    text    NOT NULL REFERENCES districts (id),
    covers           text[]  NOT NULL DEFAULT '{}',
    language         text    NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'kk')),
    role             text    NOT NULL DEFAULT 'inspector' CHECK (role IN ('inspector', 'supervisor')),
    active           boolean NOT NULL DEFAULT true,
    status           text    NOT NULL DEFAULT 'available'
                             CHECK (status IN ('available', 'busy', 'off')),
    last_assigned_at timestamptz
);

CREATE TABLE shifts (
    id         bigserial PRIMARY KEY,
    officer_id text        NOT NULL REFERENCES officers (id),
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_by_time ON shifts (starts_at, ends_at);

CREATE TABLE incidents (
    id            uuid PRIMARY KEY,
    short_code    text        NOT NULL,
    district      text,
    priority      text        NOT NULL,
    risk_level    text        NOT NULL,
    address_line  text        NOT NULL,
    exercise      boolean     NOT NULL,
    status        text        NOT NULL,
    status_reason text,
    reported_at   timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
    id           uuid PRIMARY KEY,
    incident_id  uuid        NOT NULL REFERENCES incidents (id),
    attempt      integer     NOT NULL CHECK (attempt >= 1),
    officer_id   text        NOT NULL REFERENCES officers (id),
    route        text        NOT NULL,
    status       text        NOT NULL DEFAULT 'open'
                             CHECK (status IN ('open', 'acknowledged', 'declined', 'failed',
                                               'expired', 'resolved')),
    ack_deadline timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (incident_id, attempt)
);
CREATE INDEX assignments_open_by_officer ON assignments (officer_id) WHERE status = 'open';
