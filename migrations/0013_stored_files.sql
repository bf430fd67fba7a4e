-- Every stored file (agreements, plan attachments, invoices, documents and their versions) once by
-- its SHA-256, written in the same transaction as the record that names it, so that every
-- instance on the database serves it and a backup holds it. Files kept in `<data-dir>/uploads`
-- before are moved in at start, each hash checked (`services::files::move_uploads`).
CREATE TABLE stored_files (
    sha256       TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Which region uploaded which signed agreement: an application may name only its own region's
-- agreements (an uploaded JSON cannot point at another region's stored PDF).
CREATE TABLE agreement_files (
    region_id TEXT NOT NULL REFERENCES regions(id),
    sha256    TEXT NOT NULL REFERENCES stored_files(sha256),
    PRIMARY KEY (region_id, sha256)
);
