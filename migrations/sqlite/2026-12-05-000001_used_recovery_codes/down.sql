ALTER TABLE recovery_codes DROP COLUMN used_at;
