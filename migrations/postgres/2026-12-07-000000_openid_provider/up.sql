-- The OpenID Connect provider (README, Sign in to other applications).

-- The subject (`sub`) that applications know an account by: random,
-- never reused (a row id may be, on SQLite, after a deletion), given to an
-- account the first time an application asks for it.
ALTER TABLE users ADD COLUMN subject TEXT;
CREATE UNIQUE INDEX users_subject_key ON users (subject);

-- Keys that sign ID tokens: the private key (PKCS#8) sealed with the
-- server's key, its public JWK as served by /jwks.json. The newest key of
-- an algorithm signs; a retired key stays in the JWKS until the tokens it
-- signed have expired.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

-- Applications registered by the admin command line. A confidential
-- client has a secret, kept as a keyed digest; a public one has none.
-- Lists are one item per line; scopes are separated by spaces.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    secret_digest TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    signing_alg TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Authorization requests waiting for a login or a consent, by the digest
-- of their opaque id; the checked request as JSON.
CREATE TABLE authorization_requests (
    digest TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    request TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX authorization_requests_expires_at ON authorization_requests (expires_at);

-- Authorization codes, by digest: single use (used_at), bound to what the
-- request asked (grant, JSON: redirect, scope, nonce, PKCE challenge).
-- The tokens a code gave share its grant_id, so that a second redemption
-- revokes them.
CREATE TABLE authorization_codes (
    digest TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    grant_details TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

-- Access and refresh tokens, opaque to their holders, kept by digest.
-- Tokens of one grant_id are one family: a refresh token is spent
-- (used_at, replaced_by) when it gives the next. Tokens end with the
-- session they were given through, and with the account.
CREATE TABLE oauth_tokens (
    digest TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    replaced_by TEXT
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id);
CREATE INDEX oauth_tokens_session ON oauth_tokens (session_id);
CREATE INDEX oauth_tokens_expires_at ON oauth_tokens (expires_at);

-- What each user allowed each application: the scopes granted, asked
-- again only for a scope not among them.
CREATE TABLE oauth_consents (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
