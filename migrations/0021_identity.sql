-- Identity: one-use links mailed to a person, what a session shows its owner, two-factor sign-in.

-- A link mailed to a person: a password reset (valid an hour) or a new e-mail address to confirm
-- (`new_email`). Only the SHA-256 of the link's token is kept; `used_at` makes it one-use.
CREATE TABLE account_tokens (
    token_hash  TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('password-reset', 'email-change')),
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email   TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- A session's stage: 'full' (signed in), 'code' (the password was right, the code from the
-- authenticator app is still to come) or 'enrol' (two-factor sign-in is required and must be set
-- up first). Only a full session acts for its user.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
-- What the owner sees of a session: an id to end it by, the browser, the address, the last use.
ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client TEXT;
ALTER TABLE sessions ADD COLUMN last_used_at BIGINT;
UPDATE sessions SET public_id = substr(token_hash, 1, 32) WHERE public_id IS NULL;
CREATE INDEX sessions_user ON sessions (user_id);

-- Two-factor sign-in with a time-based code (RFC 6238). `confirmed_at` is set once the person
-- typed a first code; `last_step` is the last 30-second step used, so no code works twice.
CREATE TABLE totp_secrets (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    last_step     BIGINT NOT NULL DEFAULT 0
);

-- One-use codes for when the phone is lost; only their SHA-256 is kept.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
