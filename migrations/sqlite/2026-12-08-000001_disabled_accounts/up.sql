-- An operator's `user disable`: while set, no session starts for the
-- account (every one ended when it was set).
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
