-- Open data for monitoring: DUO's exam candidates and passes per school year, location and
-- programme (counts as published, masked cells kept as masked), and a record of every import.

CREATE TABLE duo_exam_results (
    school_year      TEXT NOT NULL,
    location         TEXT NOT NULL,
    inspection_code  TEXT NOT NULL,
    programme        TEXT NOT NULL,
    institution      TEXT NOT NULL,
    name             TEXT NOT NULL,
    municipality     TEXT NOT NULL,
    school_type      TEXT NOT NULL,
    -- candidates man, vrouw, totaal; passed man, vrouw, totaal; `<5` where masked
    counts           TEXT NOT NULL,
    PRIMARY KEY (school_year, location, inspection_code, programme)
);
CREATE INDEX duo_exam_results_location ON duo_exam_results (location);

CREATE TABLE open_data_imports (
    id            TEXT PRIMARY KEY,
    dataset       TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    lines         BIGINT NOT NULL,
    locations     BIGINT NOT NULL,
    years         TEXT NOT NULL,
    masked_cells  BIGINT NOT NULL,
    imported_at   BIGINT NOT NULL
);
