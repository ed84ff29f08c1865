-- Address verification, and the times of the last reset and verification
-- mails (at most one of each per address per reset_mail_interval).
-- Verification tokens are stored as SHA-256 hex digests, never raw.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
ALTER TABLE users ADD COLUMN verify_token TEXT;
ALTER TABLE users ADD COLUMN verify_token_expires_at BIGINT;
ALTER TABLE users ADD COLUMN reset_mail_sent_at BIGINT;
ALTER TABLE users ADD COLUMN verify_mail_sent_at BIGINT;
CREATE UNIQUE INDEX users_verify_token_key ON users (verify_token);

-- Mails waiting to be sent: written in the same transaction as the token
-- they carry, sent by a background task, deleted once sent. The message is
-- sealed (AES-256-GCM, key derived from the secret key). A mail that
-- cannot be sent keeps its row, without its message, with failed_at set.
-- While lease_until is ahead, one sender holds the mail.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    message BLOB,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    failed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE failed_at IS NULL;
CREATE INDEX outbox_user ON outbox (user_id);
