-- School plans (deelplannen): a school's plan for its region, reviewed by the region's manager
-- through the workflow of domain::school_plan; its history, attachments, the notifications
-- (e-mail sent, or kept in the outbox) and teachers' requests for an account.

CREATE TABLE school_plans (
    id               TEXT PRIMARY KEY,
    region_id        TEXT NOT NULL REFERENCES regions (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    author_id        TEXT NOT NULL REFERENCES users (id),
    state            TEXT NOT NULL,
    content          TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX school_plans_region ON school_plans (region_id, state);

CREATE TABLE school_plan_history (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES school_plans (id),
    at          BIGINT NOT NULL,
    actor_id    TEXT REFERENCES users (id),
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX school_plan_history_plan ON school_plan_history (plan_id, at);

CREATE TABLE school_plan_attachments (
    id            TEXT PRIMARY KEY,
    plan_id       TEXT NOT NULL REFERENCES school_plans (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT REFERENCES users (id)
);
CREATE INDEX school_plan_attachments_plan ON school_plan_attachments (plan_id);

-- One row per message to one recipient. `status`: outbox (no SMTP configured), pending, sent, failed.
-- `dedup_key` keeps a reminder from going out twice.
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    error       TEXT,
    dedup_key   TEXT UNIQUE,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_status ON notifications (status);

CREATE TABLE account_requests (
    id               TEXT PRIMARY KEY,
    region_id        TEXT NOT NULL REFERENCES regions (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    message          TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    decided_at       BIGINT,
    decided_by       TEXT REFERENCES users (id),
    outcome          TEXT
);
CREATE INDEX account_requests_region ON account_requests (region_id, decided_at);
