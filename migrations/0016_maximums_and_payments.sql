-- The region maximum table (annex 3) as the national team keeps it: every row ever set, so the
-- history shows who changed what and why; the one in force is the latest per region.
CREATE TABLE region_maximums (
    id            TEXT PRIMARY KEY,
    regulation_id TEXT NOT NULL,
    region_id     TEXT NOT NULL REFERENCES regions (id),
    amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
    source        TEXT NOT NULL,
    verified      BIGINT NOT NULL,
    reason        TEXT,
    set_by        TEXT REFERENCES users (id),
    set_at        BIGINT NOT NULL,
    -- The row this one replaces ("{regulation}:{region}" for a region's first): two changes made
    -- from the same row cannot both be stored.
    replaces      TEXT NOT NULL UNIQUE
);
CREATE INDEX region_maximums_by_region ON region_maximums (regulation_id, region_id, id);

-- The payment register: advances planned from a decision, what was paid, final payments and
-- repayments. A payment is received when it has its paid date.
CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    region_id    TEXT NOT NULL REFERENCES regions (id),
    -- The decision an advance pays out; a withdrawn decision's unpaid advances go with it.
    decision_id  TEXT REFERENCES decisions (id),
    kind         TEXT NOT NULL,
    -- The budget year it belongs to, where it belongs to one.
    year         BIGINT,
    planned_on   TEXT,
    paid_on      TEXT,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    -- The funder's payment reference: the key an import matches on.
    reference    TEXT,
    note         TEXT NOT NULL DEFAULT '',
    revision     BIGINT NOT NULL DEFAULT 1,
    created_by   TEXT REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    updated_by   TEXT REFERENCES users (id),
    updated_at   BIGINT NOT NULL
);
CREATE INDEX payments_by_region ON payments (region_id, year);
CREATE UNIQUE INDEX payments_by_reference ON payments (reference);

-- What a region typed in as received before the register (advances_received) moves into it as a
-- paid advance: store::legacy::move_received, after the migrations, because SQL cannot turn its
-- millisecond stamp into a date the same way on SQLite and PostgreSQL. The table stays empty.
