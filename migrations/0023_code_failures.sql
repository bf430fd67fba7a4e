-- Wrong second-step codes in a row: a warning by mail at 10, no more codes accepted at 20 (the
-- national team clears two-factor sign-in then). Reset by a right code.
ALTER TABLE totp_secrets ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0;
