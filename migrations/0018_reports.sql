-- Reports as obligations: one row per region and report the regulation asks for (made at the
-- first submission), every submission frozen with its files and figures and a hash over them,
-- and the steps (submitted, accepted, more asked).
CREATE TABLE reports (
    id         TEXT PRIMARY KEY,
    region_id  TEXT NOT NULL REFERENCES regions (id),
    -- The regulation's report id, e.g. voortgang-2025 or eindverantwoording.
    obligation TEXT NOT NULL,
    state      TEXT NOT NULL,
    -- Raised by every change: two people acting at once do not overwrite each other.
    revision   BIGINT NOT NULL DEFAULT 1,
    UNIQUE (region_id, obligation)
);

CREATE TABLE report_submissions (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports (id),
    number       BIGINT NOT NULL,
    pdf_sha256   TEXT NOT NULL REFERENCES stored_files (sha256),
    xlsx_sha256  TEXT NOT NULL REFERENCES stored_files (sha256),
    -- The figures as submitted (JSON) and the SHA-256 over both files' hashes and the figures.
    figures      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    submitted_at BIGINT NOT NULL,
    UNIQUE (report_id, number)
);

CREATE TABLE report_steps (
    id         TEXT PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES reports (id),
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    by_user    TEXT REFERENCES users (id),
    at         BIGINT NOT NULL
);
CREATE INDEX report_steps_by_report ON report_steps (report_id, at);
