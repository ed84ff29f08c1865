ALTER TABLE users ADD COLUMN session_id TEXT;
ALTER TABLE users ADD COLUMN session_expires_at BIGINT;
CREATE UNIQUE INDEX users_session_id_key ON users (session_id);
DROP TABLE user_devices;
DROP TABLE sessions;
