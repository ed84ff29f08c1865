-- Identity proofs that hold (README, Threat model).
--
-- Every change of the password or the address moves the account's
-- credential generation on. Reset and verification tokens, and a change of
-- address waiting for its confirmation, keep the generation they were
-- issued at, and work only while it is still the account's: a link mailed
-- before a change opens nothing after it.
ALTER TABLE users ADD COLUMN credential_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reset_token_generation BIGINT;
ALTER TABLE users ADD COLUMN verify_token_generation BIGINT;
-- An upgrade keeps the links already mailed: issued at generation 0.
UPDATE users SET reset_token_generation = 0 WHERE reset_token IS NOT NULL;
UPDATE users SET verify_token_generation = 0 WHERE verify_token IS NOT NULL;

-- A change of address waits for the new mailbox to follow its link
-- (email_change_token, a SHA-256 digest); the old address gets a notice
-- with a link that cancels it (email_change_cancel_token).
ALTER TABLE users ADD COLUMN pending_email TEXT;
ALTER TABLE users ADD COLUMN email_change_token TEXT;
ALTER TABLE users ADD COLUMN email_change_cancel_token TEXT;
ALTER TABLE users ADD COLUMN email_change_expires_at BIGINT;
ALTER TABLE users ADD COLUMN email_change_generation BIGINT;
CREATE UNIQUE INDEX users_email_change_token_key ON users (email_change_token);
CREATE UNIQUE INDEX users_email_change_cancel_token_key ON users (email_change_cancel_token);

-- Wrong one-time codes at sign-in since the last right one: past a hard
-- cap, every sign-in waiting for a code ends.
ALTER TABLE users ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;

-- When each session last proved its owner: its login, or the password (or
-- a passkey) given again. Sensitive changes need a recent one. Sessions of
-- the previous release proved it when they started.
ALTER TABLE sessions ADD COLUMN authenticated_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET authenticated_at = created_at;

-- Sign-ins whose password was right, waiting for their second factor: the
-- browser holds a random id in a private cookie, kept here as its SHA-256
-- digest; the first right code consumes the row. Not sessions.
CREATE TABLE pending_sign_ins (
    digest TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    persistent BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_sign_ins_user ON pending_sign_ins (user_id);
CREATE INDEX pending_sign_ins_expires_at ON pending_sign_ins (expires_at);

-- Rate limits shared by every instance (registrations and mailed links per
-- client address): GCRA's theoretical arrival time per key, in Unix
-- milliseconds. A key whose time is past counts as new and is deleted.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    arrival_ms BIGINT NOT NULL
);
CREATE INDEX rate_limits_arrival_ms ON rate_limits (arrival_ms);
