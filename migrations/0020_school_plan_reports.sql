-- A short report per approved school plan and per report the region owes (what was done, the
-- results, the money the school spent); the region's report rolls them up. Editable while the
-- region still owes that report.
CREATE TABLE school_plan_reports (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES school_plans (id),
    obligation  TEXT NOT NULL,
    done        TEXT NOT NULL,
    results     TEXT NOT NULL DEFAULT '',
    spent_cents BIGINT NOT NULL,
    revision    BIGINT NOT NULL DEFAULT 1,
    updated_by  TEXT REFERENCES users (id),
    updated_at  BIGINT NOT NULL,
    UNIQUE (plan_id, obligation)
);
