-- Failed logins per normalized email, whether or not an account has that
-- email, so that throttling holds across restarts and instances and tells
-- nothing about which emails are registered. While `locked_until` (Unix
-- seconds) is ahead, no attempt for the email is checked.
CREATE TABLE login_failures (
    normalized_email TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failed_at BIGINT NOT NULL,
    locked_until BIGINT
);
