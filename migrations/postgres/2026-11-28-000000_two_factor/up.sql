-- Two-factor sign-in: the TOTP secret, sealed (AES-256-GCM, key derived
-- from the secret key) because codes are checked against it; set when
-- enrolment starts, enabled once a first code confirms it. The last time
-- step accepted, so that a code works once.
ALTER TABLE users ADD COLUMN totp_secret BYTEA;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Recovery codes, each usable once, kept as keyed digests (HMAC-SHA-256,
-- key derived from the secret key): a copy of the database alone cannot
-- guess them offline.
CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    PRIMARY KEY (user_id, digest)
);
