-- Several instances send the outbox: each message is claimed ('sending', with the moment) before
-- it is sent, so exactly one instance sends it. A claim older than ten minutes (an instance that
-- died while sending) may be taken again.
ALTER TABLE notifications ADD COLUMN claimed_at BIGINT;
