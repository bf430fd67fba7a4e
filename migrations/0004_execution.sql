-- Execution and accountability. A role is held for an organisation where that matters (a school
-- contact's school, a partner's company); what a region records while running its plan (hours,
-- invoices, equipment, company contributions) is one row each, its content the domain record as
-- JSON with exact decimal strings; milestone progress; change notices (meldplicht).

ALTER TABLE role_grants ADD COLUMN organisation_id TEXT REFERENCES organisations (id);
ALTER TABLE invitations ADD COLUMN organisation_id TEXT REFERENCES organisations (id);

CREATE TABLE execution_records (
    id               TEXT PRIMARY KEY,
    region_id        TEXT NOT NULL REFERENCES regions (id),
    kind             TEXT NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    activity         TEXT NOT NULL,
    day              TEXT NOT NULL,
    content          TEXT NOT NULL,
    document_sha256  TEXT,
    document_name    TEXT,
    created_by       TEXT REFERENCES users (id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX execution_records_region ON execution_records (region_id, kind, day);

CREATE TABLE milestone_progress (
    region_id    TEXT NOT NULL REFERENCES regions (id),
    activity     TEXT NOT NULL,
    title        TEXT NOT NULL,
    achieved_on  TEXT,
    evidence     TEXT NOT NULL DEFAULT '',
    updated_by   TEXT REFERENCES users (id),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (region_id, activity, title)
);

CREATE TABLE change_notices (
    id          TEXT PRIMARY KEY,
    region_id   TEXT NOT NULL REFERENCES regions (id),
    content     TEXT NOT NULL,
    created_by  TEXT REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX change_notices_region ON change_notices (region_id, created_at);
