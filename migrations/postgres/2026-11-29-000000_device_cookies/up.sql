-- Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device
-- Cookies"): a browser or client that logged in to an account gets a
-- cookie naming the account and a random nonce, kept here as its SHA-256
-- digest. Login attempts that present it count against it alone (failures,
-- up to login_free_attempts; then it is deleted), not against the
-- account's "untrusted clients" counter in login_failures.
CREATE TABLE device_cookies (
    digest TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    failures INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX device_cookies_user ON device_cookies (user_id);
CREATE INDEX device_cookies_expires_at ON device_cookies (expires_at);
