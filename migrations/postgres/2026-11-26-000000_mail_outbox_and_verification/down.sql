DROP TABLE outbox;
DROP INDEX users_verify_token_key;
ALTER TABLE users DROP COLUMN verify_mail_sent_at;
ALTER TABLE users DROP COLUMN reset_mail_sent_at;
ALTER TABLE users DROP COLUMN verify_token_expires_at;
ALTER TABLE users DROP COLUMN verify_token;
ALTER TABLE users DROP COLUMN email_verified_at;
