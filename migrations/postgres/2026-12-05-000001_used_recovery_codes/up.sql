-- A used recovery code is kept, marked with when it was used, so that a
-- person who types it again is told it was used, not that it is wrong
-- (README, Two-factor sign-in). Codes from before are all unused.
ALTER TABLE recovery_codes ADD COLUMN used_at BIGINT;
