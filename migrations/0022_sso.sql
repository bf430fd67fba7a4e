-- Single sign-on with OpenID Connect.

-- A sign-in sent to a provider and not yet back: found by the SHA-256 of its `state`, bound to the
-- browser that started it (the SHA-256 of a cookie), with the PKCE verifier and the nonce the
-- answer must carry. One use; ten minutes.
CREATE TABLE sso_logins (
    state_hash    TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    browser_hash  TEXT NOT NULL,
    verifier      TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    link_user     TEXT REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);

-- An account's identity at a provider (its `sub` at that issuer), linked by a verified e-mail
-- address. The issuer is kept: a provider id pointed at another issuer later matches none of these.
CREATE TABLE sso_identities (
    provider      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- An owner unlinked a provider: their address does not link it again until they link it themselves.
CREATE TABLE sso_refusals (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, provider)
);

-- A session signed in through a provider: which, and the ID token to hint at its logout.
ALTER TABLE sessions ADD COLUMN sso_provider TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;
