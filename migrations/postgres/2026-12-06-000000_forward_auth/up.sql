-- Forward auth (README, Sign in to other applications): when a session
-- proved a second factor (a one-time code or a passkey), for the hosts
-- whose rule asks for one; sessions from before proved none they are
-- known of. And the groups of an account, which rules may ask for.
ALTER TABLE sessions ADD COLUMN second_factor_at BIGINT;

CREATE TABLE user_groups (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
