-- A region's own baseline and targets per indicator and school year.
CREATE TABLE indicator_targets (
    region_id    TEXT NOT NULL REFERENCES regions (id),
    indicator    TEXT NOT NULL,
    school_year  TEXT NOT NULL,
    -- 'baseline' or 'target'
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    updated_by   TEXT REFERENCES users (id),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (region_id, indicator, school_year, kind)
);
