-- Who may sign for the organisation a role is held for (a school's director, a company's
-- authorised signatory): they confirm the cooperation agreement for it, and the lead applicant's
-- submit the application.
ALTER TABLE role_grants ADD COLUMN signatory BIGINT NOT NULL DEFAULT 0 CHECK (signatory IN (0, 1));

-- Every confirmation of a region's cooperation agreement, kept with the phase it was given in.
-- A confirmation counts wherever the agreement is the same (the same fingerprint), in any phase.
CREATE TABLE agreement_confirmations (
    id               TEXT PRIMARY KEY,
    region_id        TEXT NOT NULL REFERENCES regions (id),
    phase            TEXT NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    user_id          TEXT NOT NULL REFERENCES users (id),
    signer_name      TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    confirmed_at     BIGINT NOT NULL,
    address          TEXT NOT NULL,
    user_agent       TEXT NOT NULL
);
CREATE INDEX agreement_confirmations_region ON agreement_confirmations (region_id, organisation_id);
