-- The municipalities a region covers are derived from its members' DUO locations; the national
-- team's corrections are kept here: a municipality added (covered = 1) or taken away (covered = 0).
CREATE TABLE region_coverage (
    region_id     TEXT NOT NULL REFERENCES regions (id),
    municipality  TEXT NOT NULL,
    covered       BIGINT NOT NULL CHECK (covered IN (0, 1)),
    updated_by    TEXT REFERENCES users (id),
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (region_id, municipality)
);

-- DUO's locations also come from the exam file (name and municipality); `vmbo` marks those
-- with vmbo exams, so the school finder can offer every vmbo location, in the registry or not.
ALTER TABLE duo_locations ADD COLUMN vmbo BIGINT NOT NULL DEFAULT 0;
