-- Change requests (wijzigingsverzoek): a region's proposed change to a decided plan, with the
-- basis it changes and the proposal as submitted, both kept, so the history shows every version
-- side by side. A minor change is reported (gemeld) and holds at once; a substantial one holds
-- once the funder approves it.
CREATE TABLE change_requests (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    region_id      TEXT NOT NULL REFERENCES regions (id),
    -- Numbered per region: "wijziging 3".
    number         BIGINT NOT NULL,
    state          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    -- The plan in force when the request started (canonical JSON of the application).
    basis          TEXT NOT NULL,
    -- The proposal as submitted (canonical JSON) and its SHA-256; NULL before the first submission.
    content        TEXT,
    sha256         TEXT,
    -- Why it is substantial, as judged at submission (a JSON array of Dutch sentences).
    reasons        TEXT NOT NULL DEFAULT '[]',
    -- Raised by every change: two people acting at once do not overwrite each other.
    revision       BIGINT NOT NULL DEFAULT 1,
    created_by     TEXT REFERENCES users (id),
    created_at     BIGINT NOT NULL,
    -- When it came to hold (gemeld, goedgekeurd): the plan in force from then on.
    holds_from     BIGINT,
    UNIQUE (region_id, number)
);
-- One request in the works per application at a time.
CREATE UNIQUE INDEX change_requests_one_open ON change_requests (application_id)
    WHERE state IN ('concept', 'ingediend', 'teruggestuurd');

CREATE TABLE change_request_steps (
    id                TEXT PRIMARY KEY,
    change_request_id TEXT NOT NULL REFERENCES change_requests (id),
    from_state        TEXT NOT NULL,
    to_state          TEXT NOT NULL,
    comment           TEXT NOT NULL DEFAULT '',
    by_user           TEXT REFERENCES users (id),
    at                BIGINT NOT NULL
);
CREATE INDEX change_request_steps_by_request ON change_request_steps (change_request_id, at);
