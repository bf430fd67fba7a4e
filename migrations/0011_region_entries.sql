-- What a region enters while it runs its plan gets typed tables instead of the settings key/value
-- table: the advances it has received (in eurocents) and its explanation, per activity, of the
-- difference between plan and realisation. The explanations (stored as one JSON text per region)
-- are moved by `store::legacy` after this migration: JSON is read differently by SQLite and PostgreSQL.
CREATE TABLE advances_received (
    region_id      TEXT PRIMARY KEY REFERENCES regions (id),
    received_cents BIGINT NOT NULL CHECK (received_cents >= 0),
    updated_by     TEXT REFERENCES users (id),
    updated_at     BIGINT NOT NULL
);

CREATE TABLE activity_explanations (
    region_id   TEXT NOT NULL REFERENCES regions (id),
    activity    TEXT NOT NULL,
    explanation TEXT NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (region_id, activity)
);

-- 'execution.received:' is 19 characters; the value is a decimal amount in euros.
INSERT INTO advances_received (region_id, received_cents, updated_at)
SELECT substr(key, 20), CAST(ROUND(CAST(value AS NUMERIC) * 100) AS BIGINT), 0
FROM settings
WHERE key LIKE 'execution.received:%' AND substr(key, 20) IN (SELECT id FROM regions);
DELETE FROM settings WHERE key LIKE 'execution.received:%';
