-- Foundation: regions, organisations, memberships, users, roles, sessions, tokens, audit log.
-- Portable between SQLite and PostgreSQL (sqlx Any): ids TEXT, instants BIGINT Unix ms UTC,
-- booleans BIGINT 0/1.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    duo_code    TEXT UNIQUE,
    place       TEXT,
    website     TEXT,
    note        TEXT,
    archived    BIGINT NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX organisations_name ON organisations (name);

CREATE TABLE regions (
    id                 TEXT PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    kind               TEXT,
    province           TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    contact_name       TEXT,
    contact_role       TEXT,
    contact_email      TEXT,
    contact_phone      TEXT,
    theme_tags         TEXT NOT NULL DEFAULT '[]',
    lead_applicant_id  TEXT REFERENCES organisations (id),
    source             TEXT,
    archived           BIGINT NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE memberships (
    region_id        TEXT NOT NULL REFERENCES regions (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (region_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (organisation_id);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- A role held by a user, in one region or (region_id NULL) nationally.
CREATE TABLE role_grants (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    region_id   TEXT REFERENCES regions (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX role_grants_user ON role_grants (user_id);
CREATE INDEX role_grants_region ON role_grants (region_id);

CREATE TABLE invitations (
    token_hash   TEXT PRIMARY KEY,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    region_id    TEXT REFERENCES regions (id),
    invited_by   TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT
);

-- Server-side sessions; the cookie carries a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
