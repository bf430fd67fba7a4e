-- A school not yet taking part, or a company, asks to join a region; the region's manager accepts
-- (the organisation becomes a member, its contact is invited) or declines with a reason.
CREATE TABLE join_requests (
    id                 TEXT PRIMARY KEY,
    region_id          TEXT NOT NULL REFERENCES regions (id),
    -- 'school' or 'company'
    kind               TEXT NOT NULL CHECK (kind IN ('school', 'company')),
    duo_code           TEXT,
    organisation_name  TEXT NOT NULL,
    kvk                TEXT,
    contact_name       TEXT NOT NULL,
    contact_email      TEXT NOT NULL,
    message            TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    decided_at         BIGINT,
    decided_by         TEXT REFERENCES users (id),
    -- 'accepted' or 'declined'
    outcome            TEXT,
    reason             TEXT NOT NULL DEFAULT '',
    organisation_id    TEXT REFERENCES organisations (id)
);
CREATE INDEX join_requests_region ON join_requests (region_id, decided_at);

-- A question sent through /contact, to the national team (no region) or a region's manager, and
-- its answer (mailed back to the sender).
CREATE TABLE contact_messages (
    id           TEXT PRIMARY KEY,
    region_id    TEXT REFERENCES regions (id),
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    answer       TEXT,
    answered_by  TEXT REFERENCES users (id),
    answered_at  BIGINT
);
CREATE INDEX contact_messages_region ON contact_messages (region_id, answered_at);
