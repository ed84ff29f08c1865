-- A session per logged-in device, instead of one on the users row. The id
-- handed to the client is stored as its SHA-256 digest; public_id is the
-- handle the account page and GET /sessions show. Times are Unix seconds.
-- A session ends at expires_at, or, unless persistent ("keep me logged
-- in", JSON clients), session_idle_ttl after last_seen_at.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    public_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    persistent BOOLEAN NOT NULL,
    device TEXT NOT NULL,
    ip TEXT
);
CREATE UNIQUE INDEX sessions_digest_key ON sessions (digest);
CREATE UNIQUE INDEX sessions_public_id_key ON sessions (public_id);
CREATE INDEX sessions_user ON sessions (user_id, last_seen_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

-- The devices (in words, "Firefox on Linux") each account has logged in
-- from, for the notice of a login from a new one.
CREATE TABLE user_devices (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device TEXT NOT NULL,
    last_login_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, device)
);

-- An upgrade logs no one out: every live session moves to the new table.
INSERT INTO sessions
    (public_id, digest, user_id, created_at, last_seen_at, expires_at, persistent, device, ip)
SELECT lower(hex(randomblob(16))), session_id, id,
       CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER),
       session_expires_at, TRUE, 'Unknown device', NULL
FROM users
WHERE session_id IS NOT NULL
  AND session_expires_at > CAST(strftime('%s', 'now') AS INTEGER);

DROP INDEX users_session_id_key;
ALTER TABLE users DROP COLUMN session_id;
ALTER TABLE users DROP COLUMN session_expires_at;
