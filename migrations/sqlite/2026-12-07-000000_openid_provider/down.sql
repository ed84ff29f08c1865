DROP TABLE oauth_consents;
DROP TABLE oauth_tokens;
DROP TABLE authorization_codes;
DROP TABLE authorization_requests;
DROP TABLE oauth_clients;
DROP TABLE signing_keys;
DROP INDEX users_subject_key;
ALTER TABLE users DROP COLUMN subject;
