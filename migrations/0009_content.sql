-- The knowledge base: news, agenda, webinars, questions, documents and inspiration, national
-- (region_id NULL) or one region's; draft or published from a date; files of documents with
-- their versions.

CREATE TABLE content_items (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    region_id   TEXT REFERENCES regions(id),
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- the kind's own fields as JSON (domain::content::Details)
    details     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('concept', 'gepubliceerd')),
    -- documents only signed-in members of the programme see
    members_only BIGINT NOT NULL DEFAULT 0 CHECK (members_only IN (0, 1)),
    -- 'YYYY-MM-DD' or NULL: at once
    publish_on  TEXT,
    -- the date lists sort by: an event's or webinar's own, else the publish date
    sort_date   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT,
    UNIQUE (kind, slug)
);
CREATE INDEX content_items_kind_date ON content_items (kind, sort_date);

CREATE TABLE content_files (
    item_id      TEXT NOT NULL REFERENCES content_items(id),
    version      BIGINT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    note         TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    uploaded_by  TEXT,
    PRIMARY KEY (item_id, version)
);
