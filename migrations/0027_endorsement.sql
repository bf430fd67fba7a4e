-- A school plan goes to the school's management before the region sees it. A school leader
-- without an account endorses through a mailed one-use link; the history names them.
ALTER TABLE school_plan_history ADD COLUMN actor_label TEXT;

CREATE TABLE plan_endorsement_links (
    token_hash  TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES school_plans (id),
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX plan_endorsement_links_plan ON plan_endorsement_links (plan_id);
