-- The funder's half: an application's life after submission (one assessment per region and
-- phase), its history of steps, the assessors' scorecards and the decisions. A submitted
-- application without a row here is "ingediend"; the row is made by the first step.
CREATE TABLE assessments (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    state          TEXT NOT NULL,
    -- Raised by every change: two assessors acting at once do not overwrite each other.
    revision       BIGINT NOT NULL DEFAULT 1,
    taken_by       TEXT REFERENCES users (id),
    -- The open repair request: its items (a JSON array of texts) and due date (YYYY-MM-DD).
    request_items  TEXT,
    request_due    TEXT,
    advice         TEXT,
    advice_by      TEXT REFERENCES users (id),
    advice_at      BIGINT,
    -- The submitted version the advice is about: the decision is made on it.
    advice_version BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE assessment_steps (
    id            TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    -- What came with the step: a repair request's items and due date, a decision's reference.
    detail        TEXT NOT NULL DEFAULT '{}',
    by_user       TEXT REFERENCES users (id),
    at            BIGINT NOT NULL
);
CREATE INDEX assessment_steps_by_assessment ON assessment_steps (assessment_id, at);

CREATE TABLE scorecards (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    assessor_id   TEXT NOT NULL REFERENCES users (id),
    conflict      BIGINT NOT NULL,
    declared_at   BIGINT NOT NULL,
    -- A JSON array of {criterion, score, motivation}.
    scores        TEXT NOT NULL DEFAULT '[]',
    submitted_at  BIGINT,
    PRIMARY KEY (assessment_id, assessor_id)
);

CREATE TABLE decisions (
    id              TEXT PRIMARY KEY,
    assessment_id   TEXT NOT NULL REFERENCES assessments (id),
    reference       TEXT NOT NULL UNIQUE,
    decided_on      TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    conditions      TEXT NOT NULL DEFAULT '',
    -- The submitted version decided on (application_versions.number of the application).
    version_number  BIGINT NOT NULL,
    objection_until TEXT NOT NULL,
    -- The maximum it was checked against, as the rules engine traced it (JSON).
    maximum         TEXT,
    decided_by      TEXT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    -- Set when a founded objection withdraws it; the current decision is the one without.
    withdrawn_at    BIGINT
);
CREATE INDEX decisions_by_assessment ON decisions (assessment_id, created_at);

CREATE TABLE decision_amounts (
    decision_id  TEXT NOT NULL REFERENCES decisions (id),
    year         BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (decision_id, year)
);
