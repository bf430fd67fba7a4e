-- What public pages show changes only when data changes; this counter says when. The store
-- installs triggers (one set per database kind) that raise it in the same transaction as each
-- write, so a cache on any instance knows its pages are stale once the write is committed.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY,
    v BIGINT NOT NULL
);
INSERT INTO data_version (id, v) VALUES (1, 0);
