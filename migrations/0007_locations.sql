-- DUO's school locations (vestigingen): code, name, place and municipality, as last imported;
-- organisations of the registry are enriched from them by DUO code.
ALTER TABLE organisations ADD COLUMN municipality TEXT;

CREATE TABLE duo_locations (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    place         TEXT NOT NULL,
    municipality  TEXT NOT NULL
);
