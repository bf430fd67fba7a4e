-- The settlement decision (vaststelling), one per region: the rules engine's verdict as the
-- assessor saw it, the adjustments with their reasons, the final amount, what had been paid,
-- and the final payment or repayment it put in the register.
CREATE TABLE settlements (
    id             TEXT PRIMARY KEY,
    region_id      TEXT NOT NULL UNIQUE REFERENCES regions (id),
    reference      TEXT NOT NULL UNIQUE,
    decided_on     TEXT NOT NULL,
    verdict        TEXT NOT NULL,
    adjustments    TEXT NOT NULL,
    final_cents    BIGINT NOT NULL,
    received_cents BIGINT NOT NULL,
    payment_id     TEXT REFERENCES payments (id),
    decided_by     TEXT NOT NULL REFERENCES users (id),
    created_at     BIGINT NOT NULL
);
