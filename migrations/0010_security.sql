-- Hardening: sign-in limits shared by every instance, and API keys that expire and show their last use.

-- One row per limited key (an account at an address, an address, an account): failures in the
-- current window, and for an account the next moment an attempt may be evaluated (a slowdown).
CREATE TABLE login_limits (
    limit_key    TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    next_slot    BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
-- Keys made before expiry existed run for a year from now.
UPDATE api_tokens SET expires_at = created_at + 31536000000 WHERE expires_at IS NULL;
