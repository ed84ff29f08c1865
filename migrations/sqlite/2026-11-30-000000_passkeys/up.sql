-- Passkeys (WebAuthn): each credential a user added, with the public key,
-- signature counter and backup flags that webauthn-rs checks at every
-- sign-in (the `credential` column, webauthn-rs's Passkey as JSON).
-- `credential_id` (base64url) is unique across users: a credential belongs
-- to one account. `user_handle` is the WebAuthn user id the authenticator
-- keeps with the credential; one per user, shared by their passkeys.
-- `public_id` names a passkey on the account page and in the API.
CREATE TABLE passkeys (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    public_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_handle TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX passkeys_public_id_key ON passkeys (public_id);
CREATE UNIQUE INDEX passkeys_credential_id_key ON passkeys (credential_id);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- WebAuthn ceremonies under way (adding a passkey, signing in with one):
-- the state webauthn-rs keeps between the options it sends and the answer
-- it checks, as JSON, looked up by the SHA-256 digest of the id handed to
-- the client. Short-lived and single use: finishing deletes the row. A
-- registration is its user's (user_id); a sign-in is nobody's yet.
CREATE TABLE passkey_ceremonies (
    digest TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_expires_at ON passkey_ceremonies (expires_at);
