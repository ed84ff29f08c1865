DROP TABLE user_groups;
ALTER TABLE sessions DROP COLUMN second_factor_at;
