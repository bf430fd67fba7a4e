-- The theory of change's results that DUO's files do not measure (`indicators/reported.toml`), as
-- each region reports them per calendar year; a year's figures are locked once its progress
-- report is submitted (Sterk checks that, not the database).
CREATE TABLE reported_results (
    region_id   TEXT NOT NULL REFERENCES regions (id),
    indicator   TEXT NOT NULL,
    year        BIGINT NOT NULL,
    value       BIGINT NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (region_id, indicator, year)
);
