-- DUO's pupils per school location in the vmbo's upper years: one row per line of the file kept
-- (a vmbo track in years 3 and 4), its counts as published, masked cells kept as masked.

CREATE TABLE duo_pupils (
    school_year   TEXT NOT NULL,
    line          BIGINT NOT NULL,
    location      TEXT NOT NULL,
    track         TEXT NOT NULL,
    sector        TEXT NOT NULL,
    programme     TEXT NOT NULL,
    -- year 3 man, vrouw; year 4 man, vrouw; `<5` where masked
    counts        TEXT NOT NULL,
    PRIMARY KEY (school_year, line)
);

-- Indicators read all rows once and keep them in memory until the next import, so an index by
-- location only slows the import down; names and places come from the school locations file and
-- the registry, so the exam rows keep only what the indicators read.
DROP INDEX duo_exam_results_location;
ALTER TABLE duo_exam_results DROP COLUMN institution;
ALTER TABLE duo_exam_results DROP COLUMN name;
ALTER TABLE duo_exam_results DROP COLUMN municipality;
