-- The language an account's mails and notices speak (README, Languages):
-- chosen at registration from the browser's, and with the language switch.
-- Accounts from before spoke English.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
