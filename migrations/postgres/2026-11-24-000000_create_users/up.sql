-- Users, their single session and their pending password reset.
-- Session ids and reset tokens are stored as SHA-256 hex digests, never raw.
-- Times are Unix seconds (UTC).
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    normalized_email TEXT NOT NULL,
    hashed_password TEXT NOT NULL,
    session_id TEXT,
    session_expires_at BIGINT,
    reset_token TEXT,
    reset_token_expires_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX users_normalized_email_key ON users (normalized_email);
CREATE UNIQUE INDEX users_session_id_key ON users (session_id);
CREATE UNIQUE INDEX users_reset_token_key ON users (reset_token);
