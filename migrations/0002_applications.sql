-- A region's application per phase: the current draft (the sterk.application/1 JSON) and its
-- submitted, frozen versions with the SHA-256 over their canonical JSON.

CREATE TABLE applications (
    id          TEXT PRIMARY KEY,
    region_id   TEXT NOT NULL REFERENCES regions (id),
    phase       TEXT NOT NULL,
    content     TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    UNIQUE (region_id, phase)
);

CREATE TABLE application_versions (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    number          BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    content         TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    submitted_by    TEXT NOT NULL REFERENCES users (id),
    UNIQUE (application_id, number)
);
